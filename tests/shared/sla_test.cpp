#include "rapidesk/shared/sla_clock.h"
#include "rapidesk/shared/sla_policy.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace rapidesk {
namespace {

using testing::at;

SlaPolicy default_policy() {
  auto p = SlaPolicy::from_json(testing::read_asset("sla_policy.json"));
  EXPECT_TRUE(p) << p.status().message().en;
  return *p;
}

TEST(SlaPolicy, DefaultsAreThePlaybookTargets) {
  const auto policy = default_policy();
  EXPECT_DOUBLE_EQ(policy.warning_share(), 0.75);
  struct Expect { SlaTarget t; Category c; Priority p; std::int64_t minutes; int days; const char* cal; };
  const Expect cases[] = {
      {SlaTarget::kFirstResponse, Category::kService, Priority::kUrgent, 30, 0, "24x7"},
      {SlaTarget::kFirstResponse, Category::kService, Priority::kHigh, 120, 0, "business"},
      {SlaTarget::kFirstResponse, Category::kConsultation, Priority::kMedium, 480, 0, "business"},
      {SlaTarget::kFirstResponse, Category::kFeature, Priority::kLow, 1440, 0, "business"},
      {SlaTarget::kPlan, Category::kComplaint, Priority::kMedium, 240, 0, "business"},
      {SlaTarget::kResolution, Category::kComplaint, Priority::kLow, 2880, 0, "24x7"},
      {SlaTarget::kResolution, Category::kTechSupport, Priority::kUrgent, 120, 0, "24x7"},
      {SlaTarget::kResolution, Category::kTechSupport, Priority::kMedium, 480, 0, "business"},
      {SlaTarget::kResolution, Category::kSuggestion, Priority::kLow, 0, 15, "business"},
      {SlaTarget::kProgressCadence, Category::kService, Priority::kUrgent, 120, 0, "24x7"},
      {SlaTarget::kProgressCadence, Category::kService, Priority::kLow, 1440, 0, "24x7"},
      {SlaTarget::kIntake, Category::kService, Priority::kMedium, 30, 0, "business"},
      {SlaTarget::kTriage, Category::kService, Priority::kMedium, 60, 0, "business"},
      {SlaTarget::kAssignment, Category::kService, Priority::kMedium, 30, 0, "business"},
      {SlaTarget::kConfirmation, Category::kService, Priority::kMedium, 120, 0, "business"},
      {SlaTarget::kFollowUp, Category::kService, Priority::kMedium, 0, 1, "business"},
  };
  for (const auto& e : cases) {
    auto found = policy.find(e.t, e.c, e.p);
    ASSERT_TRUE(found) << to_wire(e.t);
    EXPECT_EQ(found->duration.minutes, e.minutes) << to_wire(e.t) << " " << to_wire(e.c) << " " << to_wire(e.p);
    EXPECT_EQ(found->duration.working_days, e.days) << to_wire(e.t);
    EXPECT_EQ(found->calendar_name, e.cal) << to_wire(e.t);
  }
  EXPECT_FALSE(policy.find(SlaTarget::kPlan, Category::kService, Priority::kLow));  // plans are for complaints
}

TEST(SlaPolicy, RejectsRulesThatCannotWork) {
  const char* cal = R"("calendars":{"b":{"hours":{"mon":["09:00-18:00"]}}})";
  EXPECT_FALSE(SlaPolicy::from_json(std::string("{") + cal + R"(,"rules":[{"target":"nope","minutes":5,"calendar":"b"}]})"));
  EXPECT_FALSE(SlaPolicy::from_json(std::string("{") + cal + R"(,"rules":[{"target":"plan","minutes":5,"calendar":"x"}]})"));
  EXPECT_FALSE(SlaPolicy::from_json(std::string("{") + cal + R"(,"rules":[{"target":"plan","calendar":"b"}]})"));
  EXPECT_FALSE(SlaPolicy::from_json(std::string("{") + cal + R"(,"rules":[{"target":"plan","minutes":-5,"calendar":"b"}]})"));
  EXPECT_FALSE(SlaPolicy::from_json(std::string("{") + cal + R"(,"warning_share":1.5,"rules":[]})"));
  auto bad_category = SlaPolicy::from_json(std::string("{") + cal + R"(,"rules":[{"target":"plan","category":"gripe","minutes":5,"calendar":"b"}]})");
  ASSERT_FALSE(bad_category);
  EXPECT_NE(bad_category.status().message().en.find("complaint"), std::string::npos);  // lists the allowed values
  // Values of the wrong type are errors too. They used to throw out of from_json: a PUT
  // answered 500, and a hand-edited file ended the server at its next reload.
  for (const std::string& odd : {std::string(R"({"calendars":{"b":{"time_zone":8}},"rules":[]})"),
                                 std::string(R"({"calendars":{"b":{"always_open":"yes"}},"rules":[]})"),
                                 std::string("{") + cal + R"(,"rules":[{"target":5,"minutes":5,"calendar":"b"}]})",
                                 std::string("{") + cal + R"(,"rules":[{"target":"plan","minutes":5,"calendar":["b"]}]})",
                                 std::string(R"({"calendars":{"b":{"holidays":"2026-10-01"}},"rules":[]})")}) {
    auto p = SlaPolicy::from_json(odd);
    ASSERT_FALSE(p) << odd;
    EXPECT_EQ(p.status().code(), ErrorCode::kInvalid) << odd;
  }
  // A target of more than a year is a typo, and its arithmetic could overflow.
  EXPECT_FALSE(SlaPolicy::from_json(std::string("{") + cal + R"(,"rules":[{"target":"plan","minutes":9000000000,"calendar":"b"}]})"));
  EXPECT_FALSE(SlaPolicy::from_json(std::string("{") + cal + R"(,"rules":[{"target":"plan","working_days":4294967297,"calendar":"b"}]})"));
  EXPECT_TRUE(SlaPolicy::from_json(std::string("{") + cal + R"(,"rules":[{"target":"plan","working_days":366,"calendar":"b"}]})"));
}

TEST(SlaClock, ComplaintPlanFridayEveningIsDueMondayAfterLunch) {
  const auto policy = default_policy();
  const auto target = *policy.find(SlaTarget::kPlan, Category::kComplaint, Priority::kMedium);
  // The default business calendar has a lunch break 12:00-13:00.
  auto r = read_sla_clock(target, at("2026-11-20T17:30:00+08:00"), {}, std::nullopt,
                          at("2026-11-21T10:00:00+08:00"), policy.warning_share());
  ASSERT_TRUE(r);
  EXPECT_EQ(*r->due, at("2026-11-23T13:30:00+08:00"));
  EXPECT_EQ(*r->warn_at, at("2026-11-23T11:30:00+08:00"));  // 3 of 4 working hours used
  EXPECT_EQ(r->state, SlaState::kOnTrack);
  EXPECT_EQ(r->used_ms, 30 * kMsPerMinute);
}

TEST(SlaClock, PausedTimeDoesNotCount) {
  const auto cal = WorkingCalendar::weekdays({{9 * 60, 18 * 60}}, 480);
  const ResolvedTarget target{SlaDuration{240, 0}, &cal, "b"};
  const std::vector<SlaPause> pauses = {
      {at("2026-11-23T10:00:00+08:00"), at("2026-11-23T15:00:00+08:00"), "waiting for the customer's logs", "li.wei"}};
  auto r = read_sla_clock(target, at("2026-11-23T09:00:00+08:00"), pauses, std::nullopt,
                          at("2026-11-23T16:00:00+08:00"), 0.75);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r->due, at("2026-11-23T18:00:00+08:00"));  // 1 h before the pause, 3 h after it
  EXPECT_EQ(r->used_ms, 2 * kMsPerHour);
  EXPECT_EQ(r->state, SlaState::kOnTrack);
}

TEST(SlaClock, OpenPauseHoldsTheClock) {
  const auto cal = WorkingCalendar::always_open(0);
  const ResolvedTarget target{SlaDuration{60, 0}, &cal, "24x7"};
  const std::vector<SlaPause> pauses = {{at("2026-11-23T10:30:00Z"), std::nullopt, "waiting for approval", "zhang"}};
  auto r = read_sla_clock(target, at("2026-11-23T10:00:00Z"), pauses, std::nullopt, at("2026-11-23T23:00:00Z"), 0.75);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->due);
  EXPECT_EQ(r->state, SlaState::kPaused);
  EXPECT_EQ(r->remaining_ms, 30 * kMsPerMinute);
  // Stopped during that pause (the customer confirmed while we waited on them): met, as
  // 30 of the 60 minutes were used. Before, a stop without a due time read as missed.
  auto stopped = read_sla_clock(target, at("2026-11-23T10:00:00Z"), pauses, at("2026-11-24T09:00:00Z"),
                                at("2026-11-24T10:00:00Z"), 0.75);
  ASSERT_TRUE(stopped);
  EXPECT_EQ(stopped->state, SlaState::kMet);
  // A pause that began after the budget ran out stops nothing in time: missed.
  const std::vector<SlaPause> late = {{at("2026-11-23T11:30:00Z"), std::nullopt, "waiting for approval", "zhang"}};
  auto missed = read_sla_clock(target, at("2026-11-23T10:00:00Z"), late, at("2026-11-24T09:00:00Z"),
                               at("2026-11-24T10:00:00Z"), 0.75);
  ASSERT_TRUE(missed);
  EXPECT_EQ(missed->state, SlaState::kMissed);
}

TEST(SlaClock, StatesAcrossTheTarget) {
  const auto cal = WorkingCalendar::always_open(0);
  const ResolvedTarget target{SlaDuration{120, 0}, &cal, "24x7"};
  const Instant start = at("2026-11-23T10:00:00Z");
  auto state_at = [&](const char* now, std::optional<Instant> stopped = std::nullopt) {
    return read_sla_clock(target, start, {}, stopped, at(now), 0.75)->state;
  };
  EXPECT_EQ(state_at("2026-11-23T11:00:00Z"), SlaState::kOnTrack);
  EXPECT_EQ(state_at("2026-11-23T11:30:00Z"), SlaState::kWarning);
  EXPECT_EQ(state_at("2026-11-23T12:00:01Z"), SlaState::kBreached);
  EXPECT_EQ(state_at("2026-11-24T00:00:00Z", at("2026-11-23T11:59:00Z")), SlaState::kMet);
  EXPECT_EQ(state_at("2026-11-24T00:00:00Z", at("2026-11-23T12:01:00Z")), SlaState::kMissed);
}

TEST(SlaClock, ClockStartsAtContactTimeNotUpload) {
  // Logged offline at 09:00, uploaded at 11:00: an urgent 30-minute response is already late.
  const auto policy = default_policy();
  const auto target = *policy.find(SlaTarget::kFirstResponse, Category::kService, Priority::kUrgent);
  auto r = read_sla_clock(target, at("2026-11-23T09:00:00+08:00"), {}, std::nullopt, at("2026-11-23T11:00:00+08:00"),
                          policy.warning_share());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->state, SlaState::kBreached);
  EXPECT_EQ(r->remaining_ms, -90 * kMsPerMinute);
}

TEST(SlaClock, SuggestionAnsweredWithinFifteenWorkingDays) {
  const auto policy = default_policy();
  const auto target = *policy.find(SlaTarget::kResolution, Category::kSuggestion, Priority::kLow);
  // Received Monday 2026-09-21; National Day holidays and the 10-10 make-up day fall inside.
  auto r = read_sla_clock(target, at("2026-09-21T10:00:00+08:00"), {}, std::nullopt, at("2026-09-21T10:00:00+08:00"),
                          policy.warning_share());
  ASSERT_TRUE(r);
  // Working days after 09-21: 22,23,24,(25 holiday),28,29,30,(10-01..07 off),08,09,10(make-up),12,13,14,15,16,19
  EXPECT_EQ(*r->due, at("2026-10-19T18:00:00+08:00"));
}

TEST(SlaClock, PausesNeedReasonsAndOrder) {
  const auto cal = WorkingCalendar::always_open(0);
  const ResolvedTarget target{SlaDuration{60, 0}, &cal, "24x7"};
  const std::vector<SlaPause> no_reason = {{at("2026-11-23T10:00:00Z"), at("2026-11-23T11:00:00Z"), " ", "x"}};
  auto r = read_sla_clock(target, 0, no_reason, std::nullopt, 0, 0.75);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().zh.find("原因"), std::string::npos);
  const std::vector<SlaPause> overlapping = {{at("2026-11-23T10:00:00Z"), at("2026-11-23T11:00:00Z"), "a", "x"},
                                             {at("2026-11-23T10:30:00Z"), at("2026-11-23T12:00:00Z"), "b", "x"}};
  EXPECT_FALSE(validate_pauses(overlapping));
}

}  // namespace
}  // namespace rapidesk
