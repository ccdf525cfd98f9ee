// ServerMerge: the server's side of sync as pure logic. The server is the authority for the
// order-dependent decisions (status transitions, append-only first writes, clock drift): it
// applies pushed ops in arrival order, numbers every accepted op in a log, and replicas
// that apply that log in order end up byte-identical to the server's store.
// The real server persists the same data (log, store, answers kept outside the log) in SQLite.
// Not thread-safe: the server serialises pushes (one writer).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rapidesk/sync/entry_log.h"
#include "rapidesk/sync/hlc.h"
#include "rapidesk/sync/protocol.h"
#include "rapidesk/sync/replica_store.h"

namespace rapidesk::sync {

struct ServerMergeOptions {
  std::string device = "server";  // device id in the server's own stamps and op ids
  std::string author = "server";  // author of server-made ops
  std::int64_t max_drift_ms = kDefaultMaxDriftMs;
  std::uint64_t next_op_sequence = 1;  // op ids "<device>:<n>" of server-made ops (persist it)
};

class ServerMerge {
 public:
  explicit ServerMerge(PhysicalClock clock, ServerMergeOptions options = {});

  // Applies a client's ops in order. `author` is the authenticated user: it replaces
  // whatever author the ops carry, and origin is forced to client. Per op: an op stamped with
  // the server's own device id, or whose id starts "<that id>:", is rejected
  // (kDeviceMismatch), always: those ids are the server's own ops'. A replayed op id
  // gets its first answer again (kDuplicate if it was accepted, the same rejection if not),
  // except that an id carrying other content than the op first answered under it is rejected
  // (kOpIdReused; for an answer restored after a restart the content is not known);
  // a stamp more than max_drift_ms ahead of the server clock is rejected (kClockDrift);
  // a field group must come whole (all its fields, same row and stamp, in this batch or
  // already applied) or is rejected (kIncompleteGroup); otherwise the store's merge decides.
  // Every accepted op that changed state is appended to the log.
  PushResult push(std::span<const FieldOp> ops, std::string_view author);
  // push() of a batch the caller gives up: accepted ops are moved into the log's entries
  // instead of copied. (An op of a field group is still copied: the ops after it in the batch
  // look for it.) `ops` is left valid but unspecified.
  PushResult push(std::vector<FieldOp>&& ops, std::string_view author);

  // A server-made edit (request number, SLA due times, auto-assignment): stamped by the
  // server clock, base = the field's current stamp, origin server, logged like any op.
  OpResult apply_server_edit(std::string_view entity, std::string_view row, std::string_view field, Value value);

  // Restart: re-applies entries read back from durable storage, in seq order, without the
  // push-time checks (they passed when the entries were accepted). kCorrupt if an entry's
  // seq is not the next one or it merges differently than it did the first time.
  Status restore(std::span<const LogEntry> entries);
  // The answers first given by the latest push() that the log does not hold (refusals, and
  // repeated append-only values acknowledged as kDuplicate), as indexes into its results, in
  // order. Persist them and hand them back with restore_answer() after a restart.
  std::span<const std::size_t> remembered_by_last_push() const { return remembered_; }
  // Restart: an answer kept outside the log, so that a replayed op gets it again.
  void restore_answer(OpResult answer);
  // Restart: op ids of server-made ops continue from here (never below the current value).
  void restore_next_op_sequence(std::uint64_t next);
  std::uint64_t next_op_sequence() const { return next_op_; }

  // The entries push() and apply_server_edit() appended since the last call, whole (the log
  // itself keeps only a reference to each op in the store), for the caller to persist.
  // restore() adds none: those came from storage. A caller that never takes them keeps a
  // copy of every op it merges.
  std::vector<LogEntry> take_new_entries();

  // Log entries with seq > cursor, at most `limit`; *more says whether others follow.
  std::vector<LogEntry> pull(std::uint64_t cursor, std::size_t limit, bool* more = nullptr) const;
  std::uint64_t cursor() const { return log_.size(); }  // seq of the newest entry (0: empty)
  const EntryLog& log() const { return log_; }
  const ReplicaStore& store() const { return store_; }
  HybridClock& clock() { return clock_; }

 private:
  OpResult reject(FieldOp&& op, Problem problem, Status status);
  bool group_complete(const FieldOp& op, const FieldRef& ref, std::span<const FieldOp> batch) const;
  // Whether `op_id` starts "<the server's device id>:", the form of server-made op ids.
  bool has_server_prefix(std::string_view op_id) const;
  // Whether a pushed op carries the server's device id (in its stamp or its id's prefix).
  bool claims_server_identity(const FieldOp& op) const;
  // REQUIRES: no op with op.op's id is in the store: push() checked, or a server-made id,
  // which no pushed op may take and restore() moves the sequence past.
  OpResult apply_accepted(FieldOp&& op);
  // `owned`: the batch's ops may be moved from (see push(std::vector<FieldOp>&&)).
  PushResult push_batch(std::span<const FieldOp> ops, FieldOp* owned, std::string_view author);
  OpResult evaluate(const FieldOp& pushed, FieldOp* owned, std::span<const FieldOp> batch, std::string_view author);
  // Keeps `answer`, first given to an op of content `digest` (content_digest).
  void remember(const OpResult& answer, std::size_t index, std::uint64_t digest);

  ServerMergeOptions options_;
  HybridClock clock_;
  ReplicaStore store_;
  EntryLog log_;  // of store_'s ops; log_[i].seq == i + 1
  std::vector<LogEntry> new_entries_;  // see take_new_entries()
  // op id -> its first answer, for ops the log does not hold (see remembered_by_last_push)
  struct Answer {
    OpResult result;
    std::uint64_t digest = 0;  // content_digest of the op answered; 0: not known (restored)
  };
  std::unordered_map<std::string, Answer> answers_;
  // content_digest of the op the latest evaluate() answered without logging it (refused, or
  // an append-only value again): the op itself may be gone by then (moved into the answer).
  std::uint64_t answered_digest_ = 0;
  std::vector<std::size_t> remembered_;
  std::uint64_t next_op_;
};

}  // namespace rapidesk::sync
