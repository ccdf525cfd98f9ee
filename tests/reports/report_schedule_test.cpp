// Scheduled reports on a real server state with a hand-moved clock, delivered to real HTTP
// receivers on loopback: each period's report is sent once, a restart does not resend it,
// a period that fell due while the server was down is sent once at start, and a receiver
// that failed gets the report when it is back.
#include "rapidesk/server/report_schedule.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "webhook_receiver.h"

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "sla_harness.h"

namespace rapidesk::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;
using testing::at;
using testing::Device;
using testing::SlaHarness;

using Receiver = rapidesk_test::WebhookReceiver;

ServerConfig config_with(std::vector<notify::WebhookTarget> hooks) {
  ServerConfig c;
  c.webhooks = std::move(hooks);
  return c;
}

ReportScheduleOptions fast(const ServerConfig& config) {
  ReportScheduleOptions o = report_schedule_options(config);
  o.retry.max_attempts = 2;
  o.retry.first_backoff = std::chrono::milliseconds(10);
  o.retry.timeout = std::chrono::milliseconds(2000);
  o.retry_interval = std::chrono::milliseconds(0);
  return o;
}

size_t send_due(SlaHarness& h, const ServerConfig& config) {
  ReportSchedule schedule(h.state(), fast(config));
  auto sent = schedule.send_due();
  EXPECT_TRUE(sent.is_ok()) << (sent ? "" : sent.status().message().en);
  return sent ? *sent : 0;
}

TEST(ReportPeriods, WeeklyOnMondayAtTheHourMonthlyOnTheFirst) {
  auto weekly = [](const std::string& now) {
    const ReportPeriod p = latest_due_period(ReportKind::kWeekly, at(now), 8, 480);
    return format_date(p.from) + ".." + format_date(p.to) + " due " + format_iso8601(p.due, 480);
  };
  EXPECT_EQ(weekly("2026-11-23T08:00:00+08:00"), "2026-11-16..2026-11-22 due 2026-11-23T08:00:00.000+08:00");
  EXPECT_EQ(weekly("2026-11-23T07:59:59+08:00"), "2026-11-09..2026-11-15 due 2026-11-16T08:00:00.000+08:00");
  EXPECT_EQ(weekly("2026-11-29T23:00:00+08:00"), "2026-11-16..2026-11-22 due 2026-11-23T08:00:00.000+08:00");
  // Sunday 23:00 UTC is already Monday 07:00 at +08:00: not yet due there.
  EXPECT_EQ(weekly("2026-11-22T23:00:00Z"), "2026-11-09..2026-11-15 due 2026-11-16T08:00:00.000+08:00");
  auto monthly = [](const std::string& now, int offset) {
    const ReportPeriod p = latest_due_period(ReportKind::kMonthly, at(now), 8, offset);
    return format_date(p.from) + ".." + format_date(p.to) + " due " + format_iso8601(p.due, offset);
  };
  EXPECT_EQ(monthly("2026-12-01T08:00:00+08:00", 480), "2026-11-01..2026-11-30 due 2026-12-01T08:00:00.000+08:00");
  EXPECT_EQ(monthly("2026-12-01T07:00:00+08:00", 480), "2026-10-01..2026-10-31 due 2026-11-01T08:00:00.000+08:00");
  EXPECT_EQ(monthly("2027-01-01T09:00:00+08:00", 480), "2026-12-01..2026-12-31 due 2027-01-01T08:00:00.000+08:00");
  EXPECT_EQ(monthly("2027-01-01T07:00:00+08:00", 480), "2026-11-01..2026-11-30 due 2026-12-01T08:00:00.000+08:00");
  EXPECT_EQ(monthly("2026-03-15T12:00:00-05:00", -300), "2026-02-01..2026-02-28 due 2026-03-01T08:00:00.000-05:00");
  EXPECT_EQ(report_ledger_key(latest_due_period(ReportKind::kWeekly, at("2026-11-23T09:00:00+08:00"), 8, 480), "*"),
            "report:weekly:2026-11-16");
  EXPECT_EQ(
      report_ledger_key(latest_due_period(ReportKind::kMonthly, at("2026-12-01T09:00:00+08:00"), 8, 480), "NORTH"),
      "report:monthly:2026-11-01:NORTH");
}

class ReportScheduleTest : public ::testing::Test {
 protected:
  // Starts just before Monday 2026-11-23 08:00, with last week's requests recorded.
  ReportScheduleTest()
      : config(config_with({{"*", all.url(), notify::PayloadTemplate::kGeneric, {}},
                            {"NORTH", north_hook.url(), notify::PayloadTemplate::kWecom, {notify::EventKind::kReport}},
                            {"*", breaches.url(), notify::PayloadTemplate::kGeneric, {notify::EventKind::kBreach}}})),
        h(at("2026-11-23T07:30:00+08:00"), config) {
    h.add_team("NORTH");
    h.add_team("SOUTH");
    h.add_user("field.north", Role::kField, "NORTH");
    h.add_user("field.south", Role::kField, "SOUTH");
    request(north, "NORTH", "2026-11-16T10:00:00+08:00");
    request(north, "NORTH", "2026-11-17T10:00:00+08:00");
    request(south, "SOUTH", "2026-11-18T10:00:00+08:00");
  }

  void request(Device& dev, const std::string& team, const std::string& contacted) {
    dev.clock = at(contacted);
    h.new_request(dev, dev.clock, {{"team", team}, {"owner", dev.user}});
    h.push(dev);
  }

  Receiver all{{200}};
  Receiver north_hook{{200}};
  Receiver breaches{{200}};
  ServerConfig config;
  SlaHarness h;
  Device north{"laptop-north", "field.north"};
  Device south{"laptop-south", "field.south"};
};

TEST_F(ReportScheduleTest, EachPeriodIsSentOnceAcrossRestartsAndAMissedOneOnStart) {
  // First check: the latest weekly (11-09..11-15) and monthly (October) reports were due
  // before this server ever ran; each is sent once, to each audience.
  EXPECT_EQ(send_due(h, config), 4u);
  EXPECT_EQ(send_due(h, config), 0u);
  ASSERT_EQ(all.accepted().size(), 2u);
  EXPECT_EQ(all.accepted()[0]["type"], "report.weekly");
  EXPECT_EQ(all.accepted()[0]["from"], "2026-11-09");
  EXPECT_EQ(all.accepted()[1]["type"], "report.monthly");
  EXPECT_EQ(all.accepted()[1]["from"], "2026-10-01");
  EXPECT_EQ(all.accepted()[1]["to"], "2026-10-31");
  EXPECT_EQ(breaches.posts(), 0u) << "a webhook for breaches only gets no report";

  // Monday 08:00: last week's report, with the week's figures (everyone's for "*").
  h.set_now(at("2026-11-23T08:00:00+08:00"));
  EXPECT_EQ(send_due(h, config), 2u);
  ASSERT_EQ(all.accepted().size(), 3u);
  const nlohmann::json week = all.accepted()[2];
  EXPECT_EQ(week["type"], "report.weekly");
  EXPECT_EQ(week["from"], "2026-11-16");
  EXPECT_EQ(week["to"], "2026-11-22");
  EXPECT_EQ(week["summary"]["total"]["opened"], 3);
  EXPECT_EQ(week["summary"]["from"], "2026-11-16");
  EXPECT_NE(week["text"].get<std::string>().find("周报 2026-11-16 – 2026-11-22：新建 3"), std::string::npos)
      << week["text"];
  // NORTH's chat bot gets NORTH's figures as one line.
  ASSERT_EQ(north_hook.accepted().size(), 3u);
  const std::string line = north_hook.accepted()[2]["text"]["content"];
  EXPECT_NE(line.find("[NORTH] 周报 2026-11-16 – 2026-11-22：新建 2"), std::string::npos) << line;
  EXPECT_NE(line.find("Weekly report 2026-11-16 – 2026-11-22: opened 2"), std::string::npos) << line;

  // A restart after sending does not send again, later that day or that week.
  h.reopen();
  h.set_now(at("2026-11-23T12:00:00+08:00"));
  EXPECT_EQ(send_due(h, config), 0u);
  h.set_now(at("2026-11-29T23:59:00+08:00"));
  EXPECT_EQ(send_due(h, config), 0u);
  EXPECT_EQ(all.accepted().size(), 3u);

  // Down over Monday 11-30 08:00 and over December 1st 08:00: both go out once on start.
  h.reopen();
  h.set_now(at("2026-12-02T10:00:00+08:00"));
  EXPECT_EQ(send_due(h, config), 4u);
  ASSERT_EQ(all.accepted().size(), 5u);
  EXPECT_EQ(all.accepted()[3]["from"], "2026-11-23");
  EXPECT_EQ(all.accepted()[4]["type"], "report.monthly");
  EXPECT_EQ(all.accepted()[4]["from"], "2026-11-01");
  EXPECT_EQ(all.accepted()[4]["summary"]["total"]["opened"], 3);
  h.reopen();
  EXPECT_EQ(send_due(h, config), 0u);
  EXPECT_EQ(all.accepted().size(), 5u);
  EXPECT_EQ(north_hook.accepted().size(), 5u);
}

TEST_F(ReportScheduleTest, AServerThatStoppedTakingChangesSendsNothingUntilRestarted) {
  // It could not record a report as sent, so it would go out again after the restart.
  const Status stopped = h.state().sync->run_server_task([](ServerEdits&) -> std::vector<std::string> {
    throw std::runtime_error("merge broke");
  });
  ASSERT_EQ(stopped.code(), ErrorCode::kInternal);
  EXPECT_EQ(send_due(h, config), 0u);
  EXPECT_EQ(all.posts(), 0u);
  h.reopen();
  EXPECT_EQ(send_due(h, config), 4u);
  EXPECT_EQ(send_due(h, config), 0u);
  EXPECT_EQ(all.accepted().size(), 2u);
}

// Several servers: the one that led before finished a report under way after this one
// had read the ledger, or this one lost the lead. Either way it used to send the report again.
TEST_F(ReportScheduleTest, AReportAnotherServerRecordedOrALostLeadIsNotSent) {
  ReportSchedule schedule(h.state(), fast(config));
  schedule.set_send_guard([] { return false; });  // no longer leading
  auto sent = schedule.send_due();
  ASSERT_TRUE(sent.is_ok());
  EXPECT_EQ(*sent, 0u);
  EXPECT_EQ(all.posts(), 0u);

  // The previous leader records the four reports in the shared ledger after that read.
  std::vector<std::string> keys;
  for (ReportKind kind : {ReportKind::kWeekly, ReportKind::kMonthly}) {
    const ReportPeriod period = latest_due_period(kind, h.state().clock(), 8, 480);
    for (const char* team : {"*", "NORTH"}) keys.push_back(report_ledger_key(period, team));
  }
  ASSERT_TRUE(h.state().sync->run_server_task([&](ServerEdits&) { return keys; }));
  schedule.set_send_guard([] { return true; });
  sent = schedule.send_due();
  ASSERT_TRUE(sent.is_ok());
  EXPECT_EQ(*sent, 0u);
  EXPECT_EQ(all.posts(), 0u);
  EXPECT_EQ(north_hook.posts(), 0u);
}

TEST(ReportSchedule, AReceiverThatFailedGetsTheReportOnceWhenItIsBack) {
  // Two attempts answered 500, then 200.
  Receiver flaky({500, 500, 200});
  const ServerConfig config = config_with({{"*", flaky.url(), notify::PayloadTemplate::kGeneric, {}}});
  SlaHarness h(at("2026-11-23T09:00:00+08:00"), config);
  ReportScheduleOptions options = fast(config);
  options.monthly = false;
  {
    ReportSchedule schedule(h.state(), options);
    auto first = schedule.send_due();
    ASSERT_TRUE(first.is_ok());
    EXPECT_EQ(*first, 0u) << "not delivered: not recorded";
    EXPECT_EQ(flaky.posts(), 2u);
  }
  h.reopen();
  ReportSchedule schedule(h.state(), options);
  auto second = schedule.send_due();
  ASSERT_TRUE(second.is_ok());
  EXPECT_EQ(*second, 1u);
  auto third = schedule.send_due();
  ASSERT_TRUE(third.is_ok());
  EXPECT_EQ(*third, 0u);
  EXPECT_EQ(flaky.posts(), 3u);
  ASSERT_EQ(flaky.accepted().size(), 1u);
  EXPECT_EQ(flaky.accepted()[0]["from"], "2026-11-16");
}

TEST(ReportSchedule, OffWithoutAReportWebhookOrWhenConfiguredOff) {
  ServerConfig none;
  EXPECT_FALSE(report_schedule_options(none).weekly);
  ServerConfig breaches_only =
      config_with({{"*", "http://127.0.0.1:9/", notify::PayloadTemplate::kGeneric, {notify::EventKind::kBreach}}});
  EXPECT_FALSE(report_schedule_options(breaches_only).monthly);
  ServerConfig with_hook = config_with({{"*", "http://127.0.0.1:9/", notify::PayloadTemplate::kGeneric, {}}});
  EXPECT_TRUE(report_schedule_options(with_hook).weekly);
  EXPECT_TRUE(report_schedule_options(with_hook).monthly);
  ASSERT_TRUE(
      apply_config_json(nlohmann::json::parse(R"({"reports": {"weekly": false, "hour": 9, "utc_offset": "+07:00"}})"),
                        with_hook)
          .is_ok());
  const ReportScheduleOptions o = report_schedule_options(with_hook);
  EXPECT_FALSE(o.weekly);
  EXPECT_TRUE(o.monthly);
  EXPECT_EQ(o.hour, 9);
  EXPECT_EQ(o.utc_offset_minutes, 420);
  for (const char* bad : {R"({"reports": {"hour": 24}})", R"({"reports": {"weekly": "yes"}})",
                          R"({"reports": {"utc_offset": "moon"}})", R"({"reports": {"daily": true}})"}) {
    ServerConfig c;
    const Status s = apply_config_json(nlohmann::json::parse(bad), c);
    EXPECT_FALSE(s.is_ok()) << bad;
    EXPECT_NE(s.message().en.find("reports"), std::string::npos) << s.message().en;
  }
}

}  // namespace
}  // namespace rapidesk::server
