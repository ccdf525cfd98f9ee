// LocalReplica: local edits. Each edit merges into the in-memory replica first (the same
// merge the server runs), then its ops go to the outbox and its rows to the views in one
// transaction. If that transaction fails, the in-memory replica is reloaded from the file,
// so memory never holds an edit the disk does not.
#include <cctype>

#include "rapidesk/client/attachment_store.h"
#include "rapidesk/client/intake.h"
#include "rapidesk/client/local_replica.h"
#include "rapidesk/sync/entry_records.h"
#include "rapidesk/sync/schema.h"
#include "store/replica_codec.h"
#include "store/view_writer.h"

namespace rapidesk::client {

Result<std::vector<sync::FieldEdit>> LocalReplica::to_edits(std::string_view entity,
                                                            std::span<const FieldInput> fields) const {
  std::vector<sync::FieldEdit> edits;
  edits.reserve(fields.size());
  for (const FieldInput& f : fields) {
    auto value = parse_field_input(entity, f.field, f.text);
    if (!value) return value.status();
    edits.push_back(sync::FieldEdit{f.field, std::move(*value)});
  }
  return edits;
}

Status LocalReplica::persist_edit(const std::vector<sync::FieldOp>& ops) {
  Status status = [&]() -> Status {
    sqlite::Transaction tx(*db_);
    if (!tx.status()) return tx.status();
    if (Status s = queue_ops(ops); !s) return s;
    return tx.commit();
  }();
  // Memory holds the edit, the file does not: go back to what the file has.
  if (!status) return go_back_to_file(status);
  return status;
}

Status LocalReplica::queue_ops(const std::vector<sync::FieldOp>& ops) {
  auto cached = db_->cached(
      "INSERT INTO outbox (op_id, entity, row_id, request_id, op, made_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!cached) return cached.status();
  sqlite::Statement* insert = *cached;
  const sync::ReplicaStore& state = replica_->visible();
  // The rows the edit touched, each with the fields it wrote (an edit's ops come row by row).
  struct Touched {
    std::string entity, row;
    std::vector<std::string> fields;
  };
  std::vector<Touched> rows;
  bool conflicts = false;
  for (const sync::FieldOp& op : ops) {
    std::string request = store::ViewWriter::request_of(state, op.entity, op.row);
    if (op.entity == "conflict") {
      conflicts = true;
      if (auto c = state.conflict(op.row)) request = store::ViewWriter::request_of(state, c->entity, c->row);
    }
    insert->bind(1, op.op).bind(2, op.entity).bind(3, op.row);
    if (request.empty()) insert->bind(4, std::optional<std::string>{});
    else insert->bind(4, request);
    // Stored in log-entry form (read back by the same decoder); seq is unused here.
    insert->bind_blob(5, sync::encode_entry_record(sync::LogEntry{1, op, sync::Outcome::kApplied}))
        .bind(6, op.hlc.physical_ms);
    if (Status s = insert->run(); !s) return s;
    if (rows.empty() || rows.back().entity != op.entity || rows.back().row != op.row) {
      rows.push_back(Touched{op.entity, op.row, {}});
    }
    rows.back().fields.push_back(op.field);
  }
  if (Status s = set_meta("next_op_sequence", std::to_string(replica_->next_op_sequence())); !s) return s;
  if (Status s = set_meta("last_stamp", sync::format_stamp(replica_->clock().last())); !s) return s;
  if (conflicts) {
    if (Status s = views_->rebuild_conflicts(state); !s) return s;
  }
  for (const Touched& t : rows) {
    if (t.entity == "conflict") continue;
    if (Status s = views_->refresh_fields(state, t.entity, t.row, t.fields); !s) return s;
  }
  return Status::ok();
}

Status LocalReplica::refresh_rows(const std::vector<std::pair<std::string, std::string>>& rows,
                                  bool conflicts_changed) {
  store::ViewWriter& views = *views_;
  const sync::ReplicaStore& state = replica_->visible();
  if (conflicts_changed) {
    if (Status s = views.rebuild_conflicts(state); !s) return s;
  }
  for (const auto& [entity, row] : rows) {
    if (entity == "conflict") continue;
    if (Status s = views.refresh(state, entity, row); !s) return s;
  }
  return Status::ok();
}

Status LocalReplica::edit(std::string_view entity, std::string_view row, std::span<const sync::FieldEdit> edits) {
  std::lock_guard lock(mutex_);
  return edit_locked(entity, row, edits);
}

Status LocalReplica::edit_locked(std::string_view entity, std::string_view row,
                                 std::span<const sync::FieldEdit> edits) {
  if (Status s = require_user(); !s) return s;
  if (edits.empty()) return Status::ok();
  auto ops = replica_->edit(entity, row, edits);
  if (!ops) return ops.status();
  return persist_edit(*ops);
}

Status LocalReplica::update(std::string_view entity, std::string_view row, std::span<const FieldInput> fields) {
  auto edits = to_edits(entity, fields);
  if (!edits) return edits.status();
  // One hold of the lock from the check to the edit: a pull in between could move the
  // status to the one being saved, which would then be refused as no transition.
  std::lock_guard lock(mutex_);
  if (Status s = require_user(); !s) return s;
  const sync::ReplicaStore& visible = replica_->visible();
  if (!store::ViewWriter::has_row(visible, entity, row)) {
    return Status::not_found(format_text(Text{"There is no {} {} in this copy.", "本地副本中没有 {} {}。"},
                                         {same_text(std::string(entity.substr(0, 20))),
                                          same_text(std::string(row.substr(0, 60)))}));
  }
  // A status saved again as it stands is no transition, and the merge would refuse it:
  // it is left out (a form or a script that sends every field changes only the others).
  std::erase_if(*edits, [&](const sync::FieldEdit& e) {
    const auto f = sync::find_field(entity, e.field);  // to_edits checked the name
    if (!f || f->field->policy != sync::MergePolicy::kStatus) return false;
    const auto now = visible.read(entity, row, e.field);
    return now && now->value == e.value;
  });
  return edit_locked(entity, row, *edits);
}

Result<std::string> LocalReplica::create_row(std::string_view entity, std::span<const FieldInput> fields) {
  auto edits = to_edits(entity, fields);
  if (!edits) return edits.status();
  std::lock_guard lock(mutex_);
  if (Status s = require_user(); !s) return s;
  const std::string id = replica_->new_row_id();
  auto ops = replica_->edit(entity, id, *edits);
  if (!ops) return ops.status();
  if (Status s = persist_edit(*ops); !s) return s;
  return id;
}

Status LocalReplica::edit_rows(std::span<const RowEdit> rows) {
  std::vector<sync::FieldOp> all;
  for (const RowEdit& r : rows) {
    auto ops = replica_->edit(r.entity, r.row, r.edits);
    if (!ops) {
      // The rows before this one merged in memory only: go back to what the file has.
      if (!all.empty()) return go_back_to_file(ops.status());
      return ops.status();
    }
    all.insert(all.end(), std::make_move_iterator(ops->begin()), std::make_move_iterator(ops->end()));
  }
  return persist_edit(all);
}

Result<std::string> LocalReplica::create_request(std::span<const FieldInput> fields) {
  const std::vector<std::vector<FieldInput>> one(1, std::vector<FieldInput>(fields.begin(), fields.end()));
  auto ids = create_requests(one);
  if (!ids) return ids.status();
  return std::move(ids->front());
}

Result<std::vector<std::string>> LocalReplica::create_requests(std::span<const std::vector<FieldInput>> requests) {
  const Instant now = options_.clock();
  const int offset = store::local_utc_offset_minutes();
  std::vector<RowEdit> rows;
  rows.reserve(requests.size());
  for (const std::vector<FieldInput>& fields : requests) {
    PreparedIntake intake = prepare_intake(fields, default_priority_rules(), now, offset);
    if (!intake.problems.empty()) return intake.problems.front();
    auto edits = to_edits("request", intake.fields);
    if (!edits) return edits.status();
    rows.push_back(RowEdit{"request", "", std::move(*edits)});
  }
  std::lock_guard lock(mutex_);
  if (Status s = require_user(); !s) return s;
  std::vector<std::string> ids;
  ids.reserve(rows.size());
  for (RowEdit& r : rows) ids.push_back(r.row = replica_->new_row_id());
  if (Status s = edit_rows(rows); !s) return s;
  return ids;
}

Result<std::string> LocalReplica::add_activity(std::string_view request_id, std::string_view kind,
                                               std::string_view text, std::optional<int> progress) {
  std::vector<FieldInput> fields{{"request_id", std::string(request_id)},
                                 {"kind", std::string(kind)},
                                 {"author", identity().user},
                                 {"at", format_iso8601(options_.clock(), store::local_utc_offset_minutes())},
                                 {"text", std::string(text)}};
  if (progress) fields.push_back({"progress", std::to_string(*progress)});
  auto entry = to_edits("activity", fields);
  if (!entry) return entry.status();
  std::vector<RowEdit> rows{RowEdit{"activity", "", std::move(*entry)}};
  if (progress) {
    // A progress entry also moves the request's progress field, in the same transaction:
    // a note without its progress (or a retried note twice) would misreport the work.
    const FieldInput p{"progress", std::to_string(*progress)};
    auto moved = to_edits("request", std::span<const FieldInput>(&p, 1));
    if (!moved) return moved.status();
    rows.push_back(RowEdit{"request", std::string(request_id), std::move(*moved)});
  }
  std::lock_guard lock(mutex_);
  if (Status s = require_user(); !s) return s;
  if (!store::ViewWriter::has_row(replica_->visible(), "request", request_id)) {
    return Status::not_found(format_text(Text{"There is no request {} in this copy.", "本地副本中没有请求 {}。"},
                                         {same_text(std::string(request_id.substr(0, 60)))}));
  }
  rows.front().row = replica_->new_row_id();
  if (Status s = edit_rows(rows); !s) return s;
  return rows.front().row;
}

Result<std::string> LocalReplica::add_subtask(std::string_view request_id, std::span<const FieldInput> fields) {
  std::vector<FieldInput> all(fields.begin(), fields.end());
  all.push_back({"request_id", std::string(request_id)});
  return create_row("subtask", all);
}

Status LocalReplica::resolve_conflict(std::string_view conflict_id, sync::Resolution resolution,
                                      std::optional<std::string> merged_text) {
  std::lock_guard lock(mutex_);
  if (Status s = require_user(); !s) return s;
  std::optional<sync::Value> merged;
  if (merged_text) {
    const auto record = replica_->visible().conflict(conflict_id);
    if (!record) {
      return Status::not_found(format_text(Text{"There is no conflict \"{}\".", "不存在冲突“{}”。"},
                                           {same_text(std::string(conflict_id.substr(0, 110)))}));
    }
    auto value = parse_field_input(record->entity, record->field, *merged_text);
    if (!value) return value.status();
    merged = std::move(*value);
  }
  auto ops = replica_->resolve(conflict_id, resolution, merged);
  if (!ops) return ops.status();
  return persist_edit(*ops);
}

namespace {

std::string mime_type_of(const std::filesystem::path& file) {
  std::string ext = file.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".pdf") return "application/pdf";
  if (ext == ".txt" || ext == ".log") return "text/plain";
  if (ext == ".csv") return "text/csv";
  if (ext == ".xlsx") return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  if (ext == ".docx") return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
  return "application/octet-stream";
}

}  // namespace

Result<std::string> LocalReplica::attach_file(std::string_view request_id, const std::filesystem::path& file) {
  {
    std::lock_guard lock(mutex_);
    if (Status s = require_user(); !s) return s;
    if (!store::ViewWriter::has_row(replica_->visible(), "request", request_id)) {
      return Status::not_found(format_text(Text{"There is no request {} in this copy.", "本地副本中没有请求 {}。"},
                                           {same_text(std::string(request_id.substr(0, 60)))}));
    }
  }
  AttachmentStore store(file_);
  auto stored = store.add(file);
  if (!stored) return stored.status();
  const std::vector<FieldInput> fields{{"request_id", std::string(request_id)},
                                       {"file_name", file.filename().string()},
                                       {"mime_type", mime_type_of(file)},
                                       {"size_bytes", std::to_string(stored->size)},
                                       {"sha256", stored->sha256},
                                       {"added_by", identity().user},
                                       {"added_at", format_iso8601(options_.clock(), store::local_utc_offset_minutes())}};
  return create_row("attachment", fields);
}

std::vector<std::pair<std::string, std::uint64_t>> LocalReplica::attachment_files() const {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::string, std::uint64_t>> out;
  auto stmt = db_->prepare("SELECT DISTINCT sha256, size_bytes FROM attachments WHERE sha256 IS NOT NULL");
  if (!stmt) return out;
  for (;;) {
    auto row = stmt->step();
    if (!row || !*row) break;
    out.emplace_back(stmt->text(0), static_cast<std::uint64_t>(stmt->integer(1)));
  }
  return out;
}

}  // namespace rapidesk::client
