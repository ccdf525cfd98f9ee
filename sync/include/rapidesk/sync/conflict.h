// Conflict records: a concurrent edit that lost last-writer-wins is kept, with the field's
// current winner beside it, until someone resolves it.
//
// The rule (order-independent, so every replica finds the same conflicts): within one field,
// an op L is a conflict loser iff some op W on the same field has W.hlc > L.hlc and
// W.base < L.hlc (an unset base is older than any stamp), i.e. W's author had not seen L.
// Set fields never conflict; append-only fields never conflict. A status change that is
// invalid from the current status and was made on a stale base is also kept as a conflict
// (invalid_transition = true) instead of overwriting.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rapidesk/shared/status.h"
#include "rapidesk/sync/field_op.h"

namespace rapidesk::sync {

// Written through the ordinary LWW field `conflict.resolution` (row = the conflict id).
enum class Resolution : std::uint8_t { kOpen, kKeptTheirs, kKeptMine, kMerged };
std::string_view resolution_name(Resolution r);  // "open", "kept_theirs", "kept_mine", "merged"
std::optional<Resolution> parse_resolution(std::string_view wire);

struct ConflictSide {
  Value value;
  Stamp hlc;
  std::string author;
  std::string op;
};

struct ConflictRecord {
  std::string id;  // conflict_id_for(loser.op)
  std::string entity;
  std::string row;
  std::string field;
  ConflictSide loser;   // the concurrent edit that lost ("mine" to its author)
  ConflictSide winner;  // the field's current winner ("theirs"); follows the field as it changes
  Resolution resolution = Resolution::kOpen;
  std::optional<Stamp> resolution_stamp;  // stamp of the current conflict.resolution value
  bool invalid_transition = false;        // a status change refused against the current status
};

// The ops that record a resolution, all stamped `stamp`, op ids from `next_op_id`:
//   kept_theirs: conflict.resolution = "kept_theirs";
//   kept_mine:   the loser's value written to the field with base = the winner's stamp, plus
//                conflict.resolution = "kept_mine";
//   merged:      `merged` written the same way, plus conflict.resolution = "merged".
// The resolution op's base is the record's resolution_stamp. kOpen, or kMerged without a
// value, is kInvalid. Field groups: ClientReplica::resolve adds the other group fields.
Result<std::vector<FieldOp>> make_resolution_ops(const ConflictRecord& conflict, Resolution resolution,
                                                 const std::optional<Value>& merged, const Stamp& stamp,
                                                 const std::function<std::string()>& next_op_id);

}  // namespace rapidesk::sync
