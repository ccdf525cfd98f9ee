// Which backend holds the server's database: the one choice the rest of the server never sees.
#include "rapidesk/server/storage.h"

namespace rapidesk::server {

bool is_postgres_url(std::string_view database) {
  return database.starts_with("postgresql://") || database.starts_with("postgres://");
}

std::string redacted_database_url(std::string_view database) {
  std::string out(database);
  // USER:PASSWORD@ in the authority part.
  if (const size_t scheme = out.find("://"); scheme != std::string::npos) {
    const size_t start = scheme + 3;
    const size_t end = out.find_first_of("/?", start);
    const size_t at = out.rfind('@', end == std::string::npos ? std::string::npos : end);
    if (at != std::string::npos && at > start) {
      const size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // password=... among the query parameters.
  for (size_t at = out.find("password="); at != std::string::npos; at = out.find("password=", at + 1)) {
    if (at > 0 && out[at - 1] != '?' && out[at - 1] != '&') continue;
    const size_t value = at + 9;
    const size_t end = out.find('&', value);
    out.replace(value, (end == std::string::npos ? out.size() : end) - value, "***");
  }
  return out;
}

Status check_database_url(std::string_view database) {
  if (database.empty() || is_postgres_url(database)) return Status::ok();
  return Status::invalid(format_text(
      Text{"\"{}\" is not a PostgreSQL URL: use postgresql://USER@HOST:PORT/DATABASE, or leave it out to keep "
           "SQLite in the data directory",
           "“{}”不是 PostgreSQL 地址：请使用 postgresql://用户@主机:端口/数据库，或不指定以继续使用数据目录中的 SQLite"},
      {same_text(redacted_database_url(database).substr(0, 100))}),
                         "database");
}

Result<std::unique_ptr<Storage>> open_storage(const std::filesystem::path& data_dir, std::string_view database) {
  if (Status s = check_database_url(database); !s) return s;
  if (is_postgres_url(database)) return open_postgres_storage(database);
  return open_sqlite_storage(data_dir);
}

}  // namespace rapidesk::server
