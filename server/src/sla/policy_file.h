// Where the SLA policy in force lives: DATA_DIR/sla_policy.json once an administrator set
// one (PUT /api/v1/sla/policy or `rapidesk-server sla set`), else the built-in default.
// The file survives restarts; it is replaced atomically (write, fsync, rename).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "rapidesk/shared/sla_policy.h"
#include "rapidesk/shared/status.h"

namespace rapidesk::server {

constexpr std::string_view kSlaPolicyFileName = "sla_policy.json";

struct PolicyDocument {
  std::string json;             // the text as stored (or the default)
  bool from_data_dir = false;   // false: the built-in default
};

// The policy text in force for `data_dir`. kIo if the file exists but cannot be read.
Result<PolicyDocument> read_policy_document(const std::filesystem::path& data_dir);

// Parses a policy the way the server does: the JSON must be an object that
// SlaPolicy::from_json accepts. kInvalid with the reason otherwise.
Result<SlaPolicy> parse_policy(std::string_view json_text);

// Stores `json_text` as the policy of `data_dir`, replacing any earlier one atomically.
// REQUIRES: parse_policy(json_text) succeeded. kIo on failure (the old file stays).
Status write_policy_document(const std::filesystem::path& data_dir, std::string_view json_text);

// The on-duty calendar the config names (ServerConfig::duty_calendar; empty: none) must exist
// in every policy put in force: kInvalid saying so otherwise.
Status check_duty_calendar(const SlaPolicy& policy, const std::string& name);

}  // namespace rapidesk::server
