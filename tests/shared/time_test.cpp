#include "rapidesk/shared/time.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>

namespace rapidesk {
namespace {

TEST(Time, ParsesOffsetsAndRoundTrips) {
  auto t = parse_iso8601("2026-11-20T17:30:00+08:00");
  ASSERT_TRUE(t);
  EXPECT_EQ(format_iso8601(*t, 480), "2026-11-20T17:30:00.000+08:00");
  EXPECT_EQ(format_iso8601(*t), "2026-11-20T09:30:00.000Z");
  auto z = parse_iso8601("2026-11-20T09:30:00.250Z");
  ASSERT_TRUE(z);
  EXPECT_EQ(*z - *t, 250);
}

// The reference forms: what printf writes for the same fields.
std::string printf_date(CivilDate d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

TEST(Time, FormatsEveryInstantAsPrintfWould) {
  std::mt19937_64 rng(20261205);
  const std::int64_t span = days_from_civil({9999, 12, 31}) * kMsPerDay;
  for (int i = 0; i < 20000; ++i) {
    const Instant t = kMsPerDay + static_cast<Instant>(rng() % static_cast<std::uint64_t>(span));
    const int offset = static_cast<int>(rng() % (2 * 14 * 60 + 1)) - 14 * 60;
    const Instant local = t + offset * kMsPerMinute;
    const CivilDate d = civil_from_days(local / kMsPerDay);
    const std::int64_t rem = local % kMsPerDay;
    char clock[32];
    std::snprintf(clock, sizeof clock, "T%02d:%02d:%02d.%03d", static_cast<int>(rem / kMsPerHour),
                  static_cast<int>(rem % kMsPerHour / kMsPerMinute), static_cast<int>(rem % kMsPerMinute / 1000),
                  static_cast<int>(rem % 1000));
    std::string want = printf_date(d) + clock;
    if (offset == 0) {
      want += 'Z';
    } else {
      const int off = offset < 0 ? -offset : offset;
      char zone[16];
      std::snprintf(zone, sizeof zone, "%c%02d:%02d", offset < 0 ? '-' : '+', off / 60, off % 60);
      want += zone;
    }
    ASSERT_EQ(format_iso8601(t, offset), want) << t << " " << offset;
    ASSERT_EQ(format_date(d), printf_date(d));
  }
  // Fields past their usual widths keep printf's form.
  EXPECT_EQ(format_date({12026, 1, 2}), "12026-01-02");
  EXPECT_EQ(format_date({-1, 1, 2}), printf_date({-1, 1, 2}));
  EXPECT_EQ(format_date({2026, 100, 1}), printf_date({2026, 100, 1}));
  EXPECT_EQ(format_date({2026, -1, 1}), printf_date({2026, -1, 1}));
}

TEST(Time, RejectsTimesWithoutOffsetWithLocalisedMessage) {
  auto t = parse_iso8601("2026-11-20 17:30");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.status().code(), ErrorCode::kInvalid);
  EXPECT_NE(t.status().message().en.find("offset"), std::string::npos);
  EXPECT_NE(t.status().message().zh.find("时区"), std::string::npos);
  EXPECT_FALSE(parse_iso8601("2026-02-30T10:00:00Z"));
  EXPECT_FALSE(parse_iso8601("2026-11-20T24:00:00Z"));
  EXPECT_FALSE(parse_iso8601(""));
}

TEST(Time, CivilDaysAndWeekdays) {
  const auto d = days_from_civil({2026, 11, 23});
  EXPECT_EQ(weekday_index(d), 0);  // Monday
  EXPECT_EQ(civil_from_days(d), (CivilDate{2026, 11, 23}));
  EXPECT_EQ(weekday_index(days_from_civil({1969, 12, 31})), 2);  // Wednesday, before the epoch
  EXPECT_EQ(format_date(*parse_date("2024-02-29")), "2024-02-29");
  EXPECT_FALSE(parse_date("2025-02-29"));
}

}  // namespace
}  // namespace rapidesk
