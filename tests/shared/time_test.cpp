#include "rapidesk/shared/time.h"

#include <gtest/gtest.h>

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
