// Several rapidesk-server instances over one database (PostgreSQL): what the sync service
// and the server need of the storage beyond `Storage`.
//
// - One global cursor. The log is appended by one instance at a time: the one holding the
//   writer lease (a database-wide lock). On taking the lease a server first reads what the
//   others committed since it last looked (catch-up), so its in-memory merge always extends
//   the whole log and the seq numbers it gives are the next ones of the one cursor. While it
//   holds the lease it merges and group-commits exactly as a server alone does (merging the
//   next pushes while the previous group's commit is being flushed), and it hands the lease
//   on when it is idle or has held it for a while (so that others get their turn).
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
#include <span>
#include <string>
#include <vector>

#include "rapidesk/server/storage.h"

namespace rapidesk::server {

// How far an instance has read the shared log.
struct LogPosition {
  std::uint64_t seq = 0;        // the last log entry read
  std::uint64_t rejection = 0;  // the last refused operation read (their own order)
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
  // not act as leader: its lock went with its connection). Once its session was lost,
  // this may take the lock anew on a new one: only the caller that then rebuilds the
  // leader's state (SharedInstance's leadership loop) may call it.
  virtual bool hold() = 0;
  // Whether this instance still holds the lock, asking the database; never takes it. false
  // when it is not held, or when its session is found gone (then it is not held from now
  // on, until hold() takes it again).
  virtual bool still_held() = 0;
  // Gives the lock up (if held) so that another instance may lead.
  virtual void release() = 0;
};

class SharedLog {
 public:
  virtual ~SharedLog() = default;

  // Reads what was committed after `from` (without the log lock) and advances `from`.
  virtual Status read_since(LogPosition& from, const LogReader& reader) = 0;

  // The writer lease. acquire_writer blocks until this server holds it (kUnavailable if
  // the database cannot be reached). It is a session lock on a connection of its own, so a
  // crashed server's lease is freed as soon as the database notices. release_writer is
  // best effort: a lost connection has released it already.
  virtual Status acquire_writer() = 0;
  virtual void release_writer() = 0;

  // As Storage::append_sync, and announces the last entry's seq to the listeners at commit.
  // REQUIRES: this server holds the writer lease.
  virtual Status append_announced(std::span<const SyncLogRecord> entries, std::span<const SyncRejectionRecord> rejected,
                                  std::uint64_t next_server_op, std::span<const std::string> fired_sla_keys) = 0;

  virtual Result<std::unique_ptr<LogListener>> listen() = 0;
  virtual std::unique_ptr<LeaderLock> leader_lock() = 0;
};

}  // namespace rapidesk::server
