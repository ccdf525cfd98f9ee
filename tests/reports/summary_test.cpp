// A fixed week of requests with every figure computed by hand (see the comments).
#include "rapidesk/reports/summary.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace rapidesk::reports {
namespace {

using rapidesk::testing::at;

constexpr std::int64_t kMin = kMsPerMinute;
constexpr std::int64_t kHour = kMsPerHour;

sla::Clock finished(SlaTarget t, sla::Outcome o) {
  sla::Clock c;
  c.target = t;
  c.outcome = o;
  return c;
}

// Business hours 09-12 and 13-18, Wednesday 2026-11-25 a holiday.
WorkingCalendar calendar() {
  return *WorkingCalendar::from_json(R"({"time_zone":"Asia/Shanghai","hours":{
      "mon":["09:00-12:00","13:00-18:00"],"tue":["09:00-12:00","13:00-18:00"],"wed":["09:00-12:00","13:00-18:00"],
      "thu":["09:00-12:00","13:00-18:00"],"fri":["09:00-12:00","13:00-18:00"]},"holidays":["2026-11-25"]})");
}

std::vector<ReportRecord> week() {
  std::vector<ReportRecord> rs(5);
  // A: first response 20 min; resolved Mon 15:00 = 5 working h (9-12, 13-15), 6 calendar h.
  rs[0] = {"a", "", Category::kComplaint, Priority::kUrgent, Channel::kPhone, Tier::kVip, "SVC", "wang",
           RequestStatus::kResolved, at("2026-11-23T09:00:00+08:00"), at("2026-11-23T09:20:00+08:00"),
           at("2026-11-23T15:00:00+08:00"), std::nullopt, {}, 5,
           {finished(SlaTarget::kFirstResponse, sla::Outcome::kMetOriginal)}};
  // B: contacted Tue 17:00; response Thu 10:00 across the Wednesday holiday = 2 working h, 41 calendar h;
  // resolved Thu 16:00 = 7 working h (Tue 1, Thu 3 + 3), 47 calendar h; reopened Friday.
  rs[1] = {"b", "", Category::kComplaint, Priority::kHigh, Channel::kVisit, Tier::kRegular, "SVC", "li",
           RequestStatus::kReopened, at("2026-11-24T17:00:00+08:00"), at("2026-11-26T10:00:00+08:00"),
           at("2026-11-26T16:00:00+08:00"), std::nullopt, {at("2026-11-27T10:00:00+08:00")}, 3,
           {finished(SlaTarget::kFirstResponse, sla::Outcome::kMissed)}};
  // C: response 1 h, still open at the end of the week (backlog).
  rs[2] = {"c", "", Category::kTechSupport, Priority::kMedium, Channel::kEmail, Tier::kNew, "TECH", "zhao",
           RequestStatus::kInProgress, at("2026-11-23T10:00:00+08:00"), at("2026-11-23T11:00:00+08:00"),
           std::nullopt, std::nullopt, {}, std::nullopt, {}};
  // D: response 30 min; resolved Fri 09:30 = 8.5 working h, 24.5 calendar h.
  rs[3] = {"d", "", Category::kConsultation, Priority::kLow, Channel::kChat, Tier::kRegular, "SVC", "wang",
           RequestStatus::kResolved, at("2026-11-26T09:00:00+08:00"), at("2026-11-26T09:30:00+08:00"),
           at("2026-11-27T09:30:00+08:00"), std::nullopt, {}, 4,
           {finished(SlaTarget::kFirstResponse, sla::Outcome::kMetReagreed)}};
  // E: from the week before (Fri 10:00, response 11:00), resolved Mon 10:00 = 8 working h, 72 calendar h.
  rs[4] = {"e", "", Category::kService, Priority::kMedium, Channel::kPhone, Tier::kRegular, "SVC", "li",
           RequestStatus::kResolved, at("2026-11-20T10:00:00+08:00"), at("2026-11-20T11:00:00+08:00"),
           at("2026-11-23T10:00:00+08:00"), std::nullopt, {}, std::nullopt,
           {finished(SlaTarget::kFirstResponse, sla::Outcome::kMetOriginal)}};
  return rs;
}

const Period kWeek{at("2026-11-23T00:00:00+08:00"), at("2026-11-30T00:00:00+08:00")};

TEST(Summary, HandComputedWeek) {
  const auto s = summarize(week(), kWeek, Grouping::kCategory, calendar());
  const auto& t = s.total;
  EXPECT_EQ(t.opened, 4);
  EXPECT_EQ(t.resolved, 4);
  EXPECT_EQ(t.reopened, 1);
  EXPECT_EQ(t.backlog_at_end, 2) << "C, and B reopened Friday";
  // First response, working: 20m, 30m, 1h, 2h -> nearest-rank median (rank 2) 30m, p90 (rank 4) 2h.
  EXPECT_EQ(t.first_response_working_ms.median, 30 * kMin);
  EXPECT_EQ(t.first_response_working_ms.p90, 2 * kHour);
  EXPECT_EQ(t.first_response_calendar_ms.p90, 41 * kHour);
  // Resolution, working: 5h, 7h, 8h, 8.5h; calendar: 6h, 24.5h, 47h, 72h.
  EXPECT_EQ(t.resolution_working_ms.median, 7 * kHour);
  EXPECT_EQ(t.resolution_working_ms.p90, 8 * kHour + 30 * kMin);
  EXPECT_EQ(t.resolution_calendar_ms.median, 24 * kHour + 30 * kMin);
  EXPECT_EQ(t.resolution_calendar_ms.p90, 72 * kHour);
  // SLA: met original A and E, met re-agreed D, missed B -> 75 %.
  const auto& fr = t.sla.at(SlaTarget::kFirstResponse);
  EXPECT_EQ(fr.met_original, 2);
  EXPECT_EQ(fr.met_reagreed, 1);
  EXPECT_EQ(fr.missed, 1);
  EXPECT_DOUBLE_EQ(*fr.met_percent(), 75.0);
  EXPECT_DOUBLE_EQ(*t.satisfaction_mean, 4.0);
  EXPECT_EQ(t.satisfaction_counts, (std::array<int, 5>{0, 0, 1, 1, 1}));
  EXPECT_DOUBLE_EQ(*t.reopen_rate_percent, 25.0);
}

TEST(Summary, GroupsAndPreviousPeriod) {
  const auto s = summarize(week(), kWeek, Grouping::kCategory, calendar());
  ASSERT_EQ(s.groups.size(), 4u);
  EXPECT_EQ(s.groups.at("complaint").opened, 2);
  EXPECT_EQ(s.groups.at("complaint").resolved, 2);
  EXPECT_EQ(s.groups.at("service").opened, 0);
  EXPECT_EQ(s.groups.at("service").resolved, 1);
  EXPECT_EQ(s.groups.at("tech_support").backlog_at_end, 1);
  // The week before: E opened, answered in 1 h, still open at the end.
  EXPECT_EQ(s.previous_total.opened, 1);
  EXPECT_EQ(s.previous_total.resolved, 0);
  EXPECT_EQ(s.previous_total.backlog_at_end, 1);
  EXPECT_EQ(s.previous_total.first_response_working_ms.median, kHour);
  const auto by_owner = summarize(week(), kWeek, Grouping::kOwner, calendar());
  EXPECT_EQ(by_owner.groups.at("wang").resolved, 2);
}

TEST(Summary, ARequestClosedWithoutAResolutionLeavesTheBacklog) {
  std::vector<ReportRecord> rs = week();
  rs.resize(3);  // A, B, C
  // C was a duplicate, closed from "new" on Wednesday: it never had a resolution.
  rs[2].status = RequestStatus::kClosed;
  rs[2].closed_at = at("2026-11-25T10:00:00+08:00");
  EXPECT_EQ(summarize(rs, kWeek, Grouping::kCategory, calendar()).total.backlog_at_end, 1) << "only B, reopened";
  // A contact time typed after the answer counts as no wait, not a negative one.
  std::vector<ReportRecord> odd = {rs[0]};
  odd[0].contacted_at = at("2026-11-23T16:00:00+08:00");
  const auto o = summarize(odd, kWeek, Grouping::kCategory, calendar()).total;
  EXPECT_EQ(o.first_response_calendar_ms.median, 0);
  EXPECT_EQ(o.resolution_calendar_ms.median, 0);
  // Closed after the period: still open at its end.
  rs[2].closed_at = at("2026-12-01T10:00:00+08:00");
  EXPECT_EQ(summarize(rs, kWeek, Grouping::kCategory, calendar()).total.backlog_at_end, 2);
  // B resolved again after its reopening, within the week: finished.
  rs[1].resolved_at = at("2026-11-27T15:00:00+08:00");
  EXPECT_EQ(summarize(rs, kWeek, Grouping::kCategory, calendar()).total.backlog_at_end, 1);
}

TEST(Statistics, NearestRank) {
  std::vector<std::int64_t> v = {5, 1, 4, 2, 3};
  EXPECT_EQ(nearest_rank(v, 0.5), 3);
  EXPECT_EQ(nearest_rank(v, 0.9), 5);
  EXPECT_EQ(nearest_rank(v, 0.2), 1);
  std::vector<std::int64_t> none;
  EXPECT_FALSE(nearest_rank(none, 0.5));
  EXPECT_FALSE(describe({}).median);
}

}  // namespace
}  // namespace rapidesk::reports
