// Several rapidesk-server instances over one database (PostgreSQL): what the sync service
// and the server need of the storage beyond `Storage`.
//
// - One global cursor. The log is appended by one instance at a time, inside a transaction
//   that holds a database-wide lock; before merging, the writer reads what the others
//   committed since it last looked (catch-up), so its in-memory merge always extends the
//   whole log and the seq numbers it gives are the next ones of the one cursor.
// - Announcements. Each append's commit notifies every instance (LISTEN/NOTIFY) with the
//   new cursor; a LogListener wakes on it.
// - Leadership. Exactly one instance at a time holds the leader lock (a session lock on its
//   own connection): it runs the SLA scheduler and the scheduled reports. The lock goes with
//   the connection, so a crashed leader frees it as soon as the database notices.
//
// Locks, channels and tables are per schema, so deployments in different schemas of one
// database do not interfere.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "rapidesk/server/storage.h"

namespace rapidesk::server {

// How far an instance has read the shared log.
struct LogPosition {
  std::uint64_t seq = 0;        // the last log entry read
  std::uint64_t rejection = 0;  // the last refused operation read (their own order)
};

// What an exclusive append writes: as Storage::append_sync.
struct LogAppend {
  std::vector<SyncLogRecord> entries;  // seqs continue the log without a gap
  std::vector<SyncRejectionRecord> rejections;
  std::uint64_t next_server_op = 1;
  std::vector<std::string> fired_sla_keys;
};

// Receives what other instances committed: entries in seq order, then refused operations,
// then the server operation counter (the highest stored).
struct LogReader {
  std::function<Status(SyncLogRecord&&)> on_entry;
  std::function<Status(SyncRejectionRecord&&)> on_rejection;
  std::function<void(std::uint64_t next_server_op)> on_counter;
};

// Wakes when the log grew. Owns a connection; not thread-safe (one thread waits on it).
class LogListener {
 public:
  virtual ~LogListener() = default;
  // Waits up to `timeout`. true: the log may have grown (a notification came, or the
  // connection was lost and re-established, which may have missed one); false: timeout.
  // kUnavailable while the database cannot be reached (the caller retries later).
  virtual Result<bool> wait(std::chrono::milliseconds timeout) = 0;
};

// The leader lock. Owns a connection; not thread-safe (one thread checks it).
class LeaderLock {
 public:
  virtual ~LeaderLock() = default;
  // Takes the lock if it is free, or checks that this instance still holds it. false:
  // another instance leads, or the database cannot be reached (then this instance must
  // not act as leader: its lock went with its connection).
  virtual bool hold() = 0;
};

class SharedLog {
 public:
  virtual ~SharedLog() = default;

  // Reads what was committed after `from` (without the log lock) and advances `from`.
  virtual Status read_since(LogPosition& from, const LogReader& reader) = 0;

  // One transaction holding the log lock: reads what others committed after `from` (as
  // read_since), then calls `write` once for what to append, appends it, notifies the
  // listeners and commits. When it returns ok, all of it is durable and `from` is at the
  // end of the log; otherwise nothing of the append was written.
  virtual Status append_exclusive(LogPosition& from, const LogReader& reader,
                                  const std::function<LogAppend()>& write) = 0;

  virtual Result<std::unique_ptr<LogListener>> listen() = 0;
  virtual std::unique_ptr<LeaderLock> leader_lock() = 0;
};

}  // namespace rapidesk::server
