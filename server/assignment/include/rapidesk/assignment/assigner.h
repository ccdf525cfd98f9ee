// Chooses the owner of a request inside its team and explains the choice, like a lead
// would: by priority-weighted open load (only requests whose SLA clock runs count), skills,
// who is on duty and not on leave, then round robin (longest since last assigned).
// Manual assignment by a coordinator overrides and is recorded as such.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "rapidesk/assignment/assignment_rules.h"
#include "rapidesk/shared/calendar.h"
#include "rapidesk/shared/entities.h"

namespace rapidesk::assignment {

struct Leave {
  Instant from = 0;
  Instant to = 0;  // exclusive
};

// What the assigner knows of one team member at decision time.
struct Candidate {
  std::string name;
  std::string display_name;  // used in the explanation; name when empty
  std::vector<std::string> skills;
  const WorkingCalendar* duty = nullptr;  // on-duty schedule; null = always on duty
  std::vector<Leave> leave;
  std::vector<Priority> open_requests;    // priorities of their open requests with running clocks
  std::optional<Instant> last_assigned_at;
  bool active = true;
};

struct Decision {
  std::optional<std::string> owner;  // unset: nobody available (the request escalates)
  std::string team;
  bool by_rule = true;
  int owner_load = 0;
  Text explanation;
};

// REQUIRES: candidates are the members of `team` (any order).
Decision choose_owner(const AssignmentRules& rules, const std::string& team, const std::vector<std::string>& needed_skills,
                      const std::vector<Candidate>& candidates, Instant now);

// A coordinator's manual assignment: `by` and a reason are recorded in the explanation.
Result<Decision> manual_assignment(const std::string& team, const std::string& owner, const std::string& by,
                                   const std::string& reason);

// Priority-weighted load of a candidate.
int weighted_load(const AssignmentRules& rules, const Candidate& c);

}  // namespace rapidesk::assignment
