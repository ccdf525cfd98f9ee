// Command line of rapidesk-server: global options (flags override the config file), then
// an optional admin command. See usage_text().
#pragma once

#include <string>
#include <vector>

#include "rapidesk/shared/status.h"
#include "rapidesk/server/config.h"

namespace rapidesk::server {

struct CommandLine {
  ServerConfig config;
  bool help = false;
  bool version = false;
  std::vector<std::string> admin_args;  // non-empty: run this admin command instead of serving
};

// Parses argv[1..]: defaults, then --config FILE (wherever it appears), then the other flags.
// kInvalid with a message naming the bad option.
Result<CommandLine> parse_command_line(const std::vector<std::string>& args);
std::string usage_text();

}  // namespace rapidesk::server
