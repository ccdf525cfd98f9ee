#include "rapidesk/sync/conflict.h"

namespace rapidesk::sync {

std::string_view resolution_name(Resolution r) {
  switch (r) {
    case Resolution::kOpen: return "open";
    case Resolution::kKeptTheirs: return "kept_theirs";
    case Resolution::kKeptMine: return "kept_mine";
    case Resolution::kMerged: return "merged";
  }
  return "open";
}

std::optional<Resolution> parse_resolution(std::string_view wire) {
  for (Resolution r : {Resolution::kOpen, Resolution::kKeptTheirs, Resolution::kKeptMine, Resolution::kMerged}) {
    if (resolution_name(r) == wire) return r;
  }
  return std::nullopt;
}

Result<std::vector<FieldOp>> make_resolution_ops(const ConflictRecord& conflict, Resolution resolution,
                                                 const std::optional<Value>& merged, const Stamp& stamp,
                                                 const std::function<std::string()>& next_op_id) {
  if (resolution == Resolution::kOpen) {
    return Status::invalid(Text{"Choose how to resolve the conflict: keep theirs, keep mine, or merge.",
                                "请选择冲突的解决方式：保留对方、保留我的或合并。"},
                           "resolution");
  }
  if (resolution == Resolution::kMerged && !merged) {
    return Status::invalid(Text{"A merged resolution needs the merged value.", "合并解决需要提供合并后的值。"},
                           "value");
  }
  std::vector<FieldOp> ops;
  if (resolution != Resolution::kKeptTheirs) {
    FieldOp write;
    write.op = next_op_id();
    write.entity = conflict.entity;
    write.row = conflict.row;
    write.field = conflict.field;
    write.value = resolution == Resolution::kKeptMine ? conflict.loser.value : *merged;
    write.hlc = stamp;
    write.base = conflict.winner.hlc;  // the editor has now seen the winner: no new conflict
    ops.push_back(std::move(write));
  }
  FieldOp mark;
  mark.op = next_op_id();
  mark.entity = "conflict";
  mark.row = conflict.id;
  mark.field = "resolution";
  mark.value = Value::string(std::string(resolution_name(resolution)));
  mark.hlc = stamp;
  mark.base = conflict.resolution_stamp;
  ops.push_back(std::move(mark));
  return ops;
}

}  // namespace rapidesk::sync
