// SyncWorker: brings a LocalReplica and the server together.
//
// One round (sync_once): push the outbox in batches (oldest first, an edit never split),
// then pull by cursor in pages until caught up. Every answer is persisted before the next
// request, so a round interrupted at any point (network, crash, kill) resumes where it
// stopped: pushed ops are resent harmlessly (op ids), pulled pages are not fetched again.
//
// In the background (start/stop) the worker runs rounds on its own thread: when woken
// (a local edit, request_sync(), a cursor announced on the WebSocket stream), and every
// poll interval as a fallback. When the server cannot be reached it retries with
// exponential backoff and jitter; edits stay queued meanwhile. No call ever blocks on the
// network: status() is a snapshot.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "rapidesk/client/local_replica.h"
#include "rapidesk/shared/status.h"

namespace rapidesk::client {

struct SyncProgress {
  enum class Phase { kPushing, kPulling, kDone };
  Phase phase = Phase::kPushing;
  std::uint64_t done = 0;   // ops pushed / log entries examined in this round
  std::uint64_t total = 0;  // ops to push / log entries to examine (server head − start)
};

struct SyncWorkerOptions {
  std::size_t push_batch = 500;
  std::size_t pull_limit = 1000;
  // Pulled pages are applied together, in one transaction, once they hold this many entries
  // (or the pull ends): fewer commits, and a request whose ops span pages gets its view row
  // and search entry written once. 1 applies every page alone.
  std::size_t apply_entries = 5000;
  std::chrono::milliseconds poll_interval{30'000};
  std::chrono::milliseconds initial_backoff{1'000};
  std::chrono::milliseconds max_backoff{60'000};
  bool live_stream = true;  // keep the WebSocket open while online
  // Test hook: stop a round after this many pulled pages (0: no limit), as if interrupted.
  std::size_t max_pages_per_round = 0;
};

// What the status bar shows.
struct SyncStatus {
  bool online = false;          // the last round reached the server
  bool running = false;         // a round is under way
  bool stream_connected = false;
  SyncProgress progress;
  Status last_error;            // ok after a good round
  std::int64_t last_sync_ms = 0;
  std::int64_t next_retry_ms = 0;  // when offline: the next attempt (0: none planned)
  std::size_t pending_ops = 0;
  std::size_t refused_ops = 0;     // ReplicaSyncState::refused_ops: edits the server refused
  std::int64_t clock_ahead_ms = 0;  // ReplicaSyncState::clock_ahead_ms
  std::uint64_t rounds = 0;        // finished rounds (good or not)
  // Attachment files not synced by the last round that got to them: held here but refused by
  // the server (larger than it accepts, changed here since attached; the row still went),
  // or known and not held here (a download failed, or this device lost one before sending
  // it). Why, for the first one. The round itself succeeds: the edits are synced.
  std::size_t files_missing = 0;
  Status file_problem;
};

// What the CLI's sync and the app's status bar say about `count` refused edits nobody was
// told about yet (LocalReplica::take_unreported_refusals).
Text refused_edits_text(std::size_t count);
// What the CLI's sync and the app's status bar say about a device clock found ahead.
Text clock_ahead_text(std::int64_t ahead_ms);
// What the CLI's sync and the app's status bar say about attachment files not synced (not on
// this device, or not accepted by the server).
Text missing_files_text(std::size_t count, const Status& first);

class SyncWorker {
 public:
  using ProgressHandler = std::function<void(const SyncProgress&)>;

  SyncWorker(LocalReplica& replica, SyncWorkerOptions options = {});
  ~SyncWorker();  // stop()
  SyncWorker(const SyncWorker&) = delete;
  SyncWorker& operator=(const SyncWorker&) = delete;

  // One round on the calling thread. kUnavailable when the server cannot be reached (edits
  // stay queued) or, with field AttachmentStore::kServerDiskFullField, when it had no room
  // for an attachment file (the file and the edits from its row on wait; the rest of the
  // round was done); kUnauthorized when the token was refused (sign in again), other codes
  // as the server or the local store said.
  Status sync_once(const ProgressHandler& progress = {});

  void start();
  void stop();
  // Wakes the background thread for a round now (e.g. after a local edit). `retry_files`:
  // a person asked (Sync now, Retry), so files the server lately had no room for are sent
  // again at once instead of after their two-minute pause.
  void request_sync(bool retry_files = false);
  SyncStatus status() const;
  // Called whenever status() changes (from the worker's threads).
  void on_change(std::function<void()> handler);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rapidesk::client
