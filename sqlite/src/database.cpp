#include "rapidesk/sqlite/database.h"

#include <chrono>
#include <thread>

namespace rapidesk::sqlite {

namespace {
// How long a statement waits for another connection's lock before it reports "busy".
constexpr int kBusyTimeoutMs = 5000;
}  // namespace

Status error_status(sqlite3* db, int rc, std::string_view what) {
  const std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const Text message = format_text(Text{"database error while {}: {}", "数据库错误（{}）：{}"},
                                   {same_text(what), same_text(detail)});
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return Status(ErrorCode::kConflict, message);
      }
      return Status(ErrorCode::kInvalid, message);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return Status(ErrorCode::kCorrupt, message);
    default: return Status(ErrorCode::kIo, message);
  }
}

Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind_blob_ref(int index, std::string_view bytes) {
  sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::string>& text) {
  if (text) return bind(index, std::string_view(*text));
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return error_status(db_, sqlite3_extended_errcode(db_), sqlite3_sql(stmt_));
}

Statement& Statement::reset() {
  sqlite3_reset(stmt_);
  return *this;
}

Status Statement::run() {
  for (;;) {
    auto r = step();
    if (!r) {
      sqlite3_reset(stmt_);
      return r.status();
    }
    if (!*r) {
      sqlite3_reset(stmt_);  // ready to be bound and run again
      return Status::ok();
    }
  }
}

std::string Statement::text(int column) const {
  if (sqlite3_column_type(stmt_, column) == SQLITE_BLOB) {
    const auto* b = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
    return b == nullptr ? std::string() : std::string(b, static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
  }
  const auto* p = sqlite3_column_text(stmt_, column);
  if (p == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }
bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
bool Statement::is_integer(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_INTEGER; }
int Statement::column_count() const { return sqlite3_column_count(stmt_); }
std::string Statement::column_name(int column) const {
  const char* name = sqlite3_column_name(stmt_, column);
  return name != nullptr ? name : "";
}

Result<std::unique_ptr<Database>> Database::open(const std::filesystem::path& file) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  if (rc != SQLITE_OK) {
    Status s = Status::io(format_text(Text{"cannot open the database {}: {}", "无法打开数据库 {}：{}"},
                                      {same_text(file.string()), same_text(sqlite3_errstr(rc))}));
    sqlite3_close(raw);
    return s;
  }
  std::unique_ptr<Database> db(new Database(raw));
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  // journal_mode answers with a row; check it really switched (it cannot on some filesystems).
  auto mode = db->prepare("PRAGMA journal_mode=WAL");
  if (!mode) return mode.status();
  auto row = mode->step();
  // Switching a new database to WAL takes an exclusive lock. Two connections doing it at once
  // (a server and an admin command starting together) can each hold a shared lock that the
  // other's upgrade waits for; SQLite then answers one of them "busy" at once rather than
  // through the busy timeout, so that one retries here, for as long as that timeout.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  while (!row && (sqlite3_extended_errcode(raw) & 0xFF) == SQLITE_BUSY && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    row = mode->reset().step();
  }
  if (!row) return row.status();
  if (!*row || mode->text(0) != "wal") {
    return Status::io(format_text(Text{"the database {} cannot use write-ahead logging", "数据库 {} 无法启用 WAL 日志"},
                                  {same_text(file.string())}));
  }
  if (Status s = db->exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", "setting pragmas"); !s) return s;
  return db;
}

Database::~Database() {
  cached_.clear();  // finalized before the connection closes
  sqlite3_close_v2(db_);
}

Result<Statement*> Database::cached(const std::string& sql) {
  auto it = cached_.find(sql);
  if (it == cached_.end()) {
    auto made = prepare(sql);
    if (!made) return made.status();
    it = cached_.emplace(sql, std::make_unique<Statement>(std::move(*made))).first;
  }
  return &it->second->reset();
}

Status Database::exec(std::string_view sql, std::string_view what) {
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return error_status(db_, sqlite3_extended_errcode(db_), what);
  return Status::ok();
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return error_status(db_, rc, sql);
  return Statement(db_, stmt);
}

Transaction::Transaction(Database& db) : db_(db) {
  status_ = db_.exec("BEGIN IMMEDIATE", "starting a transaction");
  open_ = status_.is_ok();
}

Transaction::~Transaction() {
  if (open_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

Status Transaction::commit() {
  Status s = db_.exec("COMMIT", "committing");
  if (s) open_ = false;
  return s;
}

}  // namespace rapidesk::sqlite
