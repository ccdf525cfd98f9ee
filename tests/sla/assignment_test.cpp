#include "rapidesk/assignment/assigner.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace rapidesk::assignment {
namespace {

using rapidesk::testing::at;

AssignmentRules rules() {
  auto r = AssignmentRules::from_json(rapidesk::testing::read_asset("assignment_rules.json"));
  EXPECT_TRUE(r) << r.status().message().en;
  return *r;
}

Candidate person(std::string name, std::vector<Priority> load, std::vector<std::string> skills = {}) {
  Candidate c;
  c.name = std::move(name);
  c.open_requests = std::move(load);
  c.skills = std::move(skills);
  return c;
}

const Instant kMonday10 = at("2026-11-23T10:00:00+08:00");

TEST(AssignmentRules, RoutesCategoriesToTeams) {
  const auto r = rules();
  EXPECT_EQ(r.team_for(Category::kComplaint, ""), "SVC");
  EXPECT_EQ(r.team_for(Category::kTechSupport, "retail"), "TECH");
  EXPECT_EQ(r.team_for(Category::kSuggestion, ""), "PROD");
  EXPECT_EQ(r.skills_for({"erp", "vip"}, "logistics"), (std::vector<std::string>{"erp", "wms"}));
  EXPECT_EQ(r.load_weight(Priority::kUrgent), 4);
}

TEST(AssignmentRules, IndustryRouteWinsAndErrorsAreClear) {
  auto r = AssignmentRules::from_json(R"({"default_team":"SVC","routes":[
      {"category":"tech_support","team":"TECH"},{"category":"tech_support","industry":"bank","team":"FIN"}]})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->team_for(Category::kTechSupport, "bank"), "FIN");
  EXPECT_EQ(r->team_for(Category::kTechSupport, "retail"), "TECH");
  auto bad = AssignmentRules::from_json(R"({"default_team":"SVC","routes":[{"category":"gripe","team":"X"}]})");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.status().message().en.find("tech_support"), std::string::npos);
  // Values of the wrong type are errors, not exceptions.
  for (const char* odd : {R"({"default_team":7,"routes":[]})", R"({"default_team":"SVC","routes":["TECH"]})",
                          R"({"default_team":"SVC","routes":[],"skills":[{"skill":3,"tag":"vpn"}]})",
                          R"({"default_team":"SVC","routes":[],"load_weights":[1,2]})"}) {
    auto rules = AssignmentRules::from_json(odd);
    ASSERT_FALSE(rules) << odd;
    EXPECT_EQ(rules.status().code(), ErrorCode::kInvalid) << odd;
  }
}

struct Case {
  const char* name;
  std::vector<Candidate> team;
  std::vector<std::string> skills;
  std::optional<std::string> owner;
  const char* explanation_en;
};

TEST(Assigner, TableOfDecisions) {
  const auto r = rules();
  const auto duty = WorkingCalendar::weekdays({{9 * 60, 18 * 60}}, 480);
  Candidate night_shift = person("zhao", {});
  night_shift.duty = &duty;
  Candidate on_leave = person("qian", {});
  on_leave.leave = {{at("2026-11-23T00:00:00+08:00"), at("2026-11-24T00:00:00+08:00")}};
  Candidate disabled = person("sun", {});
  disabled.active = false;
  Candidate li = person("li.wei", {Priority::kLow, Priority::kMedium}, {"erp"});  // load 3
  li.display_name = "Li Wei";
  Candidate recent = person("wang", {Priority::kLow});
  recent.last_assigned_at = at("2026-11-23T09:50:00+08:00");
  Candidate earlier = person("zhou", {Priority::kLow});
  earlier.last_assigned_at = at("2026-11-23T08:00:00+08:00");

  const Case cases[] = {
      {"lowest weighted load wins",
       {person("a", {Priority::kUrgent}), li, person("c", {Priority::kHigh, Priority::kHigh}), person("d", {Priority::kHigh, Priority::kLow})},
       {}, "li.wei", "team TECH; Li Wei has load 3, lowest of 4 on duty"},
      {"skill narrows the pool",
       {person("a", {}), li, person("c", {})}, {"erp"}, "li.wei", "team TECH; Li Wei has load 3, lowest of 1 on duty; skill: erp"},
      {"nobody skilled falls back to load",
       {person("a", {Priority::kLow}), person("b", {})}, {"network"}, "b",
       "team TECH; b has load 0, lowest of 2 on duty; nobody on duty has skill network, chosen by load only"},
      {"round robin breaks ties: longest since last assignment",
       {recent, earlier}, {}, "zhou", "team TECH; zhou has load 1, lowest of 2 on duty; tie broken by round robin"},
      {"leave, off duty and disabled are skipped",
       {on_leave, disabled, person("e", {Priority::kUrgent})}, {}, "e", "team TECH; e has load 4, lowest of 1 on duty"},
      {"nobody available",
       {on_leave, disabled}, {}, std::nullopt,
       "team TECH: nobody available (1 on leave, 0 off duty, 1 disabled); the request waits for a coordinator"},
  };
  for (const auto& c : cases) {
    const auto d = choose_owner(r, "TECH", c.skills, c.team, kMonday10);
    EXPECT_EQ(d.owner, c.owner) << c.name;
    EXPECT_EQ(d.explanation.en, c.explanation_en) << c.name;
    EXPECT_FALSE(d.explanation.zh.empty()) << c.name;
    EXPECT_TRUE(d.by_rule);
  }
  // Off duty at night: the on-duty schedule counts.
  const auto night = choose_owner(r, "TECH", {}, {night_shift, person("f", {Priority::kUrgent})}, at("2026-11-23T22:00:00+08:00"));
  EXPECT_EQ(night.owner, "f");
  const auto day = choose_owner(r, "TECH", {}, {night_shift, person("f", {Priority::kUrgent})}, kMonday10);
  EXPECT_EQ(day.owner, "zhao");
}

TEST(Assigner, ChineseExplanation) {
  Candidate li = person("li.wei", {Priority::kLow, Priority::kMedium}, {"erp"});
  li.display_name = "李伟";
  const auto d = choose_owner(rules(), "TECH", {"erp"}, {li, person("x", {})}, kMonday10);
  EXPECT_EQ(d.explanation.zh, "团队 TECH；李伟 当前负载 3，为 1 名在岗人员中最低；技能：erp");
}

TEST(Assigner, ManualOverrideIsRecorded) {
  auto d = manual_assignment("SVC", "wang", "coordinator.chen", "customer asked for Wang");
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->by_rule);
  EXPECT_EQ(d->owner, "wang");
  EXPECT_EQ(d->explanation.en, "assigned by hand by coordinator.chen: customer asked for Wang");
  EXPECT_EQ(d->explanation.zh, "由 coordinator.chen 手动分派：customer asked for Wang");
  EXPECT_FALSE(manual_assignment("SVC", "", "chen", "x"));
}

}  // namespace
}  // namespace rapidesk::assignment
