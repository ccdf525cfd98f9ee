// Priority from three factors: impact scope, urgency (expected time vs now) and customer
// value (tier). The scores and thresholds are data (assets/priority_rules.json) so a
// company can tune them without a release. A person may override the result; the
// override records who and why, and the evaluated priority stays visible next to it.
#pragma once

#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "rapidesk/shared/entities.h"
#include "rapidesk/shared/status.h"

namespace rapidesk {

struct PriorityFactors {
  ImpactScope impact = ImpactScope::kSingleUser;
  std::optional<Instant> expected_at;  // unset: the customer named no time
  Tier tier = Tier::kRegular;
};

struct PriorityDecision {
  Priority priority = Priority::kMedium;
  int score = 0;
  int impact_score = 0;
  int urgency_score = 0;
  int tier_score = 0;
  Text explanation;  // "impact site (3) + urgency due within 4 h (4) + tier vip (3) = 10 → urgent"
};

class PriorityRules {
 public:
  // Parses assets/priority_rules.json:
  //   {"impact": {"single_user": 1, ...}, "tier": {"strategic": 4, ...},
  //    "urgency": [{"within_hours": 4, "score": 4}, ..., {"score": 1}],   (last: no limit)
  //    "no_expected_time_score": 1,
  //    "levels": [{"min_score": 10, "priority": "urgent"}, ..., {"min_score": 0, "priority": "low"}]}
  static Result<PriorityRules> from_json(std::string_view json_text);

  PriorityDecision evaluate(const PriorityFactors& factors, Instant now) const;

 private:
  struct UrgencyStep { std::optional<std::int64_t> within_hours; int score = 0; };
  struct Level { int min_score = 0; Priority priority = Priority::kLow; };
  std::map<ImpactScope, int> impact_;
  std::map<Tier, int> tier_;
  std::vector<UrgencyStep> urgency_;  // ascending within_hours, open-ended last
  int no_expected_time_score_ = 1;
  std::vector<Level> levels_;         // descending min_score
};

// Validates and applies a manual override: `by` and a non-blank `reason` are required.
Result<PriorityOverride> make_priority_override(Priority priority, std::string by, std::string reason, Instant at);
// The priority in force: the override when there is one, else the evaluated one.
inline Priority effective_priority(const PriorityDecision& d, const std::optional<PriorityOverride>& o) {
  return o ? o->priority : d.priority;
}

}  // namespace rapidesk
