// Working calendars: working hours per weekday, holidays, make-up working days (weekend
// days that are worked) and a fixed UTC offset. SLA targets are measured in working time on
// a calendar, so the client can show the same countdown offline as the server computes.
//
// Time zones are fixed offsets: Rapidesk's zones (Asia/Shanghai, UTC, ...) have no daylight
// saving time. A calendar and all its arithmetic are immutable and thread-safe once built.
#pragma once

#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "rapidesk/shared/status.h"
#include "rapidesk/shared/time.h"

namespace rapidesk {

// A working period within one local day, in minutes since local midnight: [start, end).
struct WorkingSpan {
  int start_minute = 0;
  int end_minute = 0;
  bool operator==(const WorkingSpan&) const = default;
};

class WorkingCalendar {
 public:
  // Open around the clock, every day (used for urgent targets).
  static WorkingCalendar always_open(int utc_offset_minutes = 0);
  // Monday to Friday with the given spans, no holidays.
  static WorkingCalendar weekdays(std::vector<WorkingSpan> spans, int utc_offset_minutes);

  // Parses the JSON form used in assets/sla_policy.json:
  //   {"time_zone": "Asia/Shanghai", "always_open": false,
  //    "hours": {"mon": ["09:00-12:00", "13:00-18:00"], ...},
  //    "holidays": ["2026-10-01", ...], "makeup_days": ["2026-10-10"],
  //    "makeup_hours": ["09:00-18:00"]}           (default: Monday's hours)
  // A date may not be both holiday and make-up day; spans must be ordered and disjoint.
  static Result<WorkingCalendar> from_json(std::string_view json_text);

  int utc_offset_minutes() const { return utc_offset_minutes_; }
  bool is_always_open() const { return always_open_; }

  // Working spans of the local day `days` (days since epoch in this calendar's zone).
  const std::vector<WorkingSpan>& spans_on(std::int64_t days) const;
  bool is_working_day(std::int64_t days) const { return !spans_on(days).empty(); }
  // Local day of an instant in this calendar's zone.
  std::int64_t local_day(Instant t) const;

  // The instant reached after `working_ms` of working time from `from`. Adding 0 returns
  // `from`; a result that falls exactly on the end of a span stays there (e.g. 18:00).
  // Fails (kInvalid) only if the calendar has no working time in the next 10 years.
  Result<Instant> add_working(Instant from, std::int64_t working_ms) const;
  Result<Instant> add_working_minutes(Instant from, std::int64_t minutes) const {
    return add_working(from, minutes * kMsPerMinute);
  }
  // End of the working day that is `n` working days after the day of `from` (n >= 1),
  // e.g. "within 1 working day" from Friday 15:00 is Monday's closing time.
  Result<Instant> end_of_working_day_after(Instant from, int n) const;
  // Working time in [a, b); zero when b <= a.
  std::int64_t working_ms_between(Instant a, Instant b) const;
  // The first instant >= t that is inside working time (t itself if it already is).
  Result<Instant> next_working_instant(Instant t) const;

 private:
  int utc_offset_minutes_ = 0;
  bool always_open_ = false;
  std::array<std::vector<WorkingSpan>, 7> weekly_;  // index 0 = Monday
  std::set<std::int64_t> holidays_;                 // local days
  std::set<std::int64_t> makeup_days_;
  std::vector<WorkingSpan> makeup_spans_;
};

// "09:00-18:00" -> span; nullopt when malformed or empty.
std::optional<WorkingSpan> parse_working_span(std::string_view text);

}  // namespace rapidesk
