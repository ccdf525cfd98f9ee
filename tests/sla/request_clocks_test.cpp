#include "rapidesk/sla/request_clocks.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace rapidesk::sla {
namespace {

using rapidesk::testing::at;

SlaPolicy policy() {
  auto p = SlaPolicy::from_json(rapidesk::testing::read_asset("sla_policy.json"));
  EXPECT_TRUE(p);
  return *p;
}

const Clock* find(const std::vector<Clock>& clocks, SlaTarget t) {
  for (const auto& c : clocks) {
    if (c.target == t) return &c;
  }
  return nullptr;
}

// A request of `category` and `priority` in `status`, recorded when it was contacted.
RequestFacts request(Category category, Priority priority, RequestStatus status, const char* contacted) {
  RequestFacts f;
  f.category = category;
  f.priority = priority;
  f.status = status;
  f.contacted_at = at(contacted);
  f.recorded_at = f.contacted_at;
  return f;
}

TEST(RequestClocks, OfflineIntakeCountsFromContactNotUpload) {
  RequestFacts f;
  f.category = Category::kService;
  f.priority = Priority::kUrgent;
  f.contacted_at = at("2026-11-23T09:00:00+08:00");
  f.recorded_at = at("2026-11-23T09:10:00+08:00");  // logged at the customer's site, offline
  f.accepted_at = at("2026-11-23T13:00:00+08:00");  // uploaded back at the office
  auto clocks = read_request_clocks(policy(), f, f.accepted_at);
  ASSERT_TRUE(clocks);
  EXPECT_EQ(find(*clocks, SlaTarget::kIntake)->outcome, Outcome::kMetOriginal);
  const Clock* response = find(*clocks, SlaTarget::kFirstResponse);
  ASSERT_NE(response, nullptr);
  EXPECT_EQ(*response->reading.due, at("2026-11-23T09:30:00+08:00"));
  EXPECT_EQ(response->reading.state, SlaState::kBreached);
  EXPECT_EQ(late_upload_ms(f), 3 * kMsPerHour + 50 * kMsPerMinute);
  EXPECT_EQ(find(*clocks, SlaTarget::kConfirmation), nullptr);  // nothing completed yet
  EXPECT_EQ(find(*clocks, SlaTarget::kPlan), nullptr);          // plans are for complaints
}

TEST(RequestClocks, ProgressCadenceRestartsAtEachUpdate) {
  RequestFacts f = request(Category::kTechSupport, Priority::kUrgent, RequestStatus::kInProgress, "2026-11-23T08:00:00+08:00");
  f.assigned_at = at("2026-11-23T08:20:00+08:00");
  f.last_progress_at = at("2026-11-23T10:00:00+08:00");
  auto clocks = read_request_clocks(policy(), f, at("2026-11-23T11:45:00+08:00"));
  const Clock* cadence = find(*clocks, SlaTarget::kProgressCadence);
  ASSERT_NE(cadence, nullptr);
  EXPECT_EQ(*cadence->reading.due, at("2026-11-23T12:00:00+08:00"));
  EXPECT_EQ(cadence->reading.state, SlaState::kWarning);
  f.status = RequestStatus::kWaitingCustomer;
  clocks = read_request_clocks(policy(), f, at("2026-11-23T11:45:00+08:00"));
  EXPECT_EQ(find(*clocks, SlaTarget::kProgressCadence), nullptr);
}

TEST(RequestClocks, ReagreedDeadlineKeepsTheOriginal) {
  RequestFacts f = request(Category::kComplaint, Priority::kHigh, RequestStatus::kResolved, "2026-11-23T09:00:00+08:00");
  f.reagreed[SlaTarget::kResolution].push_back(
      {at("2026-11-27T18:00:00+08:00"), "li.wei", "spare part ships from Shenzhen", at("2026-11-24T10:00:00+08:00")});
  f.resolved_at = at("2026-11-26T15:00:00+08:00");
  auto clocks = read_request_clocks(policy(), f, at("2026-11-26T16:00:00+08:00"));
  const Clock* resolution = find(*clocks, SlaTarget::kResolution);
  ASSERT_NE(resolution, nullptr);
  EXPECT_EQ(*resolution->original_due, at("2026-11-25T09:00:00+08:00"));  // 48 h, around the clock
  EXPECT_EQ(resolution->outcome, Outcome::kMetReagreed);
  EXPECT_EQ(resolution->reagreement->reason, "spare part ships from Shenzhen");
  f.resolved_at = at("2026-11-28T10:00:00+08:00");
  clocks = read_request_clocks(policy(), f, at("2026-11-28T11:00:00+08:00"));
  EXPECT_EQ(find(*clocks, SlaTarget::kResolution)->outcome, Outcome::kMissed);
}

// The customer agreed to Friday 18:00, then the request waited for them. The agreed clock
// used to breach on Friday in the middle of that wait. Now it stands still while the
// request waits, and a wait begun after the agreement moves the agreed due by its length;
// a wait already under way when the date was agreed moves nothing.
TEST(RequestClocks, AReagreedDueStandsStillWhileTheRequestWaitsForTheCustomer) {
  RequestFacts f = request(Category::kComplaint, Priority::kHigh, RequestStatus::kWaitingCustomer,
                           "2026-11-23T09:00:00+08:00");
  f.reagreed[SlaTarget::kResolution].push_back(
      {at("2026-11-27T18:00:00+08:00"), "li.wei", "spare part ships from Shenzhen", at("2026-11-24T10:00:00+08:00")});
  f.pauses = {{at("2026-11-26T09:00:00+08:00"), std::nullopt, "customer away", "li.wei"}};
  auto clocks = read_request_clocks(policy(), f, at("2026-11-28T09:00:00+08:00"));
  const Clock* resolution = find(*clocks, SlaTarget::kResolution);
  ASSERT_NE(resolution, nullptr);
  EXPECT_EQ(resolution->reading.state, SlaState::kPaused);
  EXPECT_FALSE(resolution->reading.due) << "no event may be scheduled while it waits";

  // The customer answers after two days: the agreed due is two days later, and so is the
  // warning (75 % of the agreed window, 11-26 15:45, fell in the wait).
  f.status = RequestStatus::kInProgress;
  f.pauses[0].to = at("2026-11-28T09:00:00+08:00");
  clocks = read_request_clocks(policy(), f, at("2026-11-28T10:00:00+08:00"));
  resolution = find(*clocks, SlaTarget::kResolution);
  EXPECT_EQ(*resolution->reading.due, at("2026-11-29T18:00:00+08:00"));
  EXPECT_EQ(*resolution->reading.warn_at, at("2026-11-28T15:45:00+08:00"));
  EXPECT_EQ(resolution->reading.state, SlaState::kOnTrack);
  clocks = read_request_clocks(policy(), f, at("2026-11-28T16:00:00+08:00"));
  EXPECT_EQ(find(*clocks, SlaTarget::kResolution)->reading.state, SlaState::kWarning);
  f.resolved_at = at("2026-11-29T17:00:00+08:00");
  clocks = read_request_clocks(policy(), f, at("2026-11-29T17:30:00+08:00"));
  EXPECT_EQ(find(*clocks, SlaTarget::kResolution)->outcome, Outcome::kMetReagreed);

  // A wait under way when the date was agreed was foreseen: the due stays, and it is missed.
  // So was one begun by the very edit that agreed the date.
  for (const char* began : {"2026-11-24T09:00:00+08:00", "2026-11-24T10:00:00+08:00"}) {
    f.pauses = {{at(began), at("2026-11-28T09:00:00+08:00"), "customer away", "li.wei"}};
    clocks = read_request_clocks(policy(), f, at("2026-11-29T17:30:00+08:00"));
    EXPECT_EQ(*find(*clocks, SlaTarget::kResolution)->reading.due, at("2026-11-27T18:00:00+08:00")) << began;
    EXPECT_EQ(find(*clocks, SlaTarget::kResolution)->outcome, Outcome::kMissed) << began;
  }
  // A wait begun after the agreed due had passed: breached before it began, and it stays so.
  f.resolved_at.reset();
  f.status = RequestStatus::kWaitingCustomer;
  f.pauses = {{at("2026-11-28T09:00:00+08:00"), std::nullopt, "customer away", "li.wei"}};
  clocks = read_request_clocks(policy(), f, at("2026-11-29T09:00:00+08:00"));
  EXPECT_EQ(find(*clocks, SlaTarget::kResolution)->reading.state, SlaState::kBreached);
}

TEST(RequestClocks, WaitingForTheCustomerPausesResolution) {
  RequestFacts f = request(Category::kTechSupport, Priority::kMedium, RequestStatus::kInProgress, "2026-11-23T09:00:00+08:00");
  f.pauses = {{at("2026-11-23T10:00:00+08:00"), at("2026-11-24T10:00:00+08:00"), "waiting for logs", "li.wei"}};
  auto clocks = read_request_clocks(policy(), f, at("2026-11-24T11:00:00+08:00"));
  const Clock* resolution = find(*clocks, SlaTarget::kResolution);
  // 8 working hours: 1 h before the pause (09-10), then from Tuesday 10:00: 10-12 and 13-18 = 7 h.
  EXPECT_EQ(*resolution->reading.due, at("2026-11-24T18:00:00+08:00"));
  EXPECT_EQ(resolution->reading.used_ms, 2 * kMsPerHour);
}

TEST(RequestClocks, AReopenedRequestsResolutionStartsOver) {
  RequestFacts f = request(Category::kTechSupport, Priority::kMedium, RequestStatus::kReopened, "2026-11-02T09:00:00+08:00");
  // Resolved the next day, reopened three weeks later: before, the weeks in between counted
  // and the new round was breached the moment it began.
  f.reopened_at = at("2026-11-23T09:00:00+08:00");
  auto clocks = read_request_clocks(policy(), f, at("2026-11-23T10:00:00+08:00"));
  const Clock* resolution = find(*clocks, SlaTarget::kResolution);
  ASSERT_NE(resolution, nullptr);
  EXPECT_EQ(resolution->start, *f.reopened_at);
  EXPECT_EQ(resolution->reading.state, SlaState::kOnTrack);
  EXPECT_EQ(*resolution->reading.due, at("2026-11-23T18:00:00+08:00"));
}

TEST(RequestClocks, ConfirmedWhileWaitingOnTheCustomerIsMetNotMissed) {
  RequestFacts f = request(Category::kTechSupport, Priority::kMedium, RequestStatus::kWaitingCustomer, "2026-11-23T09:00:00+08:00");
  f.completed_at = at("2026-11-23T11:00:00+08:00");
  // Waiting for the customer's confirmation, which arrives while the pause is still open.
  f.pauses = {{at("2026-11-23T11:30:00+08:00"), std::nullopt, "waiting for confirmation", "li.wei"}};
  f.confirmed_at = at("2026-11-25T10:00:00+08:00");
  auto clocks = read_request_clocks(policy(), f, at("2026-11-25T10:05:00+08:00"));
  const Clock* confirmation = find(*clocks, SlaTarget::kConfirmation);
  ASSERT_NE(confirmation, nullptr);
  EXPECT_EQ(confirmation->outcome, Outcome::kMetOriginal);
}

}  // namespace
}  // namespace rapidesk::sla
