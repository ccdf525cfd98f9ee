// The SLA service inside a real server state: clocks on their calendars, offline intake,
// pauses, re-agreed dues, the warning -> breach -> escalation chain, progress reminders and
// restarts. Time is moved by hand; SQLite is real (temp dir).
#include "rapidesk/server/sla_service.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "sla_harness.h"

namespace rapidesk::server {
namespace {

using testing::at;
using testing::Device;
using testing::SlaHarness;

// Teams and people most tests share. SVC takes consultations and complaints (lead svc.lead),
// TECH takes technical support (lead tech.lead).
void add_people(SlaHarness& h) {
  h.add_team("SVC", "svc.lead");
  h.add_team("TECH", "tech.lead");
  h.add_team("HQ");
  h.add_team("NORTH");
  h.add_user("svc.lead", Role::kAgent, "SVC");
  h.add_user("svc.agent", Role::kAgent, "SVC");
  h.add_user("tech.lead", Role::kAgent, "TECH");
  h.add_user("coord", Role::kCoordinator, "HQ");
  h.add_user("field.north", Role::kField, "NORTH");
}

class SlaServiceTest : public ::testing::Test {
 protected:
  SlaServiceTest() : h(at("2026-11-20T09:00:00+08:00")) { add_people(h); }
  // An urgent request filed and pushed at `contact`, by the device's and the server's clock.
  std::string push_urgent_at(Instant contact) {
    h.set_now(contact);
    field.clock = contact;
    const std::string id = h.new_request(field, contact, {{"priority", "urgent"}});
    h.push(field);
    return id;
  }

  SlaHarness h;
  Device field{"laptop-north", "field.north"};
};

// ---- one push, several requests -----------------------------------------------------------

// A push's entries usually come in runs per request, and the bookkeeping after a merge (the
// SLA tracker's histories, the sync service's creators and per-row log positions) reuses
// the row of the entry before. Requests whose ops alternate are each handled whole.
TEST_F(SlaServiceTest, RequestsWhoseOpsAlternateInOnePushAreEachHandledWhole) {
  const Instant now = at("2026-11-20T10:00:00+08:00");
  h.set_now(now);
  field.clock = now;
  const std::string a = h.new_request(field, now, {{"priority", "urgent"}});
  const std::string b = h.new_request(field, now, {{"category", "tech_support"}});
  std::vector<sync::FieldOp> of_a, of_b;
  for (const auto& op : field.replica.next_push()) (op.row == a ? of_a : of_b).push_back(op);
  ASSERT_EQ(of_a.size(), of_b.size());
  std::vector<sync::FieldOp> alternating;
  for (std::size_t i = 0; i < of_a.size(); ++i) {
    alternating.push_back(of_a[i]);
    alternating.push_back(of_b[i]);
  }
  auto answer = h.state().sync->push(h.who(field.user), alternating);
  ASSERT_TRUE(answer.is_ok());
  field.replica.on_push_result(*answer);

  std::set<std::string> numbers;
  for (const auto& id : {a, b}) {
    auto f = h.fields(id);
    numbers.insert(f["number"]);
    EXPECT_FALSE(f["first_response_due"].empty()) << id;
    EXPECT_FALSE(f["assignment_explanation"].empty()) << id;
    EXPECT_EQ(f["sla_state"], "on_track") << id;
  }
  EXPECT_EQ(numbers.size(), 2u);
  EXPECT_EQ(numbers.count(""), 0u);
  // The field user created both: a pull from the start brings every entry of each.
  const PullPage mine = h.state().sync->pull(h.who(field.user), 0, 10'000);
  const PullPage all = h.state().sync->pull(h.who("coord"), 0, 10'000);
  for (const auto& id : {a, b}) {
    const auto of_row = [&](const PullPage& p) {
      return std::count_if(p.entries.begin(), p.entries.end(), [&](const sync::LogEntry& e) { return e.op.row == id; });
    };
    EXPECT_GT(of_row(all), static_cast<std::ptrdiff_t>(of_a.size())) << id;  // the server's ops too
    EXPECT_EQ(of_row(mine), of_row(all)) << id;
  }
  h.expect_quiet_restart();
}

// ---- a report over many requests ----------------------------------------------------------

// The request list and the reviews behind a report read the merged state a slice at a time
// (so pushes go on in between): over more requests than fit in several slices, arriving in
// another order than their ids, every request is listed once, in id order, and reviewed.
TEST_F(SlaServiceTest, AReportOverManySlicesListsAndReviewsEveryRequestInIdOrder) {
  const Instant now = at("2026-11-20T10:00:00+08:00");
  h.set_now(now);
  field.clock = now;
  // More rows than one slice of row numbers (8 x 512) and many slices of requests.
  const size_t n = 8 * SyncService::kRowsPerMergeLock + 300;
  std::vector<std::string> ids;
  for (size_t i = 0; i < n; ++i) {
    ids.push_back(h.new_request(field, now, {{"channel", i % 7 == 0 ? "visit" : "phone"}, {"contact", "13800138000"}}));
  }
  std::map<std::string, std::vector<sync::FieldOp>> by_row;
  for (auto& op : field.replica.next_push(std::numeric_limits<size_t>::max())) by_row[op.row].push_back(std::move(op));
  std::vector<std::string> arrival = ids;
  std::shuffle(arrival.begin(), arrival.end(), std::mt19937_64(5));
  std::vector<sync::FieldOp> shuffled;
  for (const auto& id : arrival) shuffled.insert(shuffled.end(), by_row[id].begin(), by_row[id].end());
  auto answer = h.state().sync->push(h.who(field.user), shuffled);
  ASSERT_TRUE(answer.is_ok());
  for (const auto& r : answer->results) ASSERT_NE(r.outcome, sync::Outcome::kRejected) << r.status.message().en;
  field.replica.on_push_result(*answer);

  std::vector<std::string> sorted = ids;
  std::sort(sorted.begin(), sorted.end());
  size_t total = 0;
  const auto listed = h.state().sync->list_requests(h.who("coord"), {}, 0, n, &total);
  ASSERT_EQ(total, n);
  ASSERT_EQ(listed.size(), n);
  for (size_t i = 0; i < n; ++i) ASSERT_EQ(listed[i].at("id"), sorted[i]) << i;
  EXPECT_FALSE(listed.front().at("number").empty());

  // A page across a slice's end, a filter, and only some fields.
  const auto page = h.state().sync->list_requests(h.who("coord"), {}, 500, 30, &total);
  ASSERT_EQ(page.size(), 30u);
  EXPECT_EQ(page.front().at("id"), sorted[500]);
  EXPECT_EQ(page.back().at("id"), sorted[529]);
  const auto visits = h.state().sync->list_requests(h.who("coord"), {{"channel", "visit"}}, 0, n, &total);
  EXPECT_EQ(total, (n + 6) / 7);
  EXPECT_TRUE(std::all_of(visits.begin(), visits.end(), [](const auto& f) { return f.at("channel") == "visit"; }));
  const std::string_view only[] = {"title", "contact"};
  const auto some = h.state().sync->list_requests(h.who("coord"), {}, 0, 2, &total, only);
  ASSERT_EQ(some.size(), 2u);
  EXPECT_EQ(some[0].size(), 3u);  // id, title, contact
  EXPECT_EQ(some[0].at("title"), "扫码枪离线");
  EXPECT_EQ(some[0].at("contact"), "13800138000");
  // The field user made every request but owns none (the SLA service assigned them): the
  // contact is masked with only some fields too.
  const auto own = h.state().sync->list_requests(h.who(field.user), {}, 0, 1, &total, only);
  EXPECT_EQ(total, n);
  ASSERT_EQ(own.size(), 1u);
  EXPECT_NE(own[0].at("contact"), "13800138000");
  EXPECT_EQ(own[0].at("contact"), h.state().sync->get_request(h.who(field.user), own[0].at("id"))->at("contact"));

  const auto reviews = h.state().sla->review_requests(sorted);
  EXPECT_EQ(reviews.size(), n);
}

// ---- every target on its calendar --------------------------------------------------------

TEST_F(SlaServiceTest, DueTimesFollowEachTargetsCalendar) {
  // Friday 17:30 in Shanghai: business hours end at 18:00, the 24x7 calendar never closes.
  const Instant friday = at("2026-11-20T17:30:00+08:00");
  h.set_now(friday);
  field.clock = friday;
  const std::string urgent = h.new_request(field, friday, {{"priority", "urgent"}, {"category", "tech_support"}});
  const std::string high = h.new_request(field, friday, {{"priority", "high"}});
  h.add_team("QA");  // nobody there takes requests
  const std::string complaint = h.new_request(field, friday, {{"category", "complaint"}, {"team", "QA"}});
  h.push(field);

  // Urgent: 30 min first response and 2 h tech-support resolution, around the clock.
  EXPECT_EQ(at(h.fields(urgent)["first_response_due"]), at("2026-11-20T18:00:00+08:00"));
  EXPECT_EQ(at(h.fields(urgent)["resolution_due"]), at("2026-11-20T19:30:00+08:00"));
  // High: 2 working hours = Friday 17:30-18:00 + Monday 09:00-10:30; resolved by the end of
  // the second working day after Friday (Tuesday).
  EXPECT_EQ(at(h.fields(high)["first_response_due"]), at("2026-11-23T10:30:00+08:00"));
  EXPECT_EQ(at(h.fields(high)["resolution_due"]), at("2026-11-24T18:00:00+08:00"));
  // Complaint: closed within 48 h around the clock; medium first response 8 working hours
  // (Friday 30 min, Monday 09:00-12:00 and 13:00-17:30: lunch is not working time).
  EXPECT_EQ(at(h.fields(complaint)["resolution_due"]), at("2026-11-22T17:30:00+08:00"));
  EXPECT_EQ(at(h.fields(complaint)["first_response_due"]), at("2026-11-23T17:30:00+08:00"));
  for (const auto& id : {urgent, high, complaint}) EXPECT_EQ(h.fields(id)["sla_state"], "on_track") << id;

  // The complaint's team QA has nobody who takes requests, so it stays unassigned: its
  // assignment clock (30 working min: Friday's last half hour), triage (1 h: Monday 09:30)
  // and handling plan (4 working hours: Monday 13:30, after lunch) all breach on the
  // business calendar.
  h.fire_at(at("2026-11-23T13:31:00+08:00"));
  EXPECT_EQ(h.count_entries(complaint, "[SLA breached] Assignment was due at 2026-11-20 18:00 +08:00"), 1u);
  EXPECT_EQ(h.count_entries(complaint, "[SLA breached] Triage was due at 2026-11-23 09:30 +08:00"), 1u);
  EXPECT_EQ(h.count_entries(complaint, "[SLA breached] Handling plan was due at 2026-11-23 13:30 +08:00"), 1u);
  EXPECT_EQ(h.count_entries(complaint, "[SLA 已超时] 处理方案已于 2026-11-23 13:30 +08:00 到期"), 1u);
  EXPECT_EQ(h.count_entries(complaint, "First response was due"), 0u);  // Monday 17:30: not yet
  EXPECT_EQ(h.fields(complaint)["sla_state"], "breached");
  EXPECT_EQ(h.fields(complaint)["sla_breached"], "true");

  // Confirmation (2 working hours after completion) and follow-up (end of the next working
  // day after resolution) run on the business calendar too.
  field.clock = at("2026-11-23T16:30:00+08:00");
  h.set_now(field.clock);
  for (const char* s : {"triaged", "in_progress", "verifying"}) h.set(field, high, "status", sync::Value::string(s));
  h.push(field);
  h.fire_at(at("2026-11-24T09:31:00+08:00"));  // Monday 16:30-18:00 + Tuesday 09:00-09:30
  EXPECT_EQ(h.count_entries(high, "[SLA breached] Customer confirmation was due at 2026-11-24 09:30 +08:00"), 1u);
  field.clock = at("2026-11-24T10:00:00+08:00");
  h.set_now(field.clock);
  h.set(field, high, "status", sync::Value::string("resolved"));
  h.push(field);
  h.fire_at(at("2026-11-25T18:01:00+08:00"));
  EXPECT_EQ(h.count_entries(high, "[SLA breached] Follow-up was due at 2026-11-25 18:00 +08:00"), 1u);
  h.expect_quiet_restart();
}

TEST_F(SlaServiceTest, HolidaysAndMakeUpDaysCount) {
  // 2026-10-01..07 are holidays (with the weekend), Saturday 10-10 is a make-up working day.
  const Instant eve = at("2026-09-30T17:00:00+08:00");
  h.set_now(eve);
  field.clock = eve;
  const std::string before_holiday = h.new_request(field, eve);
  h.push(field);
  // 1 h on Wednesday, then nothing until Thursday 10-08: 3 h + 4 h = 8 working hours.
  EXPECT_EQ(at(h.fields(before_holiday)["first_response_due"]), at("2026-10-08T17:00:00+08:00"));

  const Instant friday = at("2026-10-09T17:00:00+08:00");
  h.set_now(friday);
  field.clock = friday;
  const std::string before_makeup = h.new_request(field, friday);
  h.push(field);
  EXPECT_EQ(at(h.fields(before_makeup)["first_response_due"]), at("2026-10-10T17:00:00+08:00"));
}

// ---- offline intake ----------------------------------------------------------------------

TEST_F(SlaServiceTest, OfflineIntakeRunsFromContactAndMarksTheLateUpload) {
  // Logged on a laptop at 09:05 for a 09:00 call, uploaded at 13:00.
  const Instant contact = at("2026-11-20T09:00:00+08:00");
  field.clock = at("2026-11-20T09:05:00+08:00");
  const std::string id = h.new_request(field, contact, {{"priority", "urgent"}});
  h.set_now(at("2026-11-20T13:00:00+08:00"));
  h.push(field);

  auto f = h.fields(id);
  EXPECT_EQ(at(f["first_response_due"]), at("2026-11-20T09:30:00+08:00"));  // not 13:30
  EXPECT_EQ(f["sla_state"], "breached");
  EXPECT_EQ(f["sla_breached"], "true");
  ASSERT_EQ(h.count_entries(id, "Uploaded 4 h after the customer contact at 2026-11-20 09:00 +08:00 (recorded on "
                                "the device 5 min after it)"),
            1u)
      << ::testing::PrintToString(h.sla_entries(id));
  EXPECT_EQ(h.count_entries(id, "客户联系 4 小时 后才上传"), 1u);

  // The missed deadlines fire at the next tick: the breach (team lead) and level 2.
  h.fire_at(at("2026-11-20T13:00:01+08:00"));
  EXPECT_EQ(h.count_entries(id, "[SLA breached] First response was due at 2026-11-20 09:30 +08:00; escalated to "
                                "the team lead svc.lead"),
            1u);
  EXPECT_EQ(h.count_entries(id, "[Escalated] First response overdue since 2026-11-20 09:30 +08:00"), 1u);
  EXPECT_EQ(h.fields(id)["escalation_level"], "2");

  // A request uploaded at once is not marked.
  field.clock = at("2026-11-20T13:10:00+08:00");
  h.set_now(field.clock);
  const std::string prompt = h.new_request(field, at("2026-11-20T13:05:00+08:00"));
  h.push(field);
  EXPECT_EQ(h.count_entries(prompt, "Uploaded"), 0u);

  // Nor is one whose upload came later only outside working hours: the intake target (30
  // working minutes on the business calendar) had not run.
  field.clock = at("2026-11-20T18:30:00+08:00");
  h.set_now(field.clock);
  const std::string evening = h.new_request(field, at("2026-11-20T17:50:00+08:00"));
  h.push(field);
  EXPECT_EQ(h.count_entries(evening, "Uploaded"), 0u) << ::testing::PrintToString(h.sla_entries(evening));
}

// A contact time a year ahead (a device clock set wrong, a typo in the year) used to hold
// every clock off until then. The clocks start when the server had the request; the value
// stays as written.
TEST_F(SlaServiceTest, AContactTimeAfterTheUploadStartsTheClocksAtTheUpload) {
  field.clock = at("2026-11-20T10:00:00+08:00");
  h.set_now(field.clock);
  const std::string id = h.new_request(field, at("2027-11-20T10:00:00+08:00"), {{"priority", "urgent"}});
  h.push(field);
  auto f = h.fields(id);
  EXPECT_EQ(at(f["first_response_due"]), at("2026-11-20T10:30:00+08:00"));
  EXPECT_EQ(at(f["contacted_at"]), at("2027-11-20T10:00:00+08:00"));
  h.fire_at(at("2026-11-20T10:30:01+08:00"));
  EXPECT_EQ(h.fields(id)["sla_state"], "breached");
}

// ---- pause and resume --------------------------------------------------------------------

TEST_F(SlaServiceTest, WaitingForTheCustomerPausesTheClock) {
  const Instant contact = at("2026-11-23T09:00:00+08:00");  // Monday
  h.set_now(contact);
  field.clock = contact;
  const std::string id = h.new_request(field, contact, {{"priority", "high"}});
  h.push(field);
  EXPECT_EQ(at(h.fields(id)["first_response_due"]), at("2026-11-23T11:00:00+08:00"));

  // 10:00: waiting for the customer's logs (60 of 120 working minutes used).
  field.clock = at("2026-11-23T10:00:00+08:00");
  h.set_now(field.clock);
  h.set(field, id, "status", sync::Value::string("triaged"));
  h.set(field, id, "status_reason", sync::Value::string("等待客户提供日志"));
  h.set(field, id, "status", sync::Value::string("waiting_customer"));
  h.push(field);
  EXPECT_EQ(h.fields(id)["sla_state"], "paused");
  // The pause is in the timeline: who, when, why.
  EXPECT_EQ(h.count_entries(id, "SLA clocks paused by"), 1u);
  EXPECT_EQ(h.count_entries(id, "at 2026-11-23 10:00 +08:00. Reason: 等待客户提供日志"), 1u);

  // Nothing breaches while paused, however long it lasts.
  h.fire_at(at("2026-11-23T12:00:00+08:00"));
  EXPECT_EQ(h.count_entries(id, "breached"), 0u);

  // 13:00 the logs arrive: the remaining hour runs from now.
  field.clock = at("2026-11-23T13:00:00+08:00");
  h.set_now(field.clock);
  h.set(field, id, "status", sync::Value::string("in_progress"));
  h.push(field);
  auto f = h.fields(id);
  EXPECT_EQ(f["sla_state"], "on_track");
  EXPECT_EQ(at(f["first_response_due"]), at("2026-11-23T14:00:00+08:00"));
  EXPECT_EQ(h.count_entries(id, "SLA clocks running again at 2026-11-23 13:00 +08:00 after a pause of 3 h 0 min"), 1u);
  EXPECT_EQ(h.count_entries(id, "SLA 计时于"), 1u);
  h.fire_at(at("2026-11-23T13:59:00+08:00"));
  EXPECT_EQ(h.count_entries(id, "[SLA breached] First response"), 0u);
  h.fire_at(at("2026-11-23T14:00:30+08:00"));
  EXPECT_EQ(h.count_entries(id, "[SLA breached] First response was due at 2026-11-23 14:00 +08:00"), 1u);
  h.expect_quiet_restart();
}

// ---- re-agreed due -----------------------------------------------------------------------

TEST_F(SlaServiceTest, ReagreedDueReplacesTheResolutionTargetAndKeepsTheOriginal) {
  const Instant contact = at("2026-11-23T09:00:00+08:00");  // Monday; 5 working days: Monday 30th
  h.set_now(contact);
  field.clock = contact;
  const std::string id = h.new_request(field, contact);
  h.push(field);
  EXPECT_EQ(h.fields(id)["owner"], "svc.agent");
  EXPECT_EQ(at(h.fields(id)["resolution_due"]), at("2026-11-30T18:00:00+08:00"));

  // The field user who recorded it is neither owner nor lead: refused.
  field.clock = at("2026-11-24T10:00:00+08:00");
  h.set_now(field.clock);
  h.reagree(field, id, "2026-12-04T18:00:00+08:00", "客户年底盘点");
  auto refused = h.push(field);
  ASSERT_FALSE(refused.results.empty());
  for (const auto& r : refused.results) EXPECT_EQ(r.status.code(), ErrorCode::kForbidden) << r.op;

  // The owner agrees a new date with the customer.
  Device owner{"pc-svc", "svc.agent"};
  owner.clock = field.clock;
  const PullPage page = h.state().sync->pull(h.who("svc.agent"), 0, 100000);
  ASSERT_TRUE(owner.replica.on_pull(page.entries, page.cursor).is_ok());
  h.add_activity(owner, id, "customer_contact", at("2026-11-23T10:00:00+08:00"), "已电话联系客户");
  h.reagree(owner, id, "2026-12-04T18:00:00+08:00", "客户年底盘点");
  h.push(owner);
  EXPECT_EQ(at(h.fields(id)["resolution_due"]), at("2026-12-04T18:00:00+08:00"));
  EXPECT_EQ(h.count_entries(id, "Resolution due re-agreed with the customer by svc.agent: now 2026-12-04 18:00 "
                                "+08:00 (policy target 2026-11-30 18:00 +08:00). Reason: 客户年底盘点"),
            1u)
      << ::testing::PrintToString(h.sla_entries(id));

  // Past the original target nothing breaches; resolved on 12-02 it is met as re-agreed.
  h.fire_at(at("2026-12-01T09:00:00+08:00"));
  EXPECT_EQ(h.count_entries(id, "[SLA breached] Resolution"), 0u);
  owner.clock = at("2026-12-02T15:00:00+08:00");
  h.set_now(owner.clock);
  for (const char* s : {"triaged", "in_progress", "resolved"}) h.set(owner, id, "status", sync::Value::string(s));
  h.push(owner);
  auto clocks = h.state().sla->request_clocks(id);
  ASSERT_TRUE(clocks.is_ok());
  bool seen = false;
  for (const auto& c : *clocks) {
    if (c.target != SlaTarget::kResolution) continue;
    seen = true;
    EXPECT_EQ(c.outcome, sla::Outcome::kMetReagreed);
    EXPECT_EQ(c.original_due, at("2026-11-30T18:00:00+08:00"));
  }
  EXPECT_TRUE(seen);
  EXPECT_EQ(h.fields(id)["sla_state"], "met");
  h.expect_quiet_restart();

  // Reopened a week after that agreed date, the resolution starts over: the old agreement
  // (12-04, long past) does not breach the new round the moment it begins.
  owner.clock = at("2026-12-11T10:00:00+08:00");
  h.set_now(owner.clock);
  h.set(owner, id, "status", sync::Value::string("reopened"));
  h.push(owner);
  EXPECT_EQ(h.fields(id)["sla_state"], "on_track");
  // Nor are progress updates due at once: their cadence counts from the reopening too.
  EXPECT_EQ(h.fire_at(at("2026-12-11T10:05:00+08:00")), 0u) << h.sla_entries(id).back();
  EXPECT_EQ(h.count_entries(id, "[SLA breached] Resolution"), 0u) << ::testing::PrintToString(h.sla_entries(id));
}

// ---- the warning -> breach -> escalation chain ---------------------------------------------

// Several servers: a server that no longer leads fires nothing; what was due fires once
// when it leads (again).
TEST_F(SlaServiceTest, NothingFiresWhileTheFireGuardSaysThisServerDoesNotLead) {
  const Instant contact = at("2026-11-23T09:00:00+08:00");
  const std::string id = push_urgent_at(contact);
  bool leading = false;
  h.state().sla->set_fire_guard([&leading] { return leading; });
  EXPECT_EQ(h.fire_at(at("2026-11-23T09:31:00+08:00")), 0u);
  EXPECT_EQ(h.count_entries(id, "[SLA breached] First response"), 0u);
  leading = true;
  EXPECT_GT(h.fire_at(at("2026-11-23T09:31:00+08:00")), 0u);
  EXPECT_EQ(h.count_entries(id, "[SLA breached] First response"), 1u) << ::testing::PrintToString(h.sla_entries(id));
}

// A scheduler whose fire guard says no (this server lost the lead, and its leadership loop
// has not stopped the scheduler yet) pauses before asking again: what is due stays due, and
// on a shared database each firing takes the turn to write from the servers that push.
TEST_F(SlaServiceTest, ASchedulerTheFireGuardRefusesPausesInsteadOfSpinning) {
  const std::string id = push_urgent_at(at("2026-11-23T09:00:00+08:00"));
  h.set_now(at("2026-11-23T09:31:00+08:00"));  // the first response is overdue
  std::atomic<int> asked{0};
  h.state().sla->set_fire_guard([&asked] {
    ++asked;
    return false;
  });
  h.state().sla->start_scheduler();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (asked.load() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  // Well within the pause: a spinning scheduler asks thousands of times meanwhile.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  h.state().sla->stop_scheduler();
  EXPECT_GE(asked.load(), 1) << "the scheduler never tried to fire";
  EXPECT_LE(asked.load(), 2) << "the scheduler asked the fire guard again without pausing";
  EXPECT_EQ(h.count_entries(id, "[SLA breached] First response"), 0u);
}

TEST_F(SlaServiceTest, EscalationsNameOnlyActivePeopleAndCountTheRestRight) {
  // The lead left (disabled), and there are five coordinators.
  ASSERT_TRUE(h.state().storage->set_user_active("svc.lead", false));
  for (const char* c : {"coord.b", "coord.c", "coord.d", "coord.e"}) h.add_user(c, Role::kCoordinator, "HQ");
  const std::string id = push_urgent_at(at("2026-11-23T09:00:00+08:00"));
  field.clock = at("2026-11-23T09:01:00+08:00");
  h.set_now(field.clock);
  h.set(field, id, "status", sync::Value::string("triaged"));
  h.push(field);
  h.fire_at(at("2026-11-23T09:30:00+08:00"));
  EXPECT_EQ(h.count_entries(id, "escalated to the team lead (team SVC has no active lead)."), 1u)
      << ::testing::PrintToString(h.sla_entries(id));
  h.fire_at(at("2026-11-23T09:45:00+08:00"));
  // Three named and two more (it said "and 5 more"); the Chinese counts all five.
  EXPECT_EQ(h.count_entries(id, "escalated to the coordinators (coord, coord.b, coord.c and 2 more)."), 1u)
      << ::testing::PrintToString(h.sla_entries(id));
  EXPECT_EQ(h.count_entries(id, "已升级至协调员（coord, coord.b, coord.c 等 5 人）"), 1u);
}

TEST_F(SlaServiceTest, WarningThenBreachThenEscalation) {
  const Instant contact = at("2026-11-23T09:00:00+08:00");
  const std::string id = push_urgent_at(contact);
  // Triage is recorded at once, so only the first-response chain (30 min, 24x7) runs here.
  field.clock = at("2026-11-23T09:01:00+08:00");
  h.set_now(field.clock);
  h.set(field, id, "status", sync::Value::string("triaged"));
  h.push(field);

  EXPECT_EQ(h.fire_at(at("2026-11-23T09:22:00+08:00")), 0u);
  EXPECT_EQ(h.state().sla->next_due(), at("2026-11-23T09:22:30+08:00"));  // 75 % of 30 min

  h.fire_at(at("2026-11-23T09:22:30+08:00"));
  EXPECT_EQ(h.count_entries(id, "[SLA at risk] First response is due at 2026-11-23 09:30 +08:00; of its 30 min "
                                "target, 75% is used."),
            1u)
      << ::testing::PrintToString(h.sla_entries(id));
  EXPECT_EQ(h.fields(id)["sla_state"], "warning");
  EXPECT_EQ(h.fields(id)["sla_breached"], "");
  EXPECT_EQ(h.fields(id)["escalation_level"], "");

  h.fire_at(at("2026-11-23T09:30:00+08:00"));  // exactly at the due time
  EXPECT_EQ(h.count_entries(id, "[SLA breached] First response was due at 2026-11-23 09:30 +08:00; escalated to "
                                "the team lead svc.lead."),
            1u);
  EXPECT_EQ(h.fields(id)["sla_state"], "breached");
  EXPECT_EQ(h.fields(id)["sla_breached"], "true");
  EXPECT_EQ(h.fields(id)["escalation_level"], "1");

  EXPECT_EQ(h.fire_at(at("2026-11-23T09:44:00+08:00")), 0u);
  h.fire_at(at("2026-11-23T09:45:00+08:00"));  // 50 % of the target after the breach
  EXPECT_EQ(h.count_entries(id, "[Escalated] First response overdue since 2026-11-23 09:30 +08:00; escalated to the "
                                "coordinators (coord)."),
            1u);
  EXPECT_EQ(h.count_entries(id, "已升级至协调员（coord）"), 1u);
  EXPECT_EQ(h.fields(id)["escalation_level"], "2");

  // Firing again changes nothing: every event fires once.
  const size_t entries = h.sla_entries(id).size();
  EXPECT_EQ(h.fire_at(at("2026-11-23T09:50:00+08:00")), 0u);
  EXPECT_EQ(h.sla_entries(id).size(), entries);

  // The answer reaches the customer: the clock stops; the breach stays on the record.
  field.clock = at("2026-11-23T09:55:00+08:00");
  h.set_now(field.clock);
  h.add_activity(field, id, "customer_contact", field.clock, "已电话回复客户");
  h.push(field);
  EXPECT_EQ(h.fields(id)["sla_state"], "on_track");
  EXPECT_EQ(h.fields(id)["sla_breached"], "true");
}

// ---- progress reminders ------------------------------------------------------------------

TEST_F(SlaServiceTest, ProgressRemindersRepeatAtTheCadence) {
  const Instant contact = at("2026-11-23T09:00:00+08:00");
  h.set_now(contact);
  field.clock = contact;
  const std::string urgent = h.new_request(field, contact, {{"priority", "urgent"}});
  const std::string medium = h.new_request(field, contact);
  h.push(field);  // both assigned to svc.agent at 09:00
  field.clock = at("2026-11-23T09:10:00+08:00");
  h.set_now(field.clock);
  for (const auto& id : {urgent, medium}) {
    h.set(field, id, "status", sync::Value::string("triaged"));
    h.set(field, id, "status", sync::Value::string("in_progress"));
  }
  h.push(field);

  const std::string kReminder = "[Progress update due]";
  h.fire_at(at("2026-11-23T10:59:00+08:00"));
  EXPECT_EQ(h.count_entries(urgent, kReminder), 0u);
  h.fire_at(at("2026-11-23T11:00:00+08:00"));  // urgent: every 2 h since the assignment
  EXPECT_EQ(h.count_entries(urgent, "[Progress update due] Urgent requests need a progress update every 2 h; none "
                                    "since 2026-11-23 09:00 +08:00 (reminder 1)."),
            1u)
      << ::testing::PrintToString(h.sla_entries(urgent));
  h.fire_at(at("2026-11-23T13:00:00+08:00"));
  EXPECT_EQ(h.count_entries(urgent, "(reminder 2)"), 1u);

  // A progress update restarts the cadence.
  field.clock = at("2026-11-23T13:30:00+08:00");
  h.set_now(field.clock);
  h.add_activity(field, urgent, "progress", field.clock, "已定位问题，正在更换设备");
  h.push(field);
  h.fire_at(at("2026-11-23T15:00:00+08:00"));
  EXPECT_EQ(h.count_entries(urgent, kReminder), 2u);
  h.fire_at(at("2026-11-23T15:30:00+08:00"));
  EXPECT_EQ(h.count_entries(urgent, "none since 2026-11-23 13:30 +08:00 (reminder 1)"), 1u);
  // Reminders missed together collapse into the latest one (17:30, 19:30, 21:30 -> one).
  h.fire_at(at("2026-11-23T21:31:00+08:00"));
  EXPECT_EQ(h.count_entries(urgent, kReminder), 4u);
  EXPECT_EQ(h.count_entries(urgent, "(reminder 4)"), 1u);

  // Long-running work: every 24 h.
  EXPECT_EQ(h.count_entries(medium, kReminder), 0u);
  h.fire_at(at("2026-11-24T09:00:00+08:00"));
  EXPECT_EQ(h.count_entries(medium, "Medium requests need a progress update every 24 h"), 1u);
  h.fire_at(at("2026-11-25T09:00:00+08:00"));
  EXPECT_EQ(h.count_entries(medium, kReminder), 2u);
  h.expect_quiet_restart();
}

// ---- restart -----------------------------------------------------------------------------

TEST_F(SlaServiceTest, RestartFiresMissedDeadlinesExactlyOnce) {
  const Instant contact = at("2026-11-23T09:00:00+08:00");
  const std::string id = push_urgent_at(contact);
  EXPECT_EQ(h.fire_at(contact), 0u);

  // Down from 09:00 to 12:00: first response (30 min) and triage (1 h) both went through
  // warning, breach and level 2 meanwhile.
  h.set_now(at("2026-11-23T12:00:00+08:00"));
  h.reopen();
  EXPECT_EQ(h.fire_at(at("2026-11-23T12:00:00+08:00")), 6u);
  EXPECT_EQ(h.count_entries(id, "[SLA breached] First response"), 1u);
  EXPECT_EQ(h.count_entries(id, "[SLA breached] Triage"), 1u);
  EXPECT_EQ(h.count_entries(id, "[Escalated]"), 2u);
  const size_t entries = h.sla_entries(id).size();

  // A second restart over the same data: nothing fires twice.
  h.set_now(at("2026-11-23T12:01:00+08:00"));
  h.reopen();
  EXPECT_EQ(h.fire_at(at("2026-11-23T12:01:00+08:00")), 0u);
  EXPECT_EQ(h.sla_entries(id).size(), entries);
  auto ledger = h.state().storage->load_sla_fired();
  ASSERT_TRUE(ledger.is_ok());
  EXPECT_EQ(ledger->size(), 6u);
  // And the state written before the restart is still what the clocks say.
  EXPECT_EQ(h.fields(id)["sla_state"], "breached");
  EXPECT_EQ(h.fields(id)["escalation_level"], "2");
  // Later deadlines still fire after the restarts (urgent resolution: warning at 15:00).
  EXPECT_EQ(h.fire_at(at("2026-11-23T15:00:00+08:00")), 1u);
  EXPECT_EQ(h.count_entries(id, "[SLA at risk] Resolution"), 1u);
}

}  // namespace
}  // namespace rapidesk::server
