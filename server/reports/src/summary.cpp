#include "rapidesk/reports/summary.h"

#include <algorithm>
#include <array>

namespace rapidesk {
namespace {
constexpr std::array<EnumEntry<reports::Grouping>, 6> kGroupings = {{
    {reports::Grouping::kCategory, "category", "Category", "类别"},
    {reports::Grouping::kPriority, "priority", "Priority", "优先级"},
    {reports::Grouping::kChannel, "channel", "Channel", "渠道"},
    {reports::Grouping::kTeam, "team", "Team", "团队"},
    {reports::Grouping::kOwner, "owner", "Owner", "负责人"},
    {reports::Grouping::kCustomerTier, "customer_tier", "Customer tier", "客户等级"},
}};
}  // namespace
template <> std::span<const EnumEntry<reports::Grouping>> enum_entries<reports::Grouping>() { return kGroupings; }

namespace reports {

namespace {

bool in(Period p, Instant t) { return t >= p.from && t < p.to; }

// Still open at `end`: contacted before it, and neither resolved nor closed (a duplicate
// closed from new, say) before it since its last reopening before it. A record keeps only
// its latest resolution and close, so one reopened after `end` may count as open then.
bool open_at(const ReportRecord& r, Instant end) {
  if (r.contacted_at >= end) return false;
  std::optional<Instant> reopened;
  for (Instant t : r.reopened_at) {
    if (t < end) reopened = std::max(reopened.value_or(t), t);
  }
  auto finished = [&](const std::optional<Instant>& at) { return at && *at < end && (!reopened || *at >= *reopened); };
  return !finished(r.resolved_at) && !finished(r.closed_at);
}

// Accumulates one group's raw samples; finish() turns them into figures.
struct Accumulator {
  GroupFigures f;
  std::vector<std::int64_t> fr_work, fr_cal, res_work, res_cal;
  long satisfaction_sum = 0;
  int satisfaction_n = 0;

  // `count_clocks`: whether the request's finished clocks belong to this period.
  void add(const ReportRecord& r, Period p, const WorkingCalendar& cal, bool count_clocks) {
    if (in(p, r.contacted_at)) ++f.opened;
    if (r.closed_at && in(p, *r.closed_at)) ++f.closed;
    for (Instant t : r.reopened_at) f.reopened += in(p, t);
    if (open_at(r, p.to)) ++f.backlog_at_end;
    if (r.first_response_at && in(p, *r.first_response_at)) {
      // A contact time typed after the answer (a device's wrong date) counts as no wait, as
      // working time does, rather than a negative one pulling the median down.
      fr_cal.push_back(std::max<std::int64_t>(0, *r.first_response_at - r.contacted_at));
      fr_work.push_back(cal.working_ms_between(r.contacted_at, *r.first_response_at));
    }
    if (r.resolved_at && in(p, *r.resolved_at)) {
      ++f.resolved;
      res_cal.push_back(std::max<std::int64_t>(0, *r.resolved_at - r.contacted_at));
      res_work.push_back(cal.working_ms_between(r.contacted_at, *r.resolved_at));
      if (r.satisfaction && *r.satisfaction >= 1 && *r.satisfaction <= 5) {
        ++f.satisfaction_counts[*r.satisfaction - 1];
        satisfaction_sum += *r.satisfaction;
        ++satisfaction_n;
      }
    }
    if (!count_clocks) return;
    for (const auto& c : r.clocks) {
      if (c.outcome == sla::Outcome::kRunning) continue;
      auto& t = f.sla[c.target];
      if (c.outcome == sla::Outcome::kMetOriginal) ++t.met_original;
      else if (c.outcome == sla::Outcome::kMetReagreed) ++t.met_reagreed;
      else ++t.missed;
    }
  }

  GroupFigures finish() {
    f.first_response_working_ms = describe(std::move(fr_work));
    f.first_response_calendar_ms = describe(std::move(fr_cal));
    f.resolution_working_ms = describe(std::move(res_work));
    f.resolution_calendar_ms = describe(std::move(res_cal));
    if (satisfaction_n) f.satisfaction_mean = static_cast<double>(satisfaction_sum) / satisfaction_n;
    if (f.resolved) f.reopen_rate_percent = 100.0 * f.reopened / f.resolved;
    return f;
  }
};

// A request's finished clocks count once: in the period it was resolved in, else contacted in.
bool clocks_belong(const ReportRecord& r, Period p) {
  return r.resolved_at ? in(p, *r.resolved_at) : in(p, r.contacted_at);
}

GroupFigures total_for(std::span<const ReportRecord* const> records, Period p, const WorkingCalendar& cal) {
  Accumulator acc;
  for (const ReportRecord* r : records) acc.add(*r, p, cal, clocks_belong(*r, p));
  return acc.finish();
}

}  // namespace

std::optional<double> TargetFigures::met_percent() const {
  const int decided = met_original + met_reagreed + missed;
  if (!decided) return std::nullopt;
  return 100.0 * (met_original + met_reagreed) / decided;
}

std::string group_key(const ReportRecord& r, Grouping g) {
  switch (g) {
    case Grouping::kCategory: return std::string(to_wire(r.category));
    case Grouping::kPriority: return std::string(to_wire(r.priority));
    case Grouping::kChannel: return std::string(to_wire(r.channel));
    case Grouping::kTeam: return r.team;
    case Grouping::kOwner: return r.owner;
    case Grouping::kCustomerTier: return std::string(to_wire(r.tier));
  }
  return {};
}

Summary summarize(const std::vector<ReportRecord>& records, Period period, Grouping grouping,
                  const WorkingCalendar& calendar) {
  std::vector<const ReportRecord*> pointers;
  pointers.reserve(records.size());
  for (const auto& r : records) pointers.push_back(&r);
  return summarize(pointers, period, grouping, calendar);
}

Summary summarize(std::span<const ReportRecord* const> records, Period period, Grouping grouping,
                  const WorkingCalendar& calendar) {
  Summary s;
  s.period = period;
  s.grouping = grouping;
  std::map<std::string, Accumulator> groups;
  Accumulator total;
  for (const ReportRecord* r : records) {
    const bool count_clocks = clocks_belong(*r, period);
    total.add(*r, period, calendar, count_clocks);
    groups[group_key(*r, grouping)].add(*r, period, calendar, count_clocks);
  }
  s.total = total.finish();
  for (auto& [key, acc] : groups) {
    GroupFigures g = acc.finish();
    if (g.opened || g.resolved || g.closed || g.reopened || g.backlog_at_end) s.groups.emplace(key, std::move(g));
  }
  const Instant length = period.to - period.from;
  s.previous_total = total_for(records, Period{period.from - length, period.from}, calendar);
  return s;
}

}  // namespace reports
}  // namespace rapidesk
