// The review summary of DESIGN.md step 7: volume by a grouping, SLA kept, first-response
// and resolution times (median and p90, in working and in calendar time), satisfaction,
// reopen rate, backlog at period end, and the previous period for comparison.
#pragma once

#include <array>
#include <map>
#include <span>
#include <optional>
#include <string>
#include <vector>

#include "rapidesk/reports/statistics.h"
#include "rapidesk/shared/calendar.h"
#include "rapidesk/shared/enums.h"
#include "rapidesk/shared/sla_policy.h"
#include "rapidesk/sla/request_clocks.h"

namespace rapidesk::reports {

// One request as the reviews see it. Times unset = has not happened.
struct ReportRecord {
  std::string id;
  std::string number;
  Category category = Category::kOther;
  Priority priority = Priority::kMedium;
  Channel channel = Channel::kOther;
  Tier tier = Tier::kRegular;
  std::string team;
  std::string owner;
  RequestStatus status = RequestStatus::kNew;
  Instant contacted_at = 0;
  std::optional<Instant> first_response_at;
  std::optional<Instant> resolved_at;
  std::optional<Instant> closed_at;
  std::vector<Instant> reopened_at;
  std::optional<int> satisfaction;
  std::vector<sla::Clock> clocks;  // finished clocks carry their outcome
};

enum class Grouping { kCategory, kPriority, kChannel, kTeam, kOwner, kCustomerTier };
struct Period {
  Instant from = 0;  // inclusive
  Instant to = 0;    // exclusive
};

struct TargetFigures {
  int met_original = 0;
  int met_reagreed = 0;
  int missed = 0;
  // Share met (original or re-agreed) of those decided, 0..100; unset when none decided.
  std::optional<double> met_percent() const;
};

struct GroupFigures {
  int opened = 0;     // contacted within the period
  int resolved = 0;   // resolved within the period
  int closed = 0;
  int reopened = 0;   // reopen events within the period
  int backlog_at_end = 0;  // contacted before the end, not resolved or closed by then since reopened
  Distribution first_response_working_ms;
  Distribution first_response_calendar_ms;
  Distribution resolution_working_ms;
  Distribution resolution_calendar_ms;
  std::map<SlaTarget, TargetFigures> sla;  // by the clock's stop time in the period
  std::optional<double> satisfaction_mean;
  std::array<int, 5> satisfaction_counts{};  // index 0 = score 1
  // Reopen events in the period / requests resolved in the period, 0..100.
  std::optional<double> reopen_rate_percent;
};

struct Summary {
  Period period;
  Grouping grouping = Grouping::kCategory;
  GroupFigures total;
  std::map<std::string, GroupFigures> groups;  // group key = wire name, team code or owner
  GroupFigures previous_total;                  // the period of equal length just before
};

// `calendar` measures working-time durations (the business calendar of the policy).
Summary summarize(const std::vector<ReportRecord>& records, Period period, Grouping grouping,
                  const WorkingCalendar& calendar);
// The same over records held elsewhere (the server's report rows): nothing is copied.
// REQUIRES: no null pointer.
Summary summarize(std::span<const ReportRecord* const> records, Period period, Grouping grouping,
                  const WorkingCalendar& calendar);

std::string group_key(const ReportRecord& r, Grouping g);

}  // namespace rapidesk::reports

namespace rapidesk {
template <> std::span<const EnumEntry<reports::Grouping>> enum_entries<reports::Grouping>();
}
