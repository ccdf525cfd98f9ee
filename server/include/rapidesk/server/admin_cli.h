// The administration commands of rapidesk-server (user ..., team ...). They open the same
// database the server uses; SQLite's locking (or PostgreSQL's transactions) makes that safe
// while the server runs.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace rapidesk::server {

struct AdminIo {
  std::istream& in;   // password source for --password-stdin
  std::ostream& out;  // results
  std::ostream& err;  // errors (English, then Chinese)
  bool in_is_terminal = false;  // then echo is turned off while a password is typed
};

// args: the words after the global options, starting with "user" or "team".
// Returns the process exit code: 0 on success, 1 on a runtime error, 2 on a usage error.
// `database` as ServerConfig::database: empty for SQLite in data_dir, else a PostgreSQL URL
// (a --data or --database among `args` overrides either). `duty_calendar` as
// ServerConfig::duty_calendar: `sla set` refuses a policy without that calendar, which the
// servers would refuse to start with.
int run_admin_command(const std::filesystem::path& data_dir, std::string_view database,
                      const std::vector<std::string>& args, AdminIo io, std::string_view duty_calendar = {});
// The same on SQLite in data_dir.
int run_admin_command(const std::filesystem::path& data_dir, const std::vector<std::string>& args, AdminIo io);

// True if `word` starts an admin command.
bool is_admin_command(std::string_view word);

}  // namespace rapidesk::server
