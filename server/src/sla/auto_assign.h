// Assignment on accept: a new request without an owner gets a team (category route) and a
// person (load, skills, on duty) chosen by AssignmentRules, with the explanation written
// beside it. A person's own owner edit stays what it is and is explained as manual.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "rapidesk/assignment/assigner.h"
#include "rapidesk/server/server_edits.h"
#include "rapidesk/server/storage.h"
#include "sla/request_tracker.h"

namespace rapidesk::server {

// Who works where, as the assigner and the escalation messages need it: users and teams
// from storage, cached for a few seconds so that the merge path does not query the
// database for every new request. Not thread-safe (the SLA service guards it).
class Directory {
 public:
  // Reloads when older than `max_age_ms` (by `now`) or never loaded. On a storage error
  // the previous snapshot stays, and the error is returned.
  Status refresh(Storage& storage, Instant now, std::int64_t max_age_ms = 10'000);
  // Whether a snapshot was ever read (until then every lookup finds nobody).
  bool loaded() const { return loaded_at_.has_value(); }
  bool has_team(const std::string& code) const { return teams_.count(code) != 0; }
  std::optional<std::string> lead(const std::string& team) const;
  std::vector<std::string> coordinators() const;  // active coordinators, by name
  std::optional<std::string> team_of(const std::string& user) const;
  // Active field staff and agents of `team` (those who take requests).
  std::vector<const UserRecord*> workers(const std::string& team) const;

 private:
  const UserRecord* user(const std::string& name) const;  // nullptr if there is none

  std::optional<Instant> loaded_at_;
  std::vector<UserRecord> users_;
  std::unordered_map<std::string, TeamRecord> teams_;
};

// Each person's open requests that count as load: owned, not deleted, and with a running
// SLA clock (not waiting for the customer, resolved or closed). Not thread-safe.
class OpenLoad {
 public:
  // Records the request's current owner and priority; counts = whether it is load now.
  void set(const std::string& request, const std::string& owner, Priority priority, bool counts);
  std::vector<Priority> open_of(const std::string& owner) const;

 private:
  struct Entry {
    std::string owner;
    Priority priority = Priority::kMedium;
  };
  std::unordered_map<std::string, Entry> counted_;                   // request -> its load
  std::unordered_map<std::string, std::array<int, 4>> per_owner_;   // owner -> count by priority
};

struct AssignmentInput {
  std::string request;
  Category category = Category::kOther;
  Priority priority = Priority::kMedium;
  std::string industry;
  std::vector<std::string> tags;
  std::string team;     // as recorded; empty = route by category
  std::string creator;  // the user who created the request
};

struct AutoAssignment {
  assignment::Decision decision;
  std::string rule;       // assigned_by_rule: which route or team rule applied
  bool set_team = false;  // the request had no team
};

// What is written instead when the directory was never read (the database away since the
// start): nobody is named, and the explanation says why, rather than "no such team" or
// "nobody available" decided on an empty directory.
AutoAssignment unassigned_without_directory(const AssignmentInput& input);

AutoAssignment decide_assignment(const assignment::AssignmentRules& rules, const Directory& directory,
                                 const OpenLoad& load, const RequestTracker& tracker, const AssignmentInput& input,
                                 const WorkingCalendar* duty, Instant now);

void write_assignment(ServerEdits& edits, const std::string& request, const AutoAssignment& assignment);
// Explains a person's owner edit ("assigned by hand by chen") and clears assigned_by_rule.
void write_manual_assignment(ServerEdits& edits, const OwnerEdit& edit);

}  // namespace rapidesk::server
