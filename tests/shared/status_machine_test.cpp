#include "rapidesk/shared/status_machine.h"

#include <gtest/gtest.h>

namespace rapidesk {
namespace {

using S = RequestStatus;

TEST(StatusMachine, TheHappyPathIsAllowed) {
  const S path[] = {S::kNew, S::kTriaged, S::kInProgress, S::kVerifying, S::kResolved, S::kClosed};
  for (size_t i = 0; i + 1 < std::size(path); ++i) EXPECT_TRUE(check_transition(path[i], path[i + 1]));
}

TEST(StatusMachine, WaitingForCustomerAndReopen) {
  EXPECT_TRUE(check_transition(S::kInProgress, S::kWaitingCustomer));
  EXPECT_TRUE(check_transition(S::kWaitingCustomer, S::kInProgress));
  EXPECT_TRUE(check_transition(S::kResolved, S::kReopened));  // customer unsatisfied
  EXPECT_TRUE(check_transition(S::kClosed, S::kReopened));
  EXPECT_TRUE(check_transition(S::kReopened, S::kInProgress));
  EXPECT_FALSE(sla_clock_runs(S::kWaitingCustomer));
  EXPECT_TRUE(sla_clock_runs(S::kReopened));
}

TEST(StatusMachine, InvalidTransitionsSayWhatIsAllowed) {
  auto s = check_transition(S::kNew, S::kResolved);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.field(), "status");
  EXPECT_EQ(s.message().en, "A request cannot go from \"New\" to \"Resolved\". From \"New\" it can go to: Triaged, Closed.");
  EXPECT_EQ(s.message().zh, "请求不能从“新建”变为“已解决”。当前状态“新建”可变为：已分类、已关闭。");
  EXPECT_FALSE(check_transition(S::kClosed, S::kInProgress));
  EXPECT_FALSE(check_transition(S::kTriaged, S::kTriaged));
}

TEST(StatusMachine, EveryStatusHasAWayOnExceptNone) {
  for (const auto& e : enum_entries<S>()) EXPECT_FALSE(allowed_transitions(e.value).empty()) << e.wire;
}

}  // namespace
}  // namespace rapidesk
