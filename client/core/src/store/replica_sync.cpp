// LocalReplica: the sync plumbing. Each server answer is applied to the in-memory replica
// and persisted (outbox, pulled log, cursor, views) in one transaction; if persisting
// fails the replica is reloaded from the file, and the same page or answer can simply be
// applied again (op ids make replays harmless).
#include <cstdlib>
#include <unordered_set>

#include "rapidesk/client/local_replica.h"
#include "rapidesk/sync/entry_records.h"
#include "store/replica_codec.h"
#include "store/view_writer.h"

namespace rapidesk::client {

namespace {

// An op's field: entity, row and field name.
std::string field_key(const sync::FieldOp& op) {
  std::string key = op.entity;
  key.append(1, '\n').append(op.row).append(1, '\n').append(op.field);
  return key;
}

}  // namespace

std::vector<sync::FieldOp> LocalReplica::next_push(std::size_t max_ops) const {
  std::lock_guard lock(mutex_);
  if (!replica_) return {};
  return replica_->next_push(max_ops);
}

Status LocalReplica::on_push_result(const sync::PushResult& result) {
  std::lock_guard lock(mutex_);
  if (Status s = require_user(); !s) return s;
  // The rejected ops (and their rows) before the replica forgets them.
  std::unordered_map<std::string, sync::FieldOp> rejected;
  for (const sync::OpResult& r : result.results) {
    if (sync::is_acknowledged(r.outcome)) continue;
    for (const sync::PendingOp& p : replica_->pending()) {
      if (p.op.op == r.op) rejected.emplace(r.op, p.op);
    }
  }
  std::vector<std::string> requests;
  for (const auto& [id, op] : rejected) {
    requests.push_back(store::ViewWriter::request_of(replica_->visible(), op.entity, op.row));
  }
  // The answer may also settle acknowledged ops the replica had already pulled, or will never
  // pull: they leave the outbox here (refused ones are taken out below with their reason).
  OpRows before = pending_rows();
  for (const auto& [id, op] : rejected) before.erase(id);
  replica_->on_push_result(result);
  // The profile keeps each refusal (keep_refusal below); the replica's own list would only grow.
  (void)replica_->take_rejections();
  // Edits refused only because this device's clock is ahead are made again with stamps
  // that follow the server's time, instead of being dropped.
  // Ids another copy took first: new ids before anything else takes ids from the counter.
  Restamped restamped;
  remake_reused_ids(result, rejected, restamped);
  restamp_clock_drift(result, rejected, restamped);
  for (const std::string& id : restamped.replaced) before.erase(id);  // write_restamped's to take out
  Status status = [&]() -> Status {
    sqlite::Transaction tx(*db_);
    if (!tx.status()) return tx.status();
    auto ack = db_->prepare("UPDATE outbox SET acked = 1, ack_cursor = MAX(ack_cursor, ?2) WHERE op_id = ?1");
    if (!ack) return ack.status();
    for (const sync::OpResult& r : result.results) {
      if (sync::is_acknowledged(r.outcome)) {
        if (Status s = ack->bind(1, r.op).bind(2, static_cast<std::int64_t>(result.cursor)).run(); !s) return s;
        continue;
      }
      if (Status s = unqueue(r.op); !s) return s;
      const auto it = rejected.find(r.op);
      if (it == rejected.end() || restamped.originals.contains(r.op)) continue;
      if (Status s = keep_refusal(it->second, r.status); !s) return s;
    }
    // Rows that lost a refused op show the merged state without it.
    // A refused resolution leaves its conflict open again.
    Rows rows;
    bool conflicts = false;
    for (const auto& [id, op] : rejected) {
      rows.emplace_back(op.entity, op.row);
      conflicts = conflicts || op.entity == "conflict";
    }
    if (auto settled = settle_outbox(before, rows, conflicts); !settled) return settled.status();
    if (Status s = refresh_rows(rows, conflicts); !s) return s;
    for (const std::string& request : requests) {
      if (request.empty()) continue;
      if (Status s = views_->refresh_request_state(request); !s) return s;
    }
    if (restamped.correction || !restamped.originals.empty()) {
      if (Status s = write_restamped(restamped); !s) return s;
    }
    return tx.commit();
  }();
  if (!status) return go_back_to_file(status);
  return status;
}

void LocalReplica::restamp_clock_drift(const sync::PushResult& result,
                                       const std::unordered_map<std::string, sync::FieldOp>& rejected, Restamped& out) {
  if (result.server_ms <= 0) return;  // a server that does not say its time: nothing to go by
  // How far this device's clock is ahead; a minute or less is left alone (the network's delay
  // is in it, and the server allows minutes).
  const std::int64_t ahead = options_.clock() - result.server_ms;
  const std::int64_t correction = ahead > kClockToleranceMs ? ahead : 0;
  const std::int64_t beyond = result.server_ms + kClockToleranceMs;  // later stamps came from a clock ahead
  std::vector<sync::FieldOp> refused;
  for (const sync::OpResult& r : result.results) {
    if (r.problem != sync::Problem::kClockDrift) continue;
    const auto it = rejected.find(r.op);
    // Only ops stamped well past the server's time, and never one made again already: a
    // server allowing less than the tolerance cannot make this loop.
    if (it == rejected.end() || it->second.hlc.physical_ms <= beyond || restamped_ids_.contains(r.op)) continue;
    refused.push_back(it->second);
  }
  const std::int64_t current = replica_->clock_correction_ms();
  const bool changed = std::llabs(correction - current) > kClockToleranceMs;
  if (!changed && refused.empty()) return;
  // Stamps the server accepted lie beyond the drift it allows past its time now (its clock
  // stepped back): new ones would be refused too, so nothing changes and refusals stay.
  if (replica_->accepted().physical_ms > result.server_ms + replica_->clock().max_drift_ms()) return;
  // The clock goes back to what the server accepted, so new stamps follow the corrected time.
  replica_->correct_clock(changed ? correction : current);
  out.correction = replica_->clock_correction_ms();
  sync::ClientReplica::Restamped made = replica_->restamp(refused, beyond);
  for (const sync::FieldOp& op : made.made) restamped_ids_.insert(op.op);
  // Ops made again just before (reissued under new ids, not yet in the outbox) may have
  // been swept along: they are replaced in memory, so they must not be written either.
  const std::unordered_set<std::string> swept(made.replaced.begin(), made.replaced.end());
  std::erase_if(out.ops, [&swept](const sync::FieldOp& op) { return swept.contains(op.op); });
  out.ops.insert(out.ops.end(), made.made.begin(), made.made.end());
  out.replaced.insert(out.replaced.end(), made.replaced.begin(), made.replaced.end());
  for (auto& refused_here : made.refused) out.refused_here.push_back(std::move(refused_here));
  for (const sync::FieldOp& op : refused) out.originals.insert(op.op);
}

void LocalReplica::remake_reused_ids(const sync::PushResult& result,
                                     const std::unordered_map<std::string, sync::FieldOp>& rejected, Restamped& out) {
  std::vector<sync::FieldOp> reused;
  for (const sync::OpResult& r : result.results) {
    if (r.problem != sync::Problem::kOpIdReused) continue;
    if (const auto it = rejected.find(r.op); it != rejected.end()) reused.push_back(it->second);
  }
  if (reused.empty()) return;
  replica_->leave_shared_ids();
  // Their own stamps: later edits of this device the server already took must stay later.
  sync::ClientReplica::Restamped made = replica_->reissue(reused);
  out.ops.insert(out.ops.end(), made.made.begin(), made.made.end());
  for (auto& refused : made.refused) out.refused_here.push_back(std::move(refused));
  for (const sync::FieldOp& op : reused) out.originals.insert(op.op);
}

Status LocalReplica::write_restamped(const Restamped& r) {
  for (const std::string& id : r.replaced) {
    if (Status s = unqueue(id); !s) return s;
  }
  for (const auto& [op, why] : r.refused_here) {
    if (Status s = keep_refusal(op, why); !s) return s;
  }
  if (!r.ops.empty()) {
    if (Status s = queue_ops(r.ops); !s) return s;
  }
  std::vector<std::pair<std::string, std::string>> rows;
  bool conflicts = false;  // a refused resolution leaves its conflict open again
  for (const auto& [op, why] : r.refused_here) {
    rows.emplace_back(op.entity, op.row);
    conflicts = conflicts || op.entity == "conflict";
  }
  if (Status s = refresh_rows(rows, conflicts); !s) return s;
  if (r.correction) {
    if (Status s = set_meta("clock_correction_ms", std::to_string(*r.correction)); !s) return s;
  }
  // A jump past another copy's ids (leave_shared_ids) holds even when nothing was queued.
  if (Status s = set_meta("next_op_sequence", std::to_string(replica_->next_op_sequence())); !s) return s;
  return set_meta("last_stamp", sync::format_stamp(replica_->clock().last()));
}

Status LocalReplica::keep_refusal(const sync::FieldOp& op, const Status& why) {
  auto keep = db_->cached(
      "INSERT OR REPLACE INTO rejected (op_id, entity, row_id, field, value, code, message, message_zh, at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!keep) return keep.status();
  return (*keep)->bind(1, op.op).bind(2, op.entity).bind(3, op.row).bind(4, op.field).bind(5, op.value.canonical())
      .bind(6, std::string(error_code_name(why.code()))).bind(7, why.message().en)
      .bind(8, why.message().zh).bind(9, options_.clock())
      .run();
}

Status LocalReplica::unqueue(const std::string& op_id) {
  auto drop = db_->cached("DELETE FROM outbox WHERE op_id = ?1");
  if (!drop) return drop.status();
  return (*drop)->bind(1, op_id).run();
}

LocalReplica::OpRows LocalReplica::pending_rows() const {
  OpRows out;
  for (const sync::PendingOp& p : replica_->pending()) out.emplace(p.op.op, std::pair{p.op.entity, p.op.row});
  return out;
}

Result<std::size_t> LocalReplica::settle_outbox(const OpRows& before, Rows& rows, bool& conflicts) {
  std::unordered_set<std::string_view> held;
  for (const sync::PendingOp& p : replica_->pending()) held.insert(p.op.op);
  std::unordered_set<std::string> keys;  // of `rows`, made once an op has left
  std::size_t left = 0;
  for (const auto& [id, row] : before) {
    if (held.count(id) != 0) continue;
    if (Status s = unqueue(id); !s) return s;
    if (left++ == 0) {
      for (const auto& [entity, r] : rows) keys.insert(entity + '\n' + r);
    }
    if (keys.insert(row.first + '\n' + row.second).second) rows.push_back(row);
    conflicts = conflicts || row.first == "conflict" || !replica_->confirmed().contains(id);
  }
  if (left != 0 && !views_deferred_) {
    // Requests whose last unsynced ops just left (a row refresh recounts only its own request,
    // and a conflict's resolution has no row of its own).
    if (Status s = db_->exec("UPDATE requests SET unsynced = (SELECT COUNT(*) FROM outbox o WHERE o.request_id = "
                             "requests.id) WHERE unsynced != 0",
                             "counting unsynced ops");
        !s) {
      return s;
    }
  }
  return left;
}

Status LocalReplica::on_pull_page(std::span<const sync::LogEntry> entries, std::uint64_t page_cursor, bool more) {
  std::lock_guard lock(mutex_);
  if (Status s = require_user(); !s) return s;
  // A page may confirm outbox ops, or drop them unseen (acknowledged, but left out of every pull).
  const OpRows pending_before = pending_rows();
  // The entries new to this replica (not replays, not repeated within the page).
  std::vector<const sync::LogEntry*> fresh;
  fresh.reserve(entries.size());
  Status merged = replica_->on_pull(entries, page_cursor, &fresh);
  if (!merged) {
    // The local merge disagrees with the server: nothing of this page is kept.
    return go_back_to_file(merged);
  }
  Status status = [&]() -> Status {
    sqlite::Transaction tx(*db_);
    if (!tx.status()) return tx.status();
    // The page's new entries as one record: thousands of rows would cost a B-tree cell,
    // a header and a statement step each.
    if (!fresh.empty()) {
      auto insert = db_->cached("INSERT INTO pulled (seq, op_id, entry, entries) VALUES (?1, '', ?2, ?3)");
      if (!insert) return insert.status();
      (*insert)->bind(1, static_cast<std::int64_t>(fresh.front()->seq))
          .bind_blob(2, sync::encode_entry_run(fresh))
          .bind(3, static_cast<std::int64_t>(fresh.size()));
      if (Status s = (*insert)->run(); !s) return s;
    }
    Rows rows;
    std::unordered_set<std::string> row_keys;
    // Fields this replica's outbox edits: another's entry for one may meet such an edit in the
    // visible state, and the two make a conflict there before the server has seen it.
    std::unordered_set<std::string> pending_fields;
    for (const sync::PendingOp& p : replica_->pending()) pending_fields.insert(field_key(p.op));
    bool conflicts = false;
    for (const sync::LogEntry* e : fresh) {
      if (e->op.entity == "conflict" || e->outcome == sync::Outcome::kAppliedWithConflict ||
          e->outcome == sync::Outcome::kConflictRecorded ||
          (pending_fields.count(field_key(e->op)) != 0 && pending_before.count(e->op.op) == 0)) {
        conflicts = true;
      }
      if (row_keys.insert(e->op.entity + '\n' + e->op.row).second) rows.emplace_back(e->op.entity, e->op.row);
    }
    // An initial sync brings every row at once: the views are derived in bulk when it
    // catches up (or stops), not row by row per page. Until then meta.views_layout is
    // empty, so a profile closed midway derives them when it is opened again.
    views_deferred_ = views_deferred_ || (meta("initial_sync_done") != "1" && more);
    if (auto settled = settle_outbox(pending_before, rows, conflicts); !settled) return settled.status();
    if (views_deferred_) {
      if (Status s = set_meta("views_layout", ""); !s) return s;
    } else if (Status s = refresh_rows(rows, conflicts); !s) {
      return s;
    }
    if (Status s = set_meta("cursor", std::to_string(replica_->cursor())); !s) return s;
    if (Status s = set_meta("last_stamp", sync::format_stamp(replica_->clock().last())); !s) return s;
    if (!more) {
      if (Status s = set_meta("initial_sync_done", "1"); !s) return s;
      if (Status s = set_meta("last_sync_ms", std::to_string(options_.clock())); !s) return s;
    }
    return tx.commit();
  }();
  if (!status) return go_back_to_file(status);
  if (!more) {
    if (Status s = rebuild_deferred_views(); !s) return s;
  }
  // Caught up: the sync worker's thread, not the next edit, pays for the editable copy.
  if (!more) replica_->prepare_for_edits();
  return status;
}

Status LocalReplica::note_server_cursor(std::uint64_t cursor) {
  std::lock_guard lock(mutex_);
  return set_meta("server_cursor", std::to_string(cursor));
}

std::size_t LocalReplica::refused_count() const {
  auto stmt = db_->cached("SELECT COUNT(*) FROM rejected");
  if (!stmt) return 0;
  auto row = (*stmt)->step();
  const std::size_t n = row && *row ? static_cast<std::size_t>((*stmt)->integer(0)) : 0;
  (*stmt)->reset();
  return n;
}

Result<std::size_t> LocalReplica::take_unreported_refusals() {
  std::lock_guard lock(mutex_);
  const std::size_t refused = refused_count();
  auto told = read_meta("refusals_reported");
  if (!told) return told.status();
  const std::size_t reported = told->empty() ? 0 : static_cast<std::size_t>(std::stoull(*told));
  if (refused <= reported) return std::size_t{0};
  if (Status s = set_meta("refusals_reported", std::to_string(refused)); !s) return s;
  return refused - reported;
}

Status LocalReplica::dismiss_refusal(std::string_view op_id) {
  std::lock_guard lock(mutex_);
  sqlite::Transaction tx(*db_);
  if (!tx.status()) return tx.status();
  auto drop = db_->prepare("DELETE FROM rejected WHERE op_id = ?1");
  if (!drop) return drop.status();
  if (Status s = drop->bind(1, std::string(op_id)).run(); !s) return s;
  if (drop->changes() == 0) {
    return Status::not_found(format_text(Text{"There is no refused edit \"{}\".", "没有被拒绝的修改“{}”。"},
                                         {same_text(std::string(op_id.substr(0, 80)))}));
  }
  if (Status s = set_meta("refusals_reported", std::to_string(refused_count())); !s) return s;
  return tx.commit();
}

ReplicaSyncState LocalReplica::sync_state() const {
  std::lock_guard lock(mutex_);
  ReplicaSyncState s;
  auto number = [this](std::string_view key) -> std::uint64_t {
    const std::string v = meta(key);
    return v.empty() ? 0 : std::stoull(v);
  };
  s.cursor = replica_ ? replica_->cursor() : number("cursor");
  s.server_cursor = std::max(number("server_cursor"), s.cursor);
  s.last_sync_ms = static_cast<std::int64_t>(number("last_sync_ms"));
  s.initial_sync_done = meta("initial_sync_done") == "1";
  if (replica_) {
    s.pending_ops = replica_->pending_count();
    s.unsent_ops = replica_->unsent_count();
  } else if (auto stmt = db_->prepare("SELECT COUNT(*), COALESCE(SUM(acked = 0), 0) FROM outbox"); stmt) {
    if (auto row = stmt->step(); row && *row) {
      s.pending_ops = static_cast<std::size_t>(stmt->integer(0));
      s.unsent_ops = static_cast<std::size_t>(stmt->integer(1));
    }
  }
  s.refused_ops = refused_count();
  s.clock_ahead_ms = replica_ ? replica_->clock_correction_ms() : static_cast<std::int64_t>(number("clock_correction_ms"));
  return s;
}

}  // namespace rapidesk::client
