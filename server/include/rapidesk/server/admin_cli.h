// The administration commands of rapidesk-server (user ..., team ...). They open the same
// database the server uses; SQLite's locking makes that safe while the server runs.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>
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
int run_admin_command(const std::filesystem::path& data_dir, const std::vector<std::string>& args, AdminIo io);

// True if `word` starts an admin command.
bool is_admin_command(std::string_view word);

}  // namespace rapidesk::server
