#include "storage/pg_support.h"

#include <array>
#include <chrono>

#include "rapidesk/server/storage.h"
#include "rapidesk/shared/utf8.h"

namespace rapidesk::server::pg {

namespace {

// PostgreSQL's message without its trailing newline and the lines after the first
// (DETAIL, HINT, the query), which make a log line unreadable.
std::string first_line(std::string_view message) {
  if (message.starts_with("ERROR:")) message.remove_prefix(6);
  while (!message.empty() && message.front() == ' ') message.remove_prefix(1);
  message = message.substr(0, message.find('\n'));
  while (!message.empty() && (message.back() == ' ' || message.back() == '\r')) message.remove_suffix(1);
  return std::string(message);
}

ErrorCode code_of(const std::exception& e) {
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) return ErrorCode::kUnavailable;
  const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e);
  if (sql == nullptr) return ErrorCode::kIo;
  const std::string& state = sql->sqlstate();
  if (state == "23505") return ErrorCode::kConflict;                             // unique_violation
  if (state.starts_with("23") || state.starts_with("22")) return ErrorCode::kInvalid;  // integrity, data
  if (state.starts_with("08") || state.starts_with("57P")) return ErrorCode::kUnavailable;  // connection, shutdown
  if (state == "XX001" || state == "XX002") return ErrorCode::kCorrupt;           // data or index corrupted
  return ErrorCode::kIo;
}

constexpr std::string_view kSchemaVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER PRIMARY KEY NOT NULL,"
    " name TEXT NOT NULL,"
    " applied_at BIGINT NOT NULL)";

// Serialises migrators of one schema (the key is the schema's name) until the transaction ends.
void lock_schema(pqxx::work& tx) {
  tx.exec("SELECT pg_advisory_xact_lock(hashtext('rapidesk-server migrations ' || current_schema()))");
}

// Creates schema_version only when the current schema has none: PostgreSQL checks CREATE on
// the schema before it honours IF NOT EXISTS, and after the first start the role may have
// only SELECT, INSERT and UPDATE. Looked up in current_schema(), where it would be created
// (a schema_version later on search_path, say in public, belongs to another deployment).
// Until the table exists, called under lock_schema(tx): no other opener creates it between
// the look-up and the CREATE.
int read_version(pqxx::work& tx) {
  if (tx.exec1("SELECT to_regclass(quote_ident(current_schema()) || '.schema_version') IS NULL")[0].as<bool>()) {
    tx.exec(std::string(kSchemaVersionTable));
  }
  return tx.exec1("SELECT COALESCE(MAX(version), 0) FROM schema_version")[0].as<int>();
}

// The PostgreSQL list must tell the same story as the SQLite one: same versions, same names.
Status check_against_sqlite(const std::vector<Migration>& postgres) {
  auto sqlite = all_migrations();
  if (!sqlite) return sqlite.status();
  for (size_t i = 0; i < std::max(postgres.size(), sqlite->size()); ++i) {
    if (i >= postgres.size() || i >= sqlite->size() || postgres[i].name != (*sqlite)[i].name) {
      return Status(ErrorCode::kInternal,
                    format_text(Text{"the PostgreSQL schema migrations differ from the SQLite ones at version {}",
                                     "PostgreSQL 数据库迁移与 SQLite 的在版本 {} 处不一致"},
                                {same_text(std::to_string(i + 1))}));
    }
  }
  return Status::ok();
}

}  // namespace

Status error_status(const std::exception& e, std::string_view what) {
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) {
    return Status::io(format_text(
        Text{"PostgreSQL error while {}: the connection was lost during the commit, so whether it was saved is "
             "unknown ({})",
             "PostgreSQL 错误（{}）：提交时连接中断，无法确定是否已保存（{}）"},
        {same_text(what), same_text(first_line(e.what()))}));
  }
  return Status(code_of(e), format_text(Text{"PostgreSQL error while {}: {}", "PostgreSQL 错误（{}）：{}"},
                                        {same_text(what), same_text(first_line(e.what()))}));
}

bool storable(std::string_view text) {
  return text.find('\0') == std::string_view::npos && first_invalid_utf8(text) == std::string_view::npos;
}

Status unstorable_text(std::string_view field) {
  return Status::invalid(format_text(Text{"{} must be UTF-8 text without NUL characters",
                                          "{} 必须是不含 NUL 字符的 UTF-8 文本"},
                                     {same_text(field)}),
                         std::string(field));
}

Result<std::unique_ptr<pqxx::connection>> connect(const std::string& url) {
  std::unique_ptr<pqxx::connection> c;
  try {
    c = std::make_unique<pqxx::connection>(url);
  } catch (const std::exception& e) {
    return Status(ErrorCode::kUnavailable,
                  format_text(Text{"cannot connect to PostgreSQL at {}: {}", "无法连接 PostgreSQL（{}）：{}"},
                              {same_text(redacted_database_url(url)), same_text(first_line(e.what()))}));
  }
  try {
    c->set_client_encoding("UTF8");
    c->set_variable("client_min_messages", "warning");  // not "relation already exists, skipping"
    // "off" is the only setting whose commit can return before the WAL is flushed; "local",
    // "remote_write", "remote_apply" and "on" all wait for it.
    if (c->get_variable("synchronous_commit") == "off") c->set_variable("synchronous_commit", "on");
    // Shown in pg_stat_activity; a URL's own application_name wins.
    if (c->get_variable("application_name").empty()) c->set_variable("application_name", "'rapidesk-server'");
    const std::string encoding = c->get_variable("server_encoding");
    if (encoding != "UTF8") {
      return Status::invalid(format_text(
          Text{"the PostgreSQL database at {} has encoding {}; Rapidesk needs UTF8: CREATE DATABASE ... ENCODING "
               "'UTF8' TEMPLATE template0",
               "{} 的 PostgreSQL 数据库编码为 {}；Rapidesk 需要 UTF8：CREATE DATABASE ... ENCODING 'UTF8' "
               "TEMPLATE template0"},
          {same_text(redacted_database_url(url)), same_text(encoding)}));
    }
  } catch (const std::exception& e) {
    return error_status(e, "setting up the connection");
  }
  return c;
}

Result<int> migrate(pqxx::connection& connection) {
  auto ordered = sqlite::ordered_migrations(std::array{postgres_migrations()});
  if (!ordered) return ordered.status();
  if (Status s = check_against_sqlite(*ordered); !s) return s;
  const int latest = static_cast<int>(ordered->size());
  try {
    int current = 0;
    {
      pqxx::work tx(connection);
      if (tx.exec1("SELECT current_schema() IS NULL")[0].as<bool>()) {
        return Status::invalid(Text{
            "no schema to create Rapidesk's tables in: none of the schemas on the connection's search_path exists "
            "(create it, or set options=-csearch_path%3DSCHEMA in the URL)",
            "没有可建表的模式：连接 search_path 中的模式都不存在（请先创建，或在地址中设置 "
            "options=-csearch_path%3D模式名）"});
      }
      lock_schema(tx);
      current = read_version(tx);
      tx.commit();
    }
    if (current > latest) {
      return Status::corrupt(format_text(
          Text{"the database has schema version {}, but this rapidesk-server only knows versions up to {}: it was "
               "written by a newer version. Run that newer version (or restore a backup); refusing to open it",
               "数据库结构版本为 {}，而此 rapidesk-server 只支持到版本 {}：该数据库由更新的版本写入。"
               "请使用更新的版本（或恢复备份）；拒绝打开"},
          {same_text(std::to_string(current)), same_text(std::to_string(latest))}));
    }
    for (const Migration& m : *ordered) {
      if (m.version <= current) continue;
      pqxx::work tx(connection);
      lock_schema(tx);
      // Another process may have migrated while we waited for the lock.
      if (read_version(tx) >= m.version) continue;
      tx.exec(std::string(m.sql), std::string(m.name));
      const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
      tx.exec_params("INSERT INTO schema_version (version, name, applied_at) VALUES ($1, $2, $3)", m.version,
                     std::string(m.name), static_cast<long long>(now));
      tx.commit();
    }
    pqxx::work tx(connection);
    const int version = read_version(tx);
    tx.commit();
    return version;
  } catch (const std::exception& e) {
    return error_status(e, "migrating the schema");
  }
}

}  // namespace rapidesk::server::pg
