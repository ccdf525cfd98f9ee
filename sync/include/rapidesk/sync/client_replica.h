// ClientReplica: a device's side of sync as pure logic (client/core persists the same data
// in SQLite: confirmed rows, outbox, cursor, clock, op sequence).
//
//   confirmed = the server's log applied in seq order (so it equals the server's store);
//   pending   = local ops not yet confirmed, in the order they were made: unsent, or
//               acknowledged but not yet pulled back;
//   visible   = confirmed + pending re-applied on top (what the user sees and edits).
//
// Local edits are validated against the visible state with the same merge the server runs
// (optimistic); the server's answer is final: rejected ops are dropped and reported.
// Not thread-safe: one owner (the sync worker) at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "rapidesk/sync/conflict.h"
#include "rapidesk/sync/hlc.h"
#include "rapidesk/sync/protocol.h"
#include "rapidesk/sync/replica_store.h"
#include "rapidesk/sync/uuid.h"

namespace rapidesk::sync {

struct ClientOptions {
  std::string device;                  // REQUIRES: is_valid_device_id
  std::string user;                    // author shown locally until the server sets it
  std::uint64_t next_op_sequence = 1;  // op ids "<device>:<n>" (persist it)
};

struct FieldEdit {
  std::string field;
  Value value;  // set fields: "+element" / "-element"
};

// A local op not yet confirmed by a pull: unsent, or acknowledged by the server (ack_cursor
// = the log position after its push) but not yet pulled back.
struct PendingOp {
  FieldOp op;
  bool acked = false;
  std::uint64_t ack_cursor = 0;
};

class ClientReplica {
 public:
  ClientReplica(ClientOptions options, PhysicalClock clock, RandomSource random);
  // One owner: a copy would share the clock correction with its original.
  ClientReplica(const ClientReplica&) = delete;
  ClientReplica& operator=(const ClientReplica&) = delete;
  ClientReplica(ClientReplica&&) = default;
  ClientReplica& operator=(ClientReplica&&) = default;

  // Rebuilds a replica its owner persisted: `confirmed` = the pulled log entries in the
  // order they were applied, `cursor` = the last pull's cursor, `pending` = the queued ops
  // oldest first, `last_stamp` = the clock's last stamp (the clock never goes below it).
  // Entries are applied without outcome checks (they were checked when pulled). Pending ops
  // that are already confirmed are dropped, as on_pull would. Call on a new replica only.
  void restore(std::span<const LogEntry> confirmed, std::uint64_t cursor, std::span<const PendingOp> pending,
               const std::optional<Stamp>& last_stamp);
  // restore() in parts, for a large replica read in chunks: reserve_confirmed(total) once,
  // restore_confirmed(chunk) for each chunk in order, then restore({}, cursor, pending, last).
  void reserve_confirmed(std::size_t entries);
  void restore_confirmed(std::span<const LogEntry> confirmed);

  // A new UUIDv7 row id (time from this device's clock).
  std::string new_row_id();

  // One edit of one row: all ops share one fresh stamp; base = each field's visible stamp.
  // Field groups are completed with the group's other fields (current visible values), so
  // a group is always written whole. All ops are validated by merging them into the
  // visible state; if any is refused, none is kept and the first refusal is returned.
  // Returns the queued ops (the caller persists them with the row change).
  Result<std::vector<FieldOp>> edit(std::string_view entity, std::string_view row, std::span<const FieldEdit> edits);
  Result<std::vector<FieldOp>> set_field(std::string_view entity, std::string_view row, std::string_view field,
                                         Value value);
  Result<std::vector<FieldOp>> add_element(std::string_view entity, std::string_view row, std::string_view field,
                                           std::string_view element);
  Result<std::vector<FieldOp>> remove_element(std::string_view entity, std::string_view row, std::string_view field,
                                              std::string_view element);
  // Resolves a visible conflict record (see make_resolution_ops); for a field group, keeping
  // mine writes the loser's whole group write again.
  Result<std::vector<FieldOp>> resolve(std::string_view conflict_id, Resolution resolution,
                                       std::optional<Value> merged = std::nullopt);

  // Stamps follow the physical clock minus `ahead_ms` from now on (0: the clock itself), and
  // the clock moves back to the newest stamp that was or will be accepted: every confirmed
  // or acknowledged op, and the pending ones not beyond max drift of the corrected time.
  void correct_clock(std::int64_t ahead_ms);
  std::int64_t clock_correction_ms() const { return *correction_ms_; }
  // The newest stamp of an op the server accepted (confirmed or acknowledged).
  const Stamp& accepted() const { return accepted_; }

  // Edits stamped by a clock that was ahead, made again as new ops: `refused` (ops the server
  // refused for their stamps, already out of pending) and the unsent pending ops from the
  // first one stamped after `beyond_ms` on (later edits too, so the order holds), in order. Fresh ids, one fresh stamp per original edit, and a
  // base that named a replaced stamp names its replacement. The unsent ones leave pending.
  // Each edit is validated on its own: one the local merge now refuses is not queued.
  struct Restamped {
    std::vector<FieldOp> made;                      // queued, in order
    std::vector<std::string> replaced;              // ids of the unsent ops taken out of pending
    std::vector<std::pair<FieldOp, Status>> refused;  // original ops whose edit was refused here
  };
  Restamped restamp(std::span<const FieldOp> refused, std::int64_t beyond_ms);
  // Ops the server refused as op_id_reused (already out of pending), queued again under new
  // ids with their own stamps and bases: a fresh stamp would sort an edit after the later
  // ones of this device that the server already took. Each edit is validated on its own, as
  // restamp does; `replaced` stays empty.
  Restamped reissue(std::span<const FieldOp> refused);

  // The server found one of this device's op ids taken by an edit of other content: another
  // copy of this profile (restored twice, copied to a second machine) counts the same ids.
  // Later ids jump 2^32 to 2^33 ahead, out of the other copy's way; the other copy does not
  // follow them there (skip_past_own ignores ids that far ahead).
  void leave_shared_ids();

  // Up to max_ops unsent ops, oldest first, never splitting one edit's ops (a single edit
  // larger than max_ops is returned whole).
  std::vector<FieldOp> next_push(std::size_t max_ops = CodecLimits{}.max_ops) const;
  // The server's answer to a push: acknowledged ops wait to be pulled back; rejected ops
  // are dropped from pending and kept for take_rejections().
  void on_push_result(const PushResult& result);
  // Pulled log entries, in seq order. Entries at or below cursor() are skipped (replays);
  // a gap, or an entry whose merge here differs from the server's outcome, stops the pull
  // with kCorrupt (Problem::kReplicaDiverged) and leaves the cursor at the last good entry.
  Status on_pull(std::span<const LogEntry> entries);
  // A filtered pull (partial replication): the page holds only the entries this user may
  // see, so seqs have gaps, and a row that just became visible brings its older history
  // (seqs below cursor()). Entries already applied are skipped by op id; the others are
  // applied in page order; the cursor moves to `page_cursor`. Divergence stops as above.
  // `applied` (optional) receives the entries applied, in order (the caller persists them).
  Status on_pull(std::span<const LogEntry> entries, std::uint64_t page_cursor,
                 std::vector<const LogEntry*>* applied = nullptr);

  std::uint64_t cursor() const { return cursor_; }
  const ReplicaStore& confirmed() const { return confirmed_; }
  // Confirmed + pending. While nothing was edited it is the confirmed state itself (no
  // copy). The first edit copies the confirmed state once; later pulls merge into both
  // (no further copies), except that an entry on a field with a pending edit, a rejected
  // op or an acknowledged op that no pull will return makes it rebuilt at the next use.
  const ReplicaStore& visible();
  // Builds the visible state now unless it is current (the copy visible() makes before the
  // first edit). The end of a pull is the time for it: the copy of a large replica takes
  // seconds, and there it costs the sync thread rather than the user's first edit.
  void prepare_for_edits() { build_visible(); }
  std::size_t pending_count() const { return pending_.size(); }
  std::span<const PendingOp> pending() const { return pending_; }
  std::size_t unsent_count() const;
  std::vector<OpResult> take_rejections();
  HybridClock& clock() { return clock_; }
  std::uint64_t next_op_sequence() const { return next_op_; }
  const std::string& device() const { return options_.device; }

 private:
  using Pending = PendingOp;

  // What visible_ holds: kConfirmed = nothing of its own, visible() is confirmed_;
  // kOwn = confirmed_ + pending_, kept current; kStale = to be rebuilt.
  enum class VisibleState : std::uint8_t { kConfirmed, kOwn, kStale };
  // Keeps an owned visible state current while pulled entries are applied to confirmed_.
  class VisibleFollower {
   public:
    explicit VisibleFollower(ClientReplica& replica);
    // `op` was just applied to confirmed_.
    void confirmed(const FieldOp& op);

   private:
    static std::string field_key(const FieldOp& op);
    ClientReplica& replica_;
    std::unordered_set<std::string> pending_fields_;  // entity, row, field of pending ops
  };

  // Makes visible_ a copy of confirmed_ + pending (edits merge into it), unless it is kOwn.
  void build_visible();
  FieldOp make_op(std::string_view entity, std::string_view row, std::string_view field, Value value,
                  const Stamp& stamp);
  // Merges `ops` into the visible state; queues them if all are accepted.
  Result<std::vector<FieldOp>> commit(std::vector<FieldOp> ops);
  void drop_confirmed();
  // `op_id` came back from the server (or the saved copy): when it is this device's, later
  // op ids follow it. A profile restored from an older backup would otherwise reuse ids the
  // server already holds, which it answers as replays: the new edits would be dropped unseen.
  // Ids 2^31 or more ahead are another copy's after leave_shared_ids(): following them would
  // make both copies count the same ids again.
  void skip_past_own(std::string_view op_id);
  // Queues each edit of `old` (ops of one stamp in a row) again under new ids, with a fresh
  // stamp per edit (bases that named a replaced stamp renamed) or, `fresh_stamps` false,
  // their own; appends to out.made / out.refused.
  void remake(std::vector<FieldOp> old, bool fresh_stamps, Restamped& out);
  static constexpr std::uint64_t kSharedIdJump = std::uint64_t{1} << 32;
  // An op the server confirmed, about to be applied: its id (skip_past_own) and its stamp
  // (the clock, accepted()) are taken in.
  void note_confirmed(const FieldOp& op);

  ClientOptions options_;
  // Subtracted from the physical clock (correct_clock); shared with the clock's function,
  // so that moving the replica keeps them together.
  std::shared_ptr<std::int64_t> correction_ms_ = std::make_shared<std::int64_t>(0);
  HybridClock clock_;
  Stamp accepted_;  // see accepted()
  RandomSource random_;
  ReplicaStore confirmed_;
  ReplicaStore visible_;
  VisibleState visible_state_ = VisibleState::kConfirmed;
  std::vector<Pending> pending_;
  std::vector<OpResult> rejections_;
  std::uint64_t cursor_ = 0;
  std::uint64_t next_op_;
};

}  // namespace rapidesk::sync
