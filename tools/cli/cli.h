// rapidesk-cli's shared parts: parsed arguments, the output language, printing, and the
// command table. Each *_commands.cpp file holds a group of commands.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rapidesk/client/local_replica.h"
#include "rapidesk/client/replica_reader.h"
#include "rapidesk/shared/status.h"
#include "rapidesk/shared/text.h"

namespace rapidesk::cli {

struct Args {
  std::string db;
  std::string server;
  bool json = false;
  bool help = false;
  bool zh = false;
  std::string command;
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> options;  // in order; flags have value "true"
  std::optional<std::string> option(std::string_view name) const;
  bool flag(std::string_view name) const { return option(name).has_value(); }
};

// Flags (options without a value) across all commands.
bool is_flag(std::string_view name);
Result<Args> parse_args(int argc, char** argv);

// Prints in the chosen language.
std::string say(const Args& a, const Text& t);
// Prints the error (to stderr; as {"error":{...}} JSON on stdout with --json) and returns
// the exit code for it: 2 for usage errors, 3 when the server is unreachable, 1 otherwise.
int fail(const Args& a, const Status& s);
void print_json(const nlohmann::json& j);

// Opening the profile: for edits (loads the replica) or for reading only.
Result<std::unique_ptr<client::LocalReplica>> open_replica(const Args& a, bool load_state = true);
Result<std::unique_ptr<client::ReplicaReader>> open_reader(const Args& a);
Status usage_error(const Text& t);

struct Command {
  std::string name;
  Text synopsis;   // "new --FIELD VALUE…"
  Text summary;    // one line
  Text details;    // --help text
  std::function<int(const Args&)> run;
};
const std::vector<Command>& commands();

// The groups.
void add_edit_commands(std::vector<Command>& out);
void add_read_commands(std::vector<Command>& out);
void add_sync_commands(std::vector<Command>& out);
void add_csv_commands(std::vector<Command>& out);

// Request filters from list-style options (--status a,b --owner x --search text …).
Result<client::RequestFilter> filter_from(const Args& a);
std::int64_t now_ms();

}  // namespace rapidesk::cli
