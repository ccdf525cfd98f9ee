#include "rapidesk/sla/sla_engine.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace rapidesk::sla {
namespace {

using rapidesk::testing::at;

class SlaEngineTest : public ::testing::Test {
 protected:
  SlaEngineTest() : policy_(*SlaPolicy::from_json(rapidesk::testing::read_asset("sla_policy.json"))) {}

  RequestFacts urgent_tech(const std::string& id) {
    RequestFacts f;
    f.id = id;
    f.category = Category::kTechSupport;
    f.priority = Priority::kUrgent;
    f.status = RequestStatus::kTriaged;
    f.contacted_at = at("2026-11-23T10:00:00+08:00");
    f.recorded_at = f.contacted_at;
    f.triaged_at = at("2026-11-23T10:05:00+08:00");
    f.assigned_at = at("2026-11-23T10:06:00+08:00");
    return f;
  }

  // In progress since its last update at 10:00: progress reminders due from 12:00, every 2 h.
  RequestFacts in_progress(const std::string& id) {
    RequestFacts f = urgent_tech(id);
    f.status = RequestStatus::kInProgress;
    f.last_progress_at = at("2026-11-23T10:00:00+08:00");
    return f;
  }

  // Events of one target, as "type/level@HH:MM" in +08:00.
  static std::vector<std::string> of(const std::vector<SlaEvent>& events, SlaTarget target) {
    std::vector<std::string> out;
    for (const auto& e : events) {
      if (e.target != target) continue;
      out.push_back(std::string(to_wire(e.type)) + "/" + std::to_string(e.level) + "@" +
                    format_iso8601(e.due, 480).substr(11, 5));
    }
    return out;
  }

  SlaPolicy policy_;
};

TEST_F(SlaEngineTest, WarningBreachThenEscalationToCoordinator) {
  SlaEngine engine(policy_);
  ASSERT_TRUE(engine.update(urgent_tech("r1"), at("2026-11-23T10:06:00+08:00")));
  // First response: 30 min around the clock from 10:00; warning at 75 %.
  EXPECT_TRUE(of(engine.fire_due(at("2026-11-23T10:20:00+08:00")), SlaTarget::kFirstResponse).empty());
  EXPECT_EQ(of(engine.fire_due(at("2026-11-23T10:23:00+08:00")), SlaTarget::kFirstResponse),
            (std::vector<std::string>{"warning/0@10:22"}));
  EXPECT_EQ(of(engine.fire_due(at("2026-11-23T10:30:00+08:00")), SlaTarget::kFirstResponse),
            (std::vector<std::string>{"breach/1@10:30"}));
  EXPECT_EQ(of(engine.fire_due(at("2026-11-23T10:45:00+08:00")), SlaTarget::kFirstResponse),
            (std::vector<std::string>{"escalation/2@10:45"}));
  EXPECT_TRUE(of(engine.fire_due(at("2026-11-23T23:00:00+08:00")), SlaTarget::kFirstResponse).empty());
}

TEST_F(SlaEngineTest, CoordinatorEscalationCountsWorkingTimeAsItsTargetDoes) {
  SlaEngine engine(policy_);
  RequestFacts f = urgent_tech("r1");
  f.priority = Priority::kMedium;  // resolution: 480 working minutes on the business calendar
  f.contacted_at = at("2026-11-20T09:00:00+08:00");  // a Friday
  f.recorded_at = f.contacted_at;
  f.triaged_at = at("2026-11-20T09:05:00+08:00");
  f.assigned_at = at("2026-11-20T09:06:00+08:00");
  ASSERT_TRUE(engine.update(f, at("2026-11-20T09:06:00+08:00")));
  // Breached at 18:00. The coordinators follow 240 working minutes later, on Monday; on the
  // wall clock, as before, they were paged at 22:00 that Friday.
  EXPECT_EQ(of(engine.fire_due(at("2026-11-22T23:59:00+08:00")), SlaTarget::kResolution),
            (std::vector<std::string>{"warning/0@16:00", "breach/1@18:00"}));
  EXPECT_TRUE(of(engine.fire_due(at("2026-11-23T13:59:00+08:00")), SlaTarget::kResolution).empty());
  EXPECT_EQ(of(engine.fire_due(at("2026-11-23T14:00:00+08:00")), SlaTarget::kResolution),
            (std::vector<std::string>{"escalation/2@14:00"}));
}

TEST_F(SlaEngineTest, MetTargetsStopTheirTimers) {
  SlaEngine engine(policy_);
  auto f = urgent_tech("r1");
  ASSERT_TRUE(engine.update(f, at("2026-11-23T10:06:00+08:00")));
  f.first_response_at = at("2026-11-23T10:15:00+08:00");
  ASSERT_TRUE(engine.update(f, at("2026-11-23T10:15:00+08:00")));
  EXPECT_TRUE(of(engine.fire_due(at("2026-11-23T12:00:00+08:00")), SlaTarget::kFirstResponse).empty());
  engine.remove("r1");
  EXPECT_EQ(engine.timer_count(), 0u);
}

TEST_F(SlaEngineTest, DeadlinesMissedWhileDownFireOnceAtStart) {
  std::vector<std::string> ledger;
  {
    SlaEngine before(policy_);
    ASSERT_TRUE(before.update(urgent_tech("r1"), at("2026-11-23T10:06:00+08:00")));
    for (const auto& e : before.fire_due(at("2026-11-23T10:25:00+08:00"))) ledger.push_back(e.key);  // warnings
  }
  // The server was down from 10:25 to 11:30; breach (10:30) and escalation (10:45) were missed.
  SlaEngine after(policy_);
  ASSERT_TRUE(after.load({urgent_tech("r1")}, ledger, at("2026-11-23T11:30:00+08:00")));
  const auto at_start = after.fire_due(at("2026-11-23T11:30:00+08:00"));
  EXPECT_EQ(of(at_start, SlaTarget::kFirstResponse), (std::vector<std::string>{"breach/1@10:30", "escalation/2@10:45"}));
  for (const auto& e : at_start) ledger.push_back(e.key);
  EXPECT_TRUE(of(after.fire_due(at("2026-11-23T11:31:00+08:00")), SlaTarget::kFirstResponse).empty());
  // A second restart with the full ledger fires nothing already fired.
  SlaEngine again(policy_);
  ASSERT_TRUE(again.load({urgent_tech("r1")}, ledger, at("2026-11-23T11:32:00+08:00")));
  EXPECT_TRUE(of(again.fire_due(at("2026-11-23T11:32:00+08:00")), SlaTarget::kFirstResponse).empty());
}

TEST_F(SlaEngineTest, ProgressRemindersRepeatAtTheCadence) {
  SlaEngine engine(policy_);
  auto f = in_progress("r2");
  ASSERT_TRUE(engine.update(f, at("2026-11-23T10:00:00+08:00")));
  EXPECT_EQ(of(engine.fire_due(at("2026-11-23T12:00:00+08:00")), SlaTarget::kProgressCadence),
            (std::vector<std::string>{"reminder/1@12:00"}));
  EXPECT_EQ(of(engine.fire_due(at("2026-11-23T14:01:00+08:00")), SlaTarget::kProgressCadence),
            (std::vector<std::string>{"reminder/2@14:00"}));
  // Reminders missed together collapse into the latest.
  EXPECT_EQ(of(engine.fire_due(at("2026-11-23T20:30:00+08:00")), SlaTarget::kProgressCadence),
            (std::vector<std::string>{"reminder/5@20:00"}));
  // An update restarts the cadence.
  f.last_progress_at = at("2026-11-23T20:45:00+08:00");
  ASSERT_TRUE(engine.update(f, at("2026-11-23T20:45:00+08:00")));
  EXPECT_EQ(of(engine.fire_due(at("2026-11-23T22:45:00+08:00")), SlaTarget::kProgressCadence),
            (std::vector<std::string>{"reminder/1@22:45"}));
}

TEST_F(SlaEngineTest, RemindersContinueAfterARestartWhateverTheRequestId) {
  // The ledger is consulted per request; an id holding the key separator still matches.
  for (const std::string id : {"r2", "odd|id|with|bars"}) {
    std::vector<std::string> ledger;
    const RequestFacts f = in_progress(id);
    {
      SlaEngine before(policy_);
      ASSERT_TRUE(before.update(f, at("2026-11-23T10:00:00+08:00")));
      for (const auto& e : before.fire_due(at("2026-11-23T14:01:00+08:00"))) ledger.push_back(e.key);
    }
    SlaEngine after(policy_);
    ASSERT_TRUE(after.load({f}, ledger, at("2026-11-23T14:02:00+08:00")));
    EXPECT_TRUE(of(after.fire_due(at("2026-11-23T14:02:00+08:00")), SlaTarget::kProgressCadence).empty()) << id;
    EXPECT_EQ(of(after.fire_due(at("2026-11-23T16:00:00+08:00")), SlaTarget::kProgressCadence),
              (std::vector<std::string>{"reminder/3@16:00"}))
        << id;
    EXPECT_TRUE(of(after.fire_due(at("2026-11-23T16:00:00+08:00")), SlaTarget::kFirstResponse).empty()) << id;
  }
}

TEST_F(SlaEngineTest, UnchangedFactsKeepTimersAndAFreedSlotStartsClean) {
  SlaEngine engine(policy_);
  const RequestFacts f = in_progress("r1");
  ASSERT_TRUE(engine.update(f, at("2026-11-23T10:00:00+08:00")));
  const size_t timers = engine.timer_count();
  ASSERT_GT(timers, 0u);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(engine.update(f, at("2026-11-23T10:01:00+08:00")));
  EXPECT_EQ(engine.timer_count(), timers);
  EXPECT_EQ(of(engine.fire_due(at("2026-11-23T14:01:00+08:00")), SlaTarget::kProgressCadence),
            (std::vector<std::string>{"reminder/2@14:00"}));
  engine.remove("r1");
  EXPECT_EQ(engine.timer_count(), 0u);
  // The next request takes the freed slot: its reminders count from 1 again.
  auto g = f;
  g.id = "r9";
  ASSERT_TRUE(engine.update(g, at("2026-11-23T14:02:00+08:00")));
  EXPECT_EQ(of(engine.fire_due(at("2026-11-23T14:03:00+08:00")), SlaTarget::kProgressCadence),
            (std::vector<std::string>{"reminder/2@14:00"}));
}

TEST_F(SlaEngineTest, UnassignedPastTheAssignmentTargetEscalates) {
  SlaEngine engine(policy_);
  auto f = urgent_tech("r3");
  f.assigned_at.reset();
  ASSERT_TRUE(engine.update(f, at("2026-11-23T10:05:00+08:00")));
  const auto events = engine.fire_due(at("2026-11-23T10:51:00+08:00"));
  EXPECT_EQ(of(events, SlaTarget::kAssignment),
            (std::vector<std::string>{"warning/0@10:27", "breach/1@10:35", "escalation/2@10:50"}));
}

}  // namespace
}  // namespace rapidesk::sla
