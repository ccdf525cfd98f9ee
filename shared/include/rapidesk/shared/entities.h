// The domain's entities as typed records. Ids are UUIDv7 strings made on the device that
// created the row; times are Instants (UTC ms). Field names match the wire names in
// ../DESIGN.md so that a struct member and its synced field read the same.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "rapidesk/shared/enums.h"
#include "rapidesk/shared/time.h"

namespace rapidesk {

struct Customer {
  std::string id;
  std::string name;
  std::string customer_id;  // the company's internal contact code
  std::string industry;
  Tier tier = Tier::kRegular;
  std::string contact;      // phone or e-mail; shown masked to roles that do not need it
};

// Who set a priority by hand, and why; kept next to the evaluated one.
struct PriorityOverride {
  Priority priority = Priority::kMedium;
  std::string by;      // user name
  std::string reason;
  Instant at = 0;
};

struct Request {
  std::string id;
  std::string number;  // server-owned "YYYYMMDD-TEAM-NNNN"; empty until first sync
  // Intake
  std::string customer;     // the customer's name
  std::string customer_id;
  std::string contact;
  std::string industry;
  std::optional<Tier> tier;
  std::optional<Channel> channel;
  std::optional<Category> category;
  std::string title;
  std::string description;  // in the customer's own words
  std::string background;
  std::optional<Instant> contacted_at;  // when the customer got in touch (SLA clocks start here)
  std::optional<Instant> expected_at;   // when the customer expects an answer
  ImpactScope impact = ImpactScope::kSingleUser;
  // Classification and ownership
  std::optional<Priority> priority;
  std::optional<PriorityOverride> priority_override;
  RequestStatus status = RequestStatus::kNew;
  std::string owner;
  std::string team;
  std::vector<std::string> collaborators;
  std::vector<std::string> tags;
  // Execution and closure
  int progress = 0;                   // percent, 0..100
  std::optional<int> satisfaction;    // 1..5, given by the customer
  std::string feedback;
  Instant created_at = 0;
};

struct Subtask {
  std::string id;
  std::string request_id;
  std::string title;
  std::string owner;
  std::vector<std::string> collaborators;
  std::optional<Instant> start_at;
  std::optional<Instant> due_at;
  std::string deliverable;
  bool done = false;
};

// Append-only timeline entry of a request: never edited, never in conflict.
struct ActivityEntry {
  std::string id;
  std::string request_id;
  ActivityKind kind = ActivityKind::kNote;
  std::string author;
  Instant at = 0;
  std::string text;
  std::optional<int> progress;  // percent, for kProgress entries
};

struct Attachment {
  std::string id;
  std::string request_id;
  std::string file_name;
  std::string mime_type;
  std::int64_t size_bytes = 0;
  std::string sha256;  // content address (hex)
  std::string added_by;
  Instant added_at = 0;
};

struct User {
  std::string name;
  std::string display_name;
  Role role = Role::kField;
  std::string team;
  std::vector<std::string> skills;
  bool active = true;
};

struct Team {
  std::string code;   // short upper-case code used in request numbers, e.g. "TECH"
  std::string name;
  std::string lead;   // user name of the team lead
};

}  // namespace rapidesk
