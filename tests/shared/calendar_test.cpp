#include "rapidesk/shared/calendar.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace rapidesk {
namespace {

using testing::at;

WorkingCalendar nine_to_six(const std::string& zone, bool lunch, const std::string& extra = "") {
  const std::string spans = lunch ? R"(["09:00-12:00","13:00-18:00"])" : R"(["09:00-18:00"])";
  const std::string json = R"({"time_zone":")" + zone + R"(","hours":{"mon":)" + spans + R"(,"tue":)" + spans +
                           R"(,"wed":)" + spans + R"(,"thu":)" + spans + R"(,"fri":)" + spans + "}" + extra + "}";
  auto cal = WorkingCalendar::from_json(json);
  EXPECT_TRUE(cal) << cal.status().message().en;
  return cal ? *cal : WorkingCalendar::always_open();
}

struct AddCase {
  const char* name;
  const char* zone;
  bool lunch;
  const char* extra;  // holidays / make-up days
  const char* from;
  std::int64_t minutes;
  const char* expected;
};

// Names the case in test output instead of dumping its bytes.
void PrintTo(const AddCase& c, std::ostream* os) { *os << c.name; }

class AddWorkingTime : public ::testing::TestWithParam<AddCase> {};

TEST_P(AddWorkingTime, LandsWhereAPersonWouldCount) {
  const AddCase& c = GetParam();
  const auto cal = nine_to_six(c.zone, c.lunch, c.extra);
  auto due = cal.add_working_minutes(at(c.from), c.minutes);
  ASSERT_TRUE(due);
  EXPECT_EQ(format_iso8601(*due, cal.utc_offset_minutes()), format_iso8601(at(c.expected), cal.utc_offset_minutes()));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, AddWorkingTime,
    ::testing::Values(
        // The playbook case: a complaint on Friday 17:30 with a 4 working-hour target.
        AddCase{"FridayComplaintShanghai", "Asia/Shanghai", false, "", "2026-11-20T17:30:00+08:00", 240,
                "2026-11-23T12:30:00+08:00"},
        AddCase{"FridayComplaintWithLunch", "Asia/Shanghai", true, "", "2026-11-20T17:30:00+08:00", 240,
                "2026-11-23T13:30:00+08:00"},
        AddCase{"FridayComplaintUtc", "UTC", false, "", "2026-11-20T17:30:00Z", 240, "2026-11-23T12:30:00Z"},
        AddCase{"BeforeOpeningStartsAtNine", "UTC", false, "", "2026-11-23T06:00:00Z", 30, "2026-11-23T09:30:00Z"},
        AddCase{"EndsExactlyAtClosing", "UTC", false, "", "2026-11-23T17:00:00Z", 60, "2026-11-23T18:00:00Z"},
        AddCase{"ZeroIsNow", "UTC", false, "", "2026-11-22T03:00:00Z", 0, "2026-11-22T03:00:00Z"},
        AddCase{"LunchIsSkipped", "Asia/Shanghai", true, "", "2026-11-23T11:30:00+08:00", 60,
                "2026-11-23T13:30:00+08:00"},
        AddCase{"MakeUpSaturdayCounts", "Asia/Shanghai", false, R"(,"makeup_days":["2026-11-21"])",
                "2026-11-20T17:30:00+08:00", 240, "2026-11-21T12:30:00+08:00"},
        AddCase{"HolidayDoesNotCount", "Asia/Shanghai", false, R"(,"holidays":["2026-11-23"])",
                "2026-11-20T17:30:00+08:00", 240, "2026-11-24T12:30:00+08:00"},
        AddCase{"NationalDayWeekWithMakeUpDay", "Asia/Shanghai", false,
                R"(,"holidays":["2026-10-01","2026-10-02","2026-10-05","2026-10-06","2026-10-07"],"makeup_days":["2026-10-10"])",
                "2026-09-30T17:00:00+08:00", 3 * 540, "2026-10-10T17:00:00+08:00"},
        AddCase{"ShanghaiAcrossUtcMidnight", "Asia/Shanghai", false, "", "2026-11-23T07:00:00+08:00", 60,
                "2026-11-23T10:00:00+08:00"},
        AddCase{"MultiWeek", "UTC", false, "", "2026-11-23T09:00:00Z", 10 * 540, "2026-12-04T18:00:00Z"}),
    [](const auto& test_info) { return std::string(test_info.param.name); });

TEST(WorkingCalendar, WorkingTimeBetweenMatchesAddition) {
  const auto cal = nine_to_six("Asia/Shanghai", true, R"(,"holidays":["2026-11-25"],"makeup_days":["2026-11-28"])");
  const Instant start = at("2026-11-20T17:30:00+08:00");
  for (std::int64_t minutes : {1, 30, 240, 481, 1000, 5000}) {
    auto due = cal.add_working_minutes(start, minutes);
    ASSERT_TRUE(due);
    EXPECT_EQ(cal.working_ms_between(start, *due), minutes * kMsPerMinute) << minutes;
  }
  EXPECT_EQ(cal.working_ms_between(at("2026-11-23T12:30:00+08:00"), at("2026-11-23T12:45:00+08:00")), 0);
  EXPECT_EQ(cal.working_ms_between(at("2026-11-23T18:00:00+08:00"), at("2026-11-23T09:00:00+08:00")), 0);
}

TEST(WorkingCalendar, EndOfWorkingDayAfterSkipsWeekendAndHoliday) {
  const auto cal = nine_to_six("Asia/Shanghai", false, R"(,"holidays":["2026-11-23"])");
  auto due = cal.end_of_working_day_after(at("2026-11-20T15:00:00+08:00"), 1);
  ASSERT_TRUE(due);
  EXPECT_EQ(*due, at("2026-11-24T18:00:00+08:00"));
}

// Spans of years are counted by weeks (a request contacted in year 1 must not cost a
// loop over 740k days); the figure is the same as adding up the span a week at a time.
TEST(WorkingCalendar, LongSpansCountWhatTheDaysAddUpTo) {
  const auto cal = nine_to_six("Asia/Shanghai", true,
                               R"(,"holidays":["2026-10-01","2026-10-02","2026-10-05","2027-02-17","2026-11-29"],)"
                               R"("makeup_days":["2026-09-27","2026-10-10","2026-11-28"])");
  for (const auto& [from, to] : std::vector<std::pair<const char*, const char*>>{
           {"2026-09-20T10:17:00+08:00", "2027-03-03T16:41:00+08:00"},
           {"2026-09-27T12:30:00+08:00", "2026-10-31T09:00:00+08:00"},
           {"2026-10-05T00:00:00+08:00", "2026-11-28T23:59:00+08:00"},
           {"2024-01-01T00:00:00Z", "2029-12-31T23:00:00Z"}}) {
    const Instant a = at(from), b = at(to);
    std::int64_t by_weeks = 0;
    for (Instant t = a; t < b; t += 7 * kMsPerDay) by_weeks += cal.working_ms_between(t, std::min(b, t + 7 * kMsPerDay));
    EXPECT_EQ(cal.working_ms_between(a, b), by_weeks) << from << " .. " << to;
  }
  // Year 1 to now answers at once, with the hours of the weekdays between.
  const Instant now = at("2026-11-23T00:00:00Z");
  const std::int64_t years = cal.working_ms_between(now - 2025LL * 365 * kMsPerDay, now);
  EXPECT_GT(years, 2025LL * 50 * 5 * 8 * kMsPerHour);
  EXPECT_LT(years, 2025LL * 53 * 5 * 8 * kMsPerHour);
}

TEST(WorkingCalendar, AlwaysOpenCountsEveryMinute) {
  const auto cal = WorkingCalendar::always_open(480);
  const Instant t = at("2026-11-21T23:50:00+08:00");  // a Saturday night
  EXPECT_EQ(*cal.add_working_minutes(t, 30), at("2026-11-22T00:20:00+08:00"));
  EXPECT_EQ(cal.working_ms_between(t, t + kMsPerDay), kMsPerDay);
}

TEST(WorkingCalendar, NextWorkingInstant) {
  const auto cal = nine_to_six("UTC", true);
  EXPECT_EQ(*cal.next_working_instant(at("2026-11-21T10:00:00Z")), at("2026-11-23T09:00:00Z"));
  EXPECT_EQ(*cal.next_working_instant(at("2026-11-23T12:15:00Z")), at("2026-11-23T13:00:00Z"));
  EXPECT_EQ(*cal.next_working_instant(at("2026-11-23T10:15:00Z")), at("2026-11-23T10:15:00Z"));
}

TEST(WorkingCalendar, RejectsBrokenConfigurationWithReasons) {
  struct Bad { const char* json; const char* says; };
  const Bad cases[] = {
      {R"({"time_zone":"Europe/Berlin","hours":{"mon":["09:00-18:00"]}})", "time zone"},
      {R"({"hours":{"mon":["18:00-09:00"]}})", "bad span"},
      {R"({"hours":{"mon":["09:00-13:00","12:00-18:00"]}})", "overlap"},
      {R"({"hours":{"funday":["09:00-18:00"]}})", "weekday"},
      {R"({"hours":{"mon":["09:00-18:00"]},"holidays":["2026-10-10"],"makeup_days":["2026-10-10"]})", "both"},
      {R"({"hours":{"mon":["09:00-18:00"]},"holidays":["10/10/2026"]})", "YYYY-MM-DD"},
      {R"({"hours":{}})", "no working hours"},
      {"not json", "JSON"},
  };
  for (const auto& c : cases) {
    auto cal = WorkingCalendar::from_json(c.json);
    ASSERT_FALSE(cal) << c.json;
    EXPECT_NE(cal.status().message().en.find(c.says), std::string::npos) << cal.status().message().en;
    EXPECT_NE(cal.status().message().zh.find("工作日历"), std::string::npos);
  }
}

}  // namespace
}  // namespace rapidesk
