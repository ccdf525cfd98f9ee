#include "rapidesk/sqlite/checkpointer.h"

namespace rapidesk::sqlite {

Result<std::unique_ptr<Checkpointer>> Checkpointer::attach(Database& writer, const std::filesystem::path& file,
                                                           int pages) {
  auto own = Database::open(file);
  if (!own) return own.status();
  // The checkpoint connection never writes: no auto-checkpoint of its own either.
  sqlite3_wal_autocheckpoint((*own)->handle(), 0);
  return std::unique_ptr<Checkpointer>(new Checkpointer(writer, std::move(*own), pages < 1 ? kDefaultPages : pages));
}

Checkpointer::Checkpointer(Database& writer, std::unique_ptr<Database> own, int pages)
    : writer_(writer), own_(std::move(own)), pages_(pages) {
  thread_ = std::thread([this] { run(); });
  // Replaces the auto-checkpoint hook (sqlite3_wal_autocheckpoint is itself a wal_hook).
  sqlite3_wal_hook(writer_.handle(), &Checkpointer::on_commit, this);
}

Checkpointer::~Checkpointer() {
  sqlite3_wal_autocheckpoint(writer_.handle(), kDefaultPages);
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

int Checkpointer::on_commit(void* self, sqlite3* db, const char* name, int wal_pages) {
  auto* c = static_cast<Checkpointer*>(self);
  if (wal_pages >= 4 * c->pages_) {
    // Behind: copy what is there now, on this commit (SQLITE_BUSY while the thread is
    // checkpointing is fine: it is doing the same).
    sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    std::lock_guard lock(c->mutex_);
    ++c->inline_runs_;
    return SQLITE_OK;
  }
  if (wal_pages >= c->pages_) {
    {
      std::lock_guard lock(c->mutex_);
      c->wanted_ = true;
    }
    c->wake_.notify_one();
  }
  return SQLITE_OK;  // the hook's result is the commit's: it must not fail the commit
}

void Checkpointer::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return wanted_ || stop_; });
    if (stop_) return;
    wanted_ = false;
    lock.unlock();
    // PASSIVE: copies the frames committed so far without waiting for, or blocking, writers
    // and readers. The writer restarts the WAL from its start once all of it is copied.
    sqlite3_wal_checkpoint_v2(own_->handle(), "main", SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    lock.lock();
    ++background_runs_;
  }
}

int Checkpointer::background_runs() const {
  std::lock_guard lock(mutex_);
  return background_runs_;
}

int Checkpointer::inline_runs() const {
  std::lock_guard lock(mutex_);
  return inline_runs_;
}

}  // namespace rapidesk::sqlite
