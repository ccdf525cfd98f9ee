#include "rapidesk/shared/sla_clock.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace rapidesk {

namespace {

constexpr std::array<EnumEntry<SlaState>, 6> kStates = {{
    {SlaState::kOnTrack, "on_track", "On track", "正常"},
    {SlaState::kWarning, "warning", "At risk", "即将超时"},
    {SlaState::kBreached, "breached", "Breached", "已超时"},
    {SlaState::kPaused, "paused", "Paused", "已暂停"},
    {SlaState::kMet, "met", "Met", "已达成"},
    {SlaState::kMissed, "missed", "Missed", "未达成"},
}};

// The instant at which `budget_ms` of unpaused working time has passed since `start`;
// nullopt if an open pause begins before that point.
Result<std::optional<Instant>> reach(const WorkingCalendar& cal, Instant start, std::int64_t budget_ms,
                                     std::span<const SlaPause> pauses) {
  Instant cursor = start;
  std::int64_t remaining = budget_ms;
  for (const auto& p : pauses) {
    const Instant pause_end = p.to.value_or(INT64_MAX);
    if (pause_end <= cursor) continue;
    auto candidate = cal.add_working(cursor, remaining);
    if (!candidate) return candidate.status();
    if (p.from >= *candidate) return std::optional<Instant>(*candidate);
    if (p.from > cursor) remaining -= cal.working_ms_between(cursor, p.from);
    if (!p.to) return std::optional<Instant>();
    cursor = std::max(cursor, *p.to);
  }
  auto due = cal.add_working(cursor, remaining);
  if (!due) return due.status();
  return std::optional<Instant>(*due);
}

// Working time in [a, b) outside every pause.
std::int64_t unpaused_between(const WorkingCalendar& cal, Instant a, Instant b, std::span<const SlaPause> pauses) {
  std::int64_t total = cal.working_ms_between(a, b);
  for (const auto& p : pauses) {
    const Instant s = std::max(a, p.from);
    const Instant e = std::min(b, p.to.value_or(INT64_MAX));
    if (e > s) total -= cal.working_ms_between(s, e);
  }
  return total;
}

}  // namespace

template <> std::span<const EnumEntry<SlaState>> enum_entries<SlaState>() { return kStates; }

Status validate_pauses(std::span<const SlaPause> pauses) {
  for (size_t i = 0; i < pauses.size(); ++i) {
    const auto& p = pauses[i];
    if (p.reason.find_first_not_of(" \t") == std::string::npos) {
      return Status::invalid(Text{"An SLA pause needs a reason (e.g. waiting for the customer's reply).",
                                  "暂停 SLA 计时必须填写原因（例如等待客户回复）。"},
                             "pause_reason");
    }
    if (p.to && *p.to < p.from) {
      return Status::invalid(Text{"An SLA pause cannot end before it starts.", "SLA 暂停的结束时间不能早于开始时间。"});
    }
    if (i + 1 < pauses.size()) {
      if (!p.to) return Status::invalid(Text{"Only the last SLA pause may still be open.", "只有最后一次 SLA 暂停可以尚未结束。"});
      if (pauses[i + 1].from < *p.to) {
        return Status::invalid(Text{"SLA pauses must be in order and must not overlap.", "SLA 暂停必须按时间排列且不能重叠。"});
      }
    }
  }
  return Status::ok();
}

Result<SlaReading> read_sla_clock(const ResolvedTarget& target, Instant start, std::span<const SlaPause> pauses,
                                  std::optional<Instant> stopped_at, Instant now, double warning_share) {
  if (Status s = validate_pauses(pauses); !s) return s;
  const WorkingCalendar& cal = *target.calendar;
  SlaReading r;
  if (target.duration.working_days > 0) {
    auto end = cal.end_of_working_day_after(start, target.duration.working_days);
    if (!end) return end.status();
    r.target_ms = cal.working_ms_between(start, *end);
  } else {
    r.target_ms = target.duration.minutes * kMsPerMinute;
  }
  auto due = reach(cal, start, r.target_ms, pauses);
  if (!due) return due.status();
  r.due = *due;
  auto warn = reach(cal, start, static_cast<std::int64_t>(std::llround(r.target_ms * warning_share)), pauses);
  if (!warn) return warn.status();
  r.warn_at = *warn;

  const Instant until = stopped_at.value_or(now);
  r.used_ms = unpaused_between(cal, start, std::max(start, until), pauses);
  r.remaining_ms = r.target_ms - r.used_ms;
  if (stopped_at) {
    // Stopped while a pause is open (the customer confirmed while we waited on them) there
    // is no due time: what counts is whether the unpaused time stayed within the target.
    const bool met = r.due ? *stopped_at <= *r.due : r.used_ms <= r.target_ms;
    r.state = met ? SlaState::kMet : SlaState::kMissed;
    return r;
  }
  const bool paused_now = !pauses.empty() && pauses.back().from <= now && !pauses.back().to;
  if (r.due && now > *r.due) {
    r.state = SlaState::kBreached;
  } else if (paused_now) {
    r.state = SlaState::kPaused;
  } else if (r.warn_at && now >= *r.warn_at) {
    r.state = SlaState::kWarning;
  } else {
    r.state = SlaState::kOnTrack;
  }
  return r;
}

}  // namespace rapidesk
