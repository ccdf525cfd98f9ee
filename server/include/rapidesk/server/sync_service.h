// The server's side of sync: authorises, merges and durably logs pushed operations, serves
// pulls filtered to what the caller may see, gives new requests their human numbers, and
// answers the read API from the merged state.
//
// Durability: a push returns only after its log entries are committed (synchronous=FULL).
// Concurrent pushes share one commit (group commit): the first waiter commits everything
// queued so far in one transaction, the others wait for it. Pulls never show an entry that
// is not yet durable, so no replica can see an operation a crash could still lose.
//
// Several servers on one database (storage.shared_log() set, PostgreSQL): this server merges
// and commits only while it holds the writer lease (shared_log.h). On taking it, it first
// applies what the other servers committed, so the merged state always extends the whole
// log and seqs continue the one global cursor; while it holds it, pushes merge and
// group-commit as on a server alone, and commits announce the cursor to every server.
// catch_up() applies what others committed without writing; pulls call it first, so a pull
// on any server sees every durable push.
//
// Thread-safe. Lock order: lease_.mutex, merge_mutex_, commit_mutex_.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "rapidesk/server/access.h"
#include "rapidesk/server/auth.h"
#include "rapidesk/server/server_edits.h"
#include "rapidesk/server/shared_log.h"
#include "rapidesk/server/storage.h"
#include "rapidesk/server/yielding_mutex.h"
#include "rapidesk/shared/string_map.h"
#include "rapidesk/sync/server_merge.h"

namespace rapidesk::server {

struct SyncOptions {
  std::int64_t max_drift_ms = sync::kDefaultMaxDriftMs;
  int number_utc_offset_minutes = 480;  // the day of a request number is the local day here
  std::string default_team = "GEN";     // for numbers of requests with no team
  size_t max_pull_scan = 20'000;        // log entries examined per pull (then more=true)
};

struct PullPage {
  std::vector<sync::LogEntry> entries;
  std::uint64_t cursor = 0;  // resume from here (entries up to it were examined)
  bool more = false;
  // Several servers: the page reached this server's end and what the others committed could
  // not be read (the database away, or this server stopped taking changes): "no more" would
  // be a guess. The route answers 503 with this reason, and the reader syncs again (through
  // the load balancer, possibly on another server).
  Status cannot_tell;
};

// One request as the read API shows it: every field by wire name, plus id and number.
using RequestFields = std::map<std::string, std::string>;

class SyncService {
 public:
  // `storage` must outlive the service. `user_team` tells the team of a user (numbers of
  // requests created without a team use their creator's team).
  SyncService(Storage& storage, sync::PhysicalClock clock, SyncOptions options = {});

  // Rebuilds the merged state from the stored log. Call once, before serving.
  Status load();

  // Automation told about every push (may be null). Set before serving; not owned.
  void set_observer(SyncObserver* observer) { observer_ = observer; }

  // Told after each successful group commit: how many pushes and server tasks it made
  // durable (`writers`) and how many log entries it wrote. Called by the committing thread,
  // one commit at a time, with no lock of this service held. Set before serving.
  using CommitListener = std::function<void(std::size_t writers, std::size_t entries)>;
  void set_commit_listener(CommitListener listener) { commit_listener_ = std::move(listener); }

  // Told once, when this server stops taking changes (health() turns failing), with the
  // reason: the one place that reason is reported in full. Called on the thread that stopped
  // it, maybe holding the merge lock (never the commit lock): it must not call back into
  // this service. Set before load(), so a stop while loading is told too.
  using StopListener = std::function<void(const Status& why)>;
  void set_stop_listener(StopListener listener) { stop_listener_ = std::move(listener); }

  // Runs `task` under the merge lock; the edits it makes and the SLA event keys it returns
  // are committed in ONE transaction, and this returns once they are durable (kIo if the
  // commit failed: then nothing of it was written). If `task` throws, the merged state (or
  // the SLA service's, kept under the same lock) may be half changed: the server stops
  // taking changes, as after a push's merge that threw. Reads use read_merged.
  using ServerTask = std::function<std::vector<std::string>(ServerEdits&)>;
  Status run_server_task(const ServerTask& task);

  // Runs `read` on the merged state, under the merge lock as the read API reads, with the
  // server clock's now. Unlike a server task it takes no writer lease (several servers) and
  // still runs after this server stopped taking changes, as reads do (what it sees may then
  // include merges that were not saved). `read` must not keep the store past its return nor
  // call back into this service (the merge lock is held).
  using MergedReader = std::function<void(const sync::ReplicaStore& store, Instant now)>;
  void read_merged(const MergedReader& read) const;

  // Authorises every op (403 `forbidden` per op for rows the caller may not edit), merges
  // the rest, assigns numbers to new requests, and waits until everything is durable.
  // kIo if the commit failed (nothing acknowledged).
  Result<sync::PushResult> push(const AuthContext& who, std::vector<sync::FieldOp> ops);

  // Entries after `cursor` that `who` may see, at most `limit`. When a row becomes visible
  // to `who` (its team, owner or collaborators change), its earlier history comes along.
  // Several servers: a page that reaches this server's end reads what the others committed
  // (so `more` is true when they did); see PullPage::cannot_tell.
  PullPage pull(const AuthContext& who, std::uint64_t cursor, size_t limit);

  // Read API. Contacts are masked for roles that do not need them. list_requests walks the
  // requests in id order, kRowsPerMergeLock at a time under the merge lock, so pushes go on
  // between the slices of a list over every request (a report); a request changed while
  // the walk is under way shows as the slice that reached it saw it. `only`: the fields
  // each row carries besides "id" (empty: all of them).
  static constexpr size_t kRowsPerMergeLock = 512;
  std::vector<RequestFields> list_requests(const AuthContext& who, const std::map<std::string, std::string>& filters,
                                           size_t offset, size_t limit, size_t* total,
                                           std::span<const std::string_view> only = {});
  std::optional<RequestFields> get_request(const AuthContext& who, const std::string& id);

  // Several servers: applies what the others committed since this one last looked. true if
  // the log grew. Without a shared log: ok(false). After this server stopped taking changes
  // it applies nothing (health()'s failure): what others write may then reuse seqs merged
  // here but never saved. Finding such a seq written differently by another server (this
  // server's writer lease was lost) stops it taking changes too.
  // One read of the shared log at a time: a caller that finds one under way waits for the
  // next to begin after it came (the one under way may have read before the commits it must
  // see) and shares that read's answer, so callers arriving together, such as every live
  // client pulling after an announcement, cost the database one query.
  Result<bool> catch_up();
  // How many catch_up() callers wait for another's read (for tests).
  size_t catch_ups_waiting() const;

  // ok while commits and merges succeed; after a failed commit or a merge that threw, why
  // this server accepts no more changes (until it restarts).
  Status health() const;

  std::uint64_t durable_cursor() const;

  // Names this server's log (the same on every instance sharing it): a hash of its first
  // durable entry, "" while it has none. A replica remembers it and sends it back, so that
  // a copy holding one server's data never syncs with another (sync_routes.cpp).
  std::string log_id() const;
  std::uint64_t ops_merged() const;

  // The creators of the durable, not deleted attachment rows naming `sha256` that `who` may
  // see, each once: half of the rule for reading that file's bytes (src/blobs/ checks that a
  // creator held the file; src/sync/attachment_rows.cpp).
  std::vector<std::string> attachment_file_granters(const AuthContext& who, std::string_view sha256);

 private:
  // A merge's log entries, whole (each knows its seq), as ServerMerge::take_new_entries
  // hands them over; the log itself only names the store's ops. The pushing handler (or
  // server task) keeps them until its commit is durable or has failed, so the commit leader
  // encodes them by address, without merge_mutex_, and their strings are freed on the
  // thread that allocated them (a free from another thread contends for its malloc arena).
  using MergedEntries = std::vector<sync::LogEntry>;
  using PendingEntries = std::vector<const sync::LogEntry*>;
  struct PendingCommit {
    PendingEntries entries;  // in seq order
    std::vector<SyncRejectionRecord> rejections;
    std::vector<std::string> fired_sla_keys;
    std::uint64_t next_server_op = 0;  // merge_'s counter when the newest part was queued
    std::uint64_t generation = 0;
    std::size_t writers = 0;  // pushes and server tasks waiting on it
  };
  class Edits;  // ServerEdits over merge_; REQUIRES: merge_mutex_ held while it lives
  // What other servers committed, read from the shared log before it is applied.
  struct CaughtUp {
    std::vector<SyncLogRecord> entries;
    std::vector<SyncRejectionRecord> rejections;
    std::uint64_t next_server_op = 0;
    LogReader reader();
  };
  struct Merged {
    sync::PushResult answer;
    MergedEntries entries;
    std::vector<SyncRejectionRecord> rejections;
    SyncObserver::WhenDurable when_durable;  // the observer's, run once the push is durable
  };

  // Runs `merge` (which merges and queues its commit, returning queue_commit's generation)
  // holding the writer lease (several servers) and merge_mutex_, unless this server has
  // stopped taking changes. An exception from it stops the server (stop_after_merge_error).
  Result<std::uint64_t> merge_turn(const std::function<std::uint64_t()>& merge);
  // The teams `who` leads, read from storage only when one of `ops` needs them (a re-agreed
  // due time) and `who` does not see everything; else empty.
  using TeamCodes = std::vector<std::string>;
  Result<TeamCodes> teams_led_by(const AuthContext& who, const std::vector<sync::FieldOp>& ops);
  // Authorises and merges one push, numbers new requests, runs automation; the ops are
  // moved into the merge. REQUIRES: merge_mutex_
  Merged merge_push(const AuthContext& who, std::vector<sync::FieldOp>&& ops, const TeamCodes& led);
  // pull() from what this server holds, without reading what the others committed.
  PullPage page_of(const AuthContext& who, std::uint64_t cursor, size_t limit);
  // Queues what a merge produced for the next group commit; its generation, or 0 when there
  // is nothing to write. REQUIRES: merge_mutex_
  // REQUIRES: `entries` outlive the wait for the returned generation (finish_commit).
  std::uint64_t queue_commit(const MergedEntries& entries, std::vector<SyncRejectionRecord> rejections,
                             std::vector<std::string> fired_sla_keys);
  // Waits until `generation` is durable (0: nothing queued), then hands the writer lease on
  // if this server is idle (several servers).
  Status finish_commit(std::uint64_t generation);
  // Restores stored log records (in seq order, continuing the log) into merge_; one that
  // merges differently now stops this server taking changes. REQUIRES: merge_mutex_
  Status restore_records(std::span<const SyncLogRecord> records);
  // Applies entries other servers committed (those not yet here) and tells the observer.
  // Returns the highest seq now here from them. An entry read at a seq merged here but not
  // yet durable must be the one merged here; one that differs means the writer lease was
  // lost: the server stops taking changes and nothing is applied. REQUIRES: merge_mutex_,
  // not commit_mutex_
  Result<std::uint64_t> apply_caught_up(CaughtUp& caught);
  // catch_up()'s read of the shared log and what it applies; called by one thread at a time.
  Result<bool> read_and_apply_others();
  // The writer lease (several servers). enter_shared waits until this server holds it
  // (taking it, and catching up, when no one here does) and counts the caller as merging;
  // leave_shared uncounts it once its commit is queued. The lease is handed on as soon as
  // nothing is merging or waiting to commit (checked on leaving and after each commit), and
  // after kLeaseTurn new merges wait so that it soon is: other servers get their turn.
  class SharedTurn;
  Status enter_shared();
  void leave_shared();
  void release_if_idle();
  bool commits_idle();   // REQUIRES: lease_.mutex
  void release_lease();  // REQUIRES: lease_.mutex, lease_.held
  static constexpr std::chrono::milliseconds kLeaseTurn{50};

  bool may_edit(const AuthContext& who, const sync::FieldOp& op, const std::vector<sync::FieldOp>& batch) const;
  // Rules on single fields: only the server writes SLA activity entries; only the owner,
  // the team lead (of a team in `led`), coordinators and admins re-agree a due time.
  // REQUIRES: merge_mutex_
  Status check_field_rules(const AuthContext& who, const sync::FieldOp& op, const TeamCodes& led) const;
  void note_entries(std::uint64_t from_cursor);                  // REQUIRES: merge_mutex_
  // For a filtered pull from `cursor` reaching `op` (visible to `who`): the seqs up to
  // `cursor` of its row (and of a request's children) that the reader may not have, because
  // the row or its request was handed on after `cursor`; ascending. Rows already brought
  // on this page (`brought`) are skipped, and the rows returned are added to it.
  // REQUIRES: merge_mutex_
  std::vector<std::uint64_t> earlier_history(const AuthContext& who, const sync::OpView& op, std::uint64_t cursor,
                                             std::unordered_set<std::string>& brought);
  void assign_numbers(const std::vector<std::string>& new_rows, const AuthContext& who);  // REQUIRES: merge_mutex_
  RequestFields request_fields(const AuthContext& who, const std::string& id,  // REQUIRES: merge_mutex_
                               std::span<const std::string_view> only = {}) const;
  Status wait_durable(std::uint64_t generation);
  // A merge that throws midway (out of memory, a bug) may leave the store, the log and the
  // bookkeeping out of step: like a failed commit, it stops this server accepting changes
  // until a restart reloads the durable log, and what is queued is not written. Returns
  // the failure. REQUIRES: merge_mutex_
  Status stop_after_merge_error(const std::exception& e);
  // Sets the sticky failure (keeping an earlier one) and wakes the waiters. Returns it.
  // REQUIRES: not commit_mutex_
  Status stop_taking_changes(Status why);
  // Keeps `why` unless a failure is already kept; true if it was kept. REQUIRES: commit_mutex_
  bool set_failure(Status why);
  // Calls the stop listener. REQUIRES: not commit_mutex_
  void tell_stopped(const Status& why) noexcept;

  Storage& storage_;
  SharedLog* const shared_;  // storage_.shared_log(): null for one server alone
  const SyncOptions options_;
  SyncObserver* observer_ = nullptr;  // set before serving
  CommitListener commit_listener_;    // set before serving
  StopListener stop_listener_;        // set before serving
  const sync::PhysicalClock physical_;  // the server clock, also behind merge_'s HLC

  // Readers that walk the whole state (the read API, reports) take it a slice at a time with
  // lock_after_waiters(), so pushes waiting meanwhile go first.
  mutable YieldingMutex merge_mutex_;
  sync::ServerMerge merge_;                                         // guarded by merge_mutex_
  RowCreators creators_;                                            // guarded by merge_mutex_
  StringMap<std::vector<std::uint64_t>> row_seqs_;  // "entity/row" -> seqs; guarded
  // For the filtered pull, which must bring a row's earlier history to a reader who may not
  // have it: per row, the seq of its last op that can make it visible to someone new
  // (grants_visibility); per request id, the "entity/row" keys of the rows naming it in
  // request_id (subtasks, activities, attachments). Guarded by merge_mutex_.
  StringMap<std::uint64_t> last_grant_;
  StringMap<std::vector<std::string>> children_;
  std::map<std::string, std::uint32_t> number_counters_;            // "YYYYMMDD-TEAM" -> last; guarded
  // sha256 -> attachment rows naming it, for log entries up to attachments_indexed_
  // (extended on demand by attachment_file_granters); guarded by merge_mutex_.
  std::unordered_map<std::string, std::vector<std::string>> attachments_by_sha_;
  std::uint64_t attachments_indexed_ = 0;
  LogPosition shared_position_;  // how far the shared log was read; guarded by merge_mutex_
  // catch_up()'s single flight. Taken before no other lock and released before reading.
  struct CatchUpFlight {
    mutable std::mutex mutex;
    std::condition_variable done;
    bool reading = false;
    std::uint64_t begun = 0, ended = 0;  // reads of the shared log begun and ended
    size_t waiting = 0;
    Result<bool> last_answer = false;  // the answer of read `ended`
  };
  CatchUpFlight catch_up_flight_;
  // log_id(): written once under merge_mutex_, then read freely once log_id_known_ is set.
  mutable std::string log_id_;
  mutable std::atomic<bool> log_id_known_{false};

  mutable std::mutex commit_mutex_;
  std::condition_variable committed_;
  PendingCommit queue_;                 // guarded by commit_mutex_
  std::uint64_t next_generation_ = 1;   // guarded by commit_mutex_
  std::uint64_t durable_generation_ = 0;
  std::uint64_t durable_cursor_ = 0;    // highest seq on disk; guarded by commit_mutex_
  std::uint64_t queued_cursor_ = 0;     // highest seq queued; guarded by commit_mutex_
  bool committing_ = false;
  struct Lease {
    std::mutex mutex;  // taken before merge_mutex_ and commit_mutex_
    std::condition_variable changed;
    bool held = false;      // this server holds the writer lease
    bool taking = false;    // a thread is waiting for the database to grant it
    bool draining = false;  // held long enough: no new merges, hand on once committed
    int merging = 0;        // threads between enter_shared and leave_shared
    std::chrono::steady_clock::time_point since;
  };
  Lease lease_;
  Status failed_;                       // sticky: after a failed commit or merge nothing more is acknowledged
};

}  // namespace rapidesk::server
