#include "rapidesk/shared/priority.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace rapidesk {
namespace {

using testing::at;

PriorityRules default_rules() {
  auto r = PriorityRules::from_json(testing::read_asset("priority_rules.json"));
  EXPECT_TRUE(r) << r.status().message().en;
  return *r;
}

struct PriorityCase {
  ImpactScope impact;
  std::optional<std::int64_t> hours_left;
  Tier tier;
  Priority expected;
  int score;
};

TEST(Priority, ThreeFactorsFromTheRuleTable) {
  const auto rules = default_rules();
  const Instant now = at("2026-11-23T10:00:00+08:00");
  const PriorityCase cases[] = {
      {ImpactScope::kCompany, 2, Tier::kStrategic, Priority::kUrgent, 12},
      {ImpactScope::kSite, 3, Tier::kVip, Priority::kUrgent, 10},
      {ImpactScope::kTeam, 20, Tier::kVip, Priority::kHigh, 8},
      {ImpactScope::kSingleUser, 48, Tier::kRegular, Priority::kMedium, 5},
      {ImpactScope::kSingleUser, 500, Tier::kNew, Priority::kLow, 3},
      {ImpactScope::kSingleUser, std::nullopt, Tier::kRegular, Priority::kLow, 4},
      {ImpactScope::kSite, -5, Tier::kRegular, Priority::kUrgent, 9 + 0},  // overdue counts as most urgent
  };
  for (const auto& c : cases) {
    PriorityFactors f{c.impact, c.hours_left ? std::optional<Instant>(now + *c.hours_left * kMsPerHour) : std::nullopt, c.tier};
    const auto d = rules.evaluate(f, now);
    if (c.hours_left && *c.hours_left < 0) {
      EXPECT_EQ(d.score, 9);
      EXPECT_EQ(d.priority, Priority::kHigh);
      EXPECT_NE(d.explanation.en.find("already passed"), std::string::npos);
      continue;
    }
    EXPECT_EQ(d.score, c.score) << d.explanation.en;
    EXPECT_EQ(d.priority, c.expected) << d.explanation.en;
  }
}

TEST(Priority, ExplanationSaysWhyInBothLanguages) {
  const auto rules = default_rules();
  const Instant now = at("2026-11-23T10:00:00+08:00");
  const auto d = rules.evaluate({ImpactScope::kSite, now + 3 * kMsPerHour, Tier::kVip}, now);
  EXPECT_EQ(d.explanation.en,
            "impact: A whole site (3) + urgency: expected within 4 h (4) + customer: VIP (3) = 10 → Urgent");
  EXPECT_EQ(d.explanation.zh, "影响范围：整个站点（3）+ 紧急程度：期望在 4 小时内（4）+ 客户价值：VIP客户（3）= 10 → 紧急");
}

TEST(Priority, OverrideRecordsWhoAndWhy) {
  auto missing_reason = make_priority_override(Priority::kUrgent, "zhang.min", "  ", 1);
  ASSERT_FALSE(missing_reason);
  EXPECT_EQ(missing_reason.status().field(), "priority_override_reason");
  EXPECT_FALSE(make_priority_override(Priority::kUrgent, "", "CEO called", 1));
  auto o = make_priority_override(Priority::kUrgent, "zhang.min", "Customer's CEO escalated", 42);
  ASSERT_TRUE(o);
  PriorityDecision evaluated;
  evaluated.priority = Priority::kLow;
  EXPECT_EQ(effective_priority(evaluated, *o), Priority::kUrgent);
  EXPECT_EQ(effective_priority(evaluated, std::nullopt), Priority::kLow);
  EXPECT_EQ(o->by, "zhang.min");
  EXPECT_EQ(o->at, 42);
}

TEST(Priority, RuleTableErrorsAreClear) {
  auto r = PriorityRules::from_json(R"({"impact":{"single_user":1},"tier":{},"urgency":[{"score":1}],"levels":[]})");
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().en.find("no score for \"team\""), std::string::npos);
}

}  // namespace
}  // namespace rapidesk
