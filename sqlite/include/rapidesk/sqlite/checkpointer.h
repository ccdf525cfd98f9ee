// Moves WAL checkpoints off a writer's commit path.
//
// By default SQLite checkpoints inside the commit that takes the WAL past 1,000 pages: that
// commit also copies every page into the database file and fsyncs it, and whoever waits for
// it waits for all of that. A Checkpointer turns the writer connection's auto-checkpoint off
// and, once the WAL holds `pages` frames, has its own thread (on its own connection) run a
// PASSIVE checkpoint while the writer goes on committing. Durability is unchanged: a commit
// is durable once its WAL frames are synced, checkpointed or not.
//
// The WAL stays bounded: should the thread fall behind a busy writer and the WAL reach four
// times `pages`, the writer's next commit checkpoints inline, as SQLite would have.
//
// Thread-safety: the hook runs on the writer's commits (serialised by the writer's owner);
// the thread only touches its own connection. Destroy the Checkpointer before the writer.
#pragma once

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "rapidesk/sqlite/database.h"

namespace rapidesk::sqlite {

class Checkpointer {
 public:
  static constexpr int kDefaultPages = 1000;  // SQLite's own auto-checkpoint threshold

  // `file` is the database `writer` has open. kIo if the checkpoint connection cannot open.
  static Result<std::unique_ptr<Checkpointer>> attach(Database& writer, const std::filesystem::path& file,
                                                      int pages = kDefaultPages);
  // Stops the thread after its current checkpoint and gives the writer back SQLite's
  // auto-checkpoint.
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Checkpoints run by the thread, and inline by the writer, so far (for tests and metrics).
  int background_runs() const;
  int inline_runs() const;

 private:
  Checkpointer(Database& writer, std::unique_ptr<Database> own, int pages);
  static int on_commit(void* self, sqlite3* db, const char* name, int wal_pages);
  void run();

  Database& writer_;
  std::unique_ptr<Database> own_;  // used by thread_ only
  const int pages_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool wanted_ = false;  // guarded by mutex_
  bool stop_ = false;    // guarded by mutex_
  int background_runs_ = 0;
  int inline_runs_ = 0;
  std::thread thread_;
};

}  // namespace rapidesk::sqlite
