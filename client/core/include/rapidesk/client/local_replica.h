// LocalReplica: one user profile's offline copy of Rapidesk, in one SQLite file.
//
// It persists what sync::ClientReplica keeps in memory — the server's log entries as
// pulled, the outbox of local ops, the cursor, the clock and the op sequence — and keeps
// derived view tables (requests, subtasks, activities, …, search indexes) equal to the
// merged state for queries. Every local edit writes its ops to the outbox and its rows to
// the views in ONE transaction (synchronous=FULL): after a crash an edit is either fully
// there or absent, and the outbox sends each op until the server has it (op ids make the
// resend harmless).
//
// Thread-safe: every public method locks one mutex (the sync worker and the UI share it).
// Queries read through their own connection (ReplicaReader), so they never wait for a
// write transaction (WAL).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "rapidesk/shared/status.h"
#include "rapidesk/sqlite/database.h"
#include "rapidesk/sync/client_replica.h"
#include "rapidesk/sync/protocol.h"

namespace rapidesk::client {

namespace store {
class ViewWriter;
}

// Who the profile belongs to and where it syncs (kept in the profile's meta table).
struct ProfileIdentity {
  std::string device;        // made when the profile is created: "d-" + 16 hex digits
  std::string user;          // signed-in user name; empty before the first sign-in
  std::string display_name;
  std::string role;          // field | agent | coordinator | admin
  std::string team;
  std::string server_url;
  std::string token;         // bearer token (the profile file is created 0600)
  std::string token_expires_at;
};

// A field value as a person types it; parsed per the sync schema (see parse_field_input).
struct FieldInput {
  std::string field;
  std::string text;
};

// Turns typed text into a field value: text as is, integers, booleans (true/false, yes/no,
// 1/0, 是/否), times in ISO 8601 with offset, enum wire names, set elements "+x" / "-x".
// Empty text clears the field (null). kInvalid with the field named on bad input.
Result<sync::Value> parse_field_input(std::string_view entity, std::string_view field, std::string_view text);

struct LocalReplicaOptions {
  sync::PhysicalClock clock;       // default: the system clock
  sync::RandomSource random;       // default: a seeded std::random_device
  bool load_state = true;          // false: queries and identity only (no edits, no sync)
};

// What the sync worker and the status bar show.
struct ReplicaSyncState {
  std::uint64_t cursor = 0;
  std::size_t pending_ops = 0;   // in the outbox (unsent or awaiting confirmation)
  std::size_t unsent_ops = 0;
  std::int64_t last_sync_ms = 0; // 0: never
  std::uint64_t server_cursor = 0;  // the newest cursor the server announced
  bool initial_sync_done = false;
  // Edits the server refused (the `rejected` table: kept with the reason, never sent again;
  // `rapidesk-cli rejected` lists them).
  std::size_t refused_ops = 0;
  // How far this device's clock was found ahead of the server's (0: not ahead); stamps
  // follow the server's time meanwhile, but the date and time should be fixed.
  std::int64_t clock_ahead_ms = 0;
};

class LocalReplica {
 public:
  // Opens or creates the profile at `file` (creating its folder), migrates it, and loads
  // the replica (unless options.load_state is false). One program at a time may edit and
  // sync a profile (a lock on FILE.lock while such a replica is open): kConflict if another
  // has it. Opening for queries only (load_state false) takes no lock.
  static Result<std::unique_ptr<LocalReplica>> open(const std::filesystem::path& file,
                                                    LocalReplicaOptions options = {});
  ~LocalReplica();
  LocalReplica(const LocalReplica&) = delete;
  LocalReplica& operator=(const LocalReplica&) = delete;

  const std::filesystem::path& file() const { return file_; }
  ProfileIdentity identity() const;
  // After a sign-in: stores the user, role, team, server and token. Signing in as another
  // user than the profile's is refused (kConflict): a profile holds one person's work.
  Status set_sign_in(const ProfileIdentity& who);
  Status set_server_url(std::string_view url);
  // The server log this copy holds (ServerApi::set_log): "" until a sync learns it, then kept
  // for good, so that the copy never syncs with a server holding another log.
  std::string server_log() const;
  Status set_server_log(std::string_view log_id);
  Status forget_token();

  // --- Local edits (each one transaction; kInvalid / kForbidden-like merge refusals
  // change nothing). Author = the signed-in user; signing in first is required.
  // A new request from typed fields; returns its id. Status defaults to "new" and
  // contacted_at to now; the intake rules of rapidesk/shared/validation.h apply.
  Result<std::string> create_request(std::span<const FieldInput> fields);
  // Several new requests in one transaction (an import): all are recorded or none; the
  // first refusal is returned. Ids in input order.
  Result<std::vector<std::string>> create_requests(std::span<const std::vector<FieldInput>> requests);
  // Sets fields of an existing row (request, subtask, customer, knowledge).
  Status update(std::string_view entity, std::string_view row, std::span<const FieldInput> fields);
  Status edit(std::string_view entity, std::string_view row, std::span<const sync::FieldEdit> edits);
  // Appends an activity entry (kind: progress | note | blocker | solution | contact | …).
  Result<std::string> add_activity(std::string_view request_id, std::string_view kind, std::string_view text,
                                   std::optional<int> progress = std::nullopt);
  Result<std::string> add_subtask(std::string_view request_id, std::span<const FieldInput> fields);
  Result<std::string> create_row(std::string_view entity, std::span<const FieldInput> fields);
  Status resolve_conflict(std::string_view conflict_id, sync::Resolution resolution,
                          std::optional<std::string> merged_text = std::nullopt);
  // Copies the file into the profile's attachment store and records an attachment row; the
  // bytes are uploaded by the next sync, before the row is pushed.
  Result<std::string> attach_file(std::string_view request_id, const std::filesystem::path& file);
  // Attachments this copy knows of (sha256, size), for the sync worker's transfers.
  std::vector<std::pair<std::string, std::uint64_t>> attachment_files() const;

  // --- Sync plumbing (the sync worker). Each call is one transaction.
  std::vector<sync::FieldOp> next_push(std::size_t max_ops) const;
  Status on_push_result(const sync::PushResult& result);
  // Pulled entries (one page, or several consecutive pages) in page order, and the cursor of
  // the last page; `more` = the server has more. Applied and persisted in one transaction.
  // During the initial sync the view tables are not kept current page by page: they are
  // derived once, in bulk, by the page that catches up (or by settle_views()).
  Status on_pull_page(std::span<const sync::LogEntry> entries, std::uint64_t page_cursor, bool more);
  // Derives the view tables now if an initial sync left them behind (it stopped before
  // catching up); otherwise does nothing. The sync worker calls it when a round ends.
  Status settle_views();
  Status note_server_cursor(std::uint64_t cursor);
  ReplicaSyncState sync_state() const;
  // How many refused edits nobody was told about yet, and from now on they count as told
  // (a mark kept in the profile, so a sync killed or failed after recording refusals is
  // reported by the next program that asks: the CLI's sync, the app's status bar).
  Result<std::size_t> take_unreported_refusals();
  // Removes one refused edit from the list (the person has dealt with it); the others count
  // as told too, since they were listed alongside. kNotFound if there is no such op.
  Status dismiss_refusal(std::string_view op_id);
  bool has_state() const { return replica_ != nullptr; }

  // Drafts: small texts kept in the profile until cleared (the intake form, the app's
  // settings, the sync's list of files lost before their upload).
  Status save_draft(std::string_view name, std::string_view body);
  std::optional<std::string> load_draft(std::string_view name) const;
  Status clear_draft(std::string_view name);

  // Derives every view row again from the merged state.
  Status rebuild_views();

 private:
  LocalReplica(std::filesystem::path file, std::unique_ptr<sqlite::Database> db, LocalReplicaOptions options);
  Status load_identity();
  Status load_state();
  // After a failed write (or a merge that failed midway), memory holds what the file does not:
  // loads the replica again from the file. If that fails too the replica is dropped, so no
  // later edit or sync builds on state the disk never had; they refuse with the reason until
  // the profile is opened again. Returns `failed` when the reload worked. REQUIRES: mutex_
  Status go_back_to_file(Status failed);
  // The views' layout fingerprint kept in meta.views_layout.
  static const std::string& views_layout();
  // If views_deferred_: derives every view table from the visible state (one transaction)
  // and records the layout.
  Status rebuild_deferred_views();
  Status require_user() const;
  // A profile setting; kIo (or the like) when it cannot be read, "" when it is not set.
  Result<std::string> read_meta(std::string_view key) const;
  // read_meta, with "" for a failed read too: for settings whose loss costs nothing lasting.
  std::string meta(std::string_view key) const;
  Status set_meta(std::string_view key, std::string_view value);
  std::size_t refused_count() const;  // rows in `rejected` (0 if unreadable); REQUIRES: mutex_
  // Persists `ops` (one edit) to the outbox and refreshes the rows they touch.
  Status persist_edit(const std::vector<sync::FieldOp>& ops);
  // edit() for a caller that holds mutex_.
  Status edit_locked(std::string_view entity, std::string_view row, std::span<const sync::FieldEdit> edits);
  // persist_edit's writes, inside the caller's transaction.
  Status queue_ops(const std::vector<sync::FieldOp>& ops);
  // What a push answer makes again: the clock correction to keep (set if it changed), the
  // refusals made again as new ops (`originals`: the refused op ids they replace).
  struct Restamped {
    std::optional<std::int64_t> correction;  // set: a correction was (re)decided; write it
    std::vector<sync::FieldOp> ops;          // made again, to queue
    std::unordered_set<std::string> originals;  // the refused op ids they replace
    std::vector<std::string> replaced;          // unsent ops taken out of the outbox
    std::vector<std::pair<sync::FieldOp, Status>> refused_here;  // edits the local merge refused now
  };
  static constexpr std::int64_t kClockToleranceMs = 60'000;
  // A push answer's word on this device's clock (sync::PushResult::server_ms): the correction
  // and the clock-drift refusals made again, added to `out`. REQUIRES: mutex_
  void restamp_clock_drift(const sync::PushResult& result, const std::unordered_map<std::string, sync::FieldOp>& rejected,
                           Restamped& out);
  // Edits refused because another copy of this profile took their op ids (op_id_reused),
  // made again under ids out of its way with their own stamps, added to `out`. REQUIRES: mutex_
  void remake_reused_ids(const sync::PushResult& result, const std::unordered_map<std::string, sync::FieldOp>& rejected,
                         Restamped& out);
  // Writes a Restamped inside the caller's transaction (the correction when set). REQUIRES: mutex_
  Status write_restamped(const Restamped& r);
  // Records `op` in `rejected` with the reason. REQUIRES: mutex_, a transaction.
  Status keep_refusal(const sync::FieldOp& op, const Status& why);
  // Removes one op from the outbox (confirmed, refused or replaced); REQUIRES: mutex_.
  Status unqueue(const std::string& op_id);
  using Rows = std::vector<std::pair<std::string, std::string>>;                     // (entity, row)
  using OpRows = std::unordered_map<std::string, std::pair<std::string, std::string>>;  // op id -> (entity, row)
  // The outbox ops the replica holds now, with their rows. REQUIRES: mutex_
  OpRows pending_rows() const;
  // Takes out of the outbox the ops of `before` the replica no longer holds (confirmed, or
  // acknowledged and never to be pulled), adds their rows to `rows` (each row once) and
  // recounts the requests' unsynced ops. One the confirmed state does not hold leaves the
  // visible state unseen, and with it any conflict record its merge made there: it sets
  // `conflicts`. Returns how many left. REQUIRES: mutex_, a transaction.
  Result<std::size_t> settle_outbox(const OpRows& before, Rows& rows, bool& conflicts);

  // Edits of several rows that stand or fall together (a progress note and the request's
  // progress; every row of an import): merged in memory one by one, then persisted in one
  // transaction. If any is refused or the transaction fails, none stays. REQUIRES: mutex_
  struct RowEdit {
    std::string entity, row;
    std::vector<sync::FieldEdit> edits;
  };
  Status edit_rows(std::span<const RowEdit> rows);
  Result<std::vector<sync::FieldEdit>> to_edits(std::string_view entity, std::span<const FieldInput> fields) const;
  Status refresh_rows(const std::vector<std::pair<std::string, std::string>>& rows, bool conflicts_changed);

  std::filesystem::path file_;
  std::unique_ptr<sqlite::Database> db_;
  LocalReplicaOptions options_;
  ProfileIdentity identity_;
  std::unique_ptr<sync::ClientReplica> replica_;
  std::optional<Status> lost_;  // set when go_back_to_file could not reload: why replica_ is gone
  std::unique_ptr<store::ViewWriter> views_;  // keeps its prepared statements across edits
  bool views_deferred_ = false;  // the view tables lag the replica (an initial sync is under way)
  mutable std::mutex mutex_;
  int writer_lock_ = -1;  // flock on FILE.lock, held while open (load_state, or a query deriving views)
  std::unordered_set<std::string> restamped_ids_;  // ops made again for a clock ahead: never twice
};

}  // namespace rapidesk::client
