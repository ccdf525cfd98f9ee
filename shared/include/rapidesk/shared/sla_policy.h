// SLA policy: which target applies to a request (by kind, category and priority), how long
// it is, and on which working calendar it is measured. Loaded from assets/sla_policy.json;
// the defaults there are the playbook's (first response urgent 30 min, high 2 h, ...).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rapidesk/shared/calendar.h"
#include "rapidesk/shared/enums.h"
#include "rapidesk/shared/status.h"

namespace rapidesk {

// The clocks Rapidesk runs for a request.
enum class SlaTarget {
  kIntake,           // recorded within N of the customer contact
  kTriage,           // classified and prioritised
  kAssignment,       // owner assigned
  kFirstResponse,    // first answer to the customer
  kPlan,             // a handling plan (complaints)
  kProgressCadence,  // interval between progress updates
  kResolution,       // resolved
  kConfirmation,     // result sent to the customer after completion
  kFollowUp,         // follow-up after resolution
};
template <> std::span<const EnumEntry<SlaTarget>> enum_entries<SlaTarget>();

// How long a target is: working minutes, or "by the end of the Nth working day".
struct SlaDuration {
  std::int64_t minutes = 0;  // used when working_days == 0
  int working_days = 0;
  bool operator==(const SlaDuration&) const = default;
};

// One row of the policy table. Unset category/priority match any; the most specific
// matching row wins (category and priority > category > priority > neither).
struct SlaRule {
  SlaTarget target = SlaTarget::kFirstResponse;
  std::optional<Category> category;
  std::optional<Priority> priority;
  SlaDuration duration;
  std::string calendar;  // a key of SlaPolicy::calendars
};

struct ResolvedTarget {
  SlaDuration duration;
  const WorkingCalendar* calendar = nullptr;  // owned by the policy
  std::string calendar_name;
};

class SlaPolicy {
 public:
  // Parses the JSON of assets/sla_policy.json. Every rule must name a defined calendar.
  static Result<SlaPolicy> from_json(std::string_view json_text);

  // The rule for `target` on a request of this category and priority, or nullopt when the
  // policy sets none (that clock does not run).
  std::optional<ResolvedTarget> find(SlaTarget target, Category category, Priority priority) const;
  const WorkingCalendar* calendar(const std::string& name) const;
  // Share of a target after which a warning fires (default 0.75).
  double warning_share() const { return warning_share_; }
  const std::vector<SlaRule>& rules() const { return rules_; }

 private:
  std::map<std::string, WorkingCalendar> calendars_;
  std::vector<SlaRule> rules_;
  double warning_share_ = 0.75;
};

}  // namespace rapidesk
