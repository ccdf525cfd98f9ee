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
  // In order, named with dashes (--due_at is due-at); switches have the value "true".
  std::vector<std::pair<std::string, std::string>> options;
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
// `who`, when given, receives the profile's sign-in (for mask_contact).
Result<std::unique_ptr<client::ReplicaReader>> open_reader(const Args& a, client::ProfileIdentity* who = nullptr);
// A row's `contact` as this person may see it: masked (138****5678) for field staff on
// requests they do not own, as the desktop client and the server's read API show it.
void mask_contact(nlohmann::json& row, const client::ProfileIdentity& who);
Status usage_error(const Text& t);

struct Command {
  std::string name;
  Text synopsis;   // "new --FIELD VALUE…"
  Text summary;    // one line
  Text details;    // --help text
  std::function<int(const Args&)> run;
  // The options it reads besides the global ones (--db, --server, --json, --lang, --help),
  // spelled with dashes; kAnyField lets every option through as a field name, which the
  // local copy then checks. Any other option is a usage error, never silently ignored.
  std::vector<std::string> options;
};
inline const std::string kAnyField = "*";
// The list-style filters (see filter_from), plus `extra`.
std::vector<std::string> filter_options(std::initializer_list<std::string> extra = {});
// The usage error for an option `c` does not take (nullopt: it takes them all).
std::optional<Status> unknown_option(const Command& c, const Args& a);
const std::vector<Command>& commands();

// The groups.
void add_edit_commands(std::vector<Command>& out);
void add_read_commands(std::vector<Command>& out);
void add_sync_commands(std::vector<Command>& out);
void add_csv_commands(std::vector<Command>& out);

// Request filters from list-style options (--status a,b --owner x --search text …).
Result<client::RequestFilter> filter_from(const Args& a);
// --NAME N as a whole number of 0 or more (nullopt when not given); a usage error otherwise.
Result<std::optional<std::size_t>> whole_number_option(const Args& a, std::string_view name);
std::int64_t now_ms();

}  // namespace rapidesk::cli
