// The review endpoints on a real server state (SQLite in a temp dir, the real sync and SLA
// services): a fixed data set whose medians, p90 and SLA met % were worked out by hand,
// per-caller authorisation, CSV safety and parameter errors.
#include <gtest/gtest.h>

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "rapidesk/shared/csv.h"
#include "sla_harness.h"

namespace rapidesk::server {
namespace {

using testing::at;
using testing::Device;
using testing::SlaHarness;

constexpr const char* kWeek = "/api/v1/reports/summary?from=2026-11-16&to=2026-11-22";

// Period: Mon 2026-11-16 .. Sun 2026-11-22 (+08:00). Business hours 09-12, 13-18 on weekdays.
//   A (north) contact Mon 10:00, answer 10:30, resolved Mon 11:00, satisfaction 4
//   B (north) contact Mon 10:00, answer 11:00, resolved Tue 10:00, satisfaction 2
//   C (north) contact Tue 09:00, answer Wed 09:30 (first response due Tue 18:00: missed)
//   D (south) contact Wed 10:00, answer 10:15, resolved Wed 14:00, satisfaction 5
//   E (south) contact Mon 2026-11-09 10:00 (previous week), answer 10:20, resolved 12:00
class ReportRoutesTest : public ::testing::Test {
 protected:
  ReportRoutesTest() : h(at("2026-11-23T09:00:00+08:00")) {
    h.add_team("NORTH");
    h.add_team("SOUTH");
    h.add_team("HQ");
    h.add_user("coord", Role::kCoordinator, "HQ");
    h.add_user("field.north", Role::kField, "NORTH");
    h.add_user("field.south", Role::kField, "SOUTH");
    a = record(north, "2026-11-16T10:00", "2026-11-16T10:30", "2026-11-16T11:00", 4, "打印机卡纸");
    b = record(north, "2026-11-16T10:00", "2026-11-16T11:00", "2026-11-17T10:00", 2, "打印机卡纸");
    c = record(north, "2026-11-17T09:00", "2026-11-18T09:30", "", 0, "网络断开无法登录");
    // A device clock never runs backwards: south's earlier request comes first.
    e = record(south, "2026-11-09T10:00", "2026-11-09T10:20", "2026-11-09T12:00", 0, "发票抬头错误");
    d = record(south, "2026-11-18T10:00", "2026-11-18T10:15", "2026-11-18T14:00", 5,
               "=HYPERLINK(\"http://evil.example\",\"click\")");
  }

  // One request through its life, each step pushed at its own device time.
  std::string record(Device& dev, const std::string& contacted, const std::string& answered,
                     const std::string& resolved, int satisfaction, const std::string& description) {
    const std::string team = dev.user == "field.north" ? "NORTH" : "SOUTH";
    dev.clock = at(contacted + ":00+08:00");
    const std::string id = h.new_request(dev, dev.clock,
                                         {{"team", team},
                                          {"owner", dev.user},
                                          {"contact", "13812345678"},
                                          {"description", description}});
    h.push(dev);
    dev.clock = at(answered + ":00+08:00");
    h.set(dev, id, "status", sync::Value::string("triaged"));
    h.set(dev, id, "status", sync::Value::string("in_progress"));
    h.add_activity(dev, id, "customer_contact", dev.clock, "已回复客户");
    h.push(dev);
    if (!resolved.empty()) {
      dev.clock = at(resolved + ":00+08:00");
      h.set(dev, id, "status", sync::Value::string("resolved"));
      if (satisfaction) h.set(dev, id, "satisfaction", sync::Value::integer(satisfaction));
      h.push(dev);
    }
    return id;
  }

  nlohmann::json summary(const std::string& user, const std::string& target = kWeek) {
    HttpResponse r = h.request("GET", target, {}, h.token_for(user));
    EXPECT_EQ(r.status, 200) << r.body;
    return nlohmann::json::parse(r.body, nullptr, false);
  }

  SlaHarness h;
  Device north{"laptop-north", "field.north"};
  Device south{"laptop-south", "field.south"};
  std::string a, b, c, d, e;
};

TEST_F(ReportRoutesTest, CoordinatorFiguresMatchTheHandComputedOnes) {
  const nlohmann::json s = summary("coord");
  const nlohmann::json& t = s["total"];
  EXPECT_EQ(t["opened"], 4);
  EXPECT_EQ(t["resolved"], 3);
  EXPECT_EQ(t["backlog_at_end"], 1);  // C
  // First response, calendar: 15 min, 30 min, 1 h, 24.5 h -> median rank 2, p90 rank 4.
  EXPECT_EQ(t["first_response"]["calendar"]["count"], 4);
  EXPECT_EQ(t["first_response"]["calendar"]["median_ms"], 1'800'000);
  EXPECT_EQ(t["first_response"]["calendar"]["p90_ms"], 88'200'000);
  // Working: C is Tue 09:00 -> Wed 09:30 = 8 h + 30 min of business hours.
  EXPECT_EQ(t["first_response"]["working"]["median_ms"], 1'800'000);
  EXPECT_EQ(t["first_response"]["working"]["p90_ms"], 30'600'000);
  // Resolution: A 1 h, D 4 h, B 24 h calendar; A 1 h, D 3 h (lunch), B 8 h working.
  EXPECT_EQ(t["resolution"]["calendar"]["median_ms"], 14'400'000);
  EXPECT_EQ(t["resolution"]["calendar"]["p90_ms"], 86'400'000);
  EXPECT_EQ(t["resolution"]["working"]["median_ms"], 10'800'000);
  EXPECT_EQ(t["resolution"]["working"]["p90_ms"], 28'800'000);
  // First response SLA (medium: 8 working hours): A, B, D met, C missed.
  const nlohmann::json& fr = t["sla"]["first_response"];
  EXPECT_EQ(fr["met_original"], 3);
  EXPECT_EQ(fr["met_reagreed"], 0);
  EXPECT_EQ(fr["missed"], 1);
  EXPECT_DOUBLE_EQ(fr["met_percent"].get<double>(), 75.0);
  // Satisfaction 4, 2, 5.
  EXPECT_DOUBLE_EQ(t["satisfaction"]["mean"].get<double>(), 11.0 / 3.0);
  EXPECT_EQ(t["satisfaction"]["counts"]["2"], 1);
  EXPECT_EQ(t["satisfaction"]["counts"]["3"], 0);
  EXPECT_EQ(t["satisfaction"]["counts"]["5"], 1);
  EXPECT_EQ(t["reopened"], 0);
  EXPECT_DOUBLE_EQ(t["reopen_rate_percent"].get<double>(), 0.0);
  // The week before holds E only.
  EXPECT_EQ(s["previous"]["figures"]["opened"], 1);
  EXPECT_EQ(s["previous"]["figures"]["resolved"], 1);
  EXPECT_EQ(s["previous"]["start"], "2026-11-09T00:00:00.000+08:00");
  EXPECT_EQ(s["period"]["end"], "2026-11-23T00:00:00.000+08:00");
  // Default grouping is category; by team the two teams split 3 / 1.
  const nlohmann::json by_team = summary("coord", std::string(kWeek) + "&group=team");
  EXPECT_EQ(by_team["groups"]["NORTH"]["opened"], 3);
  EXPECT_EQ(by_team["groups"]["SOUTH"]["opened"], 1);
  // A and B describe the same problem: one recurring cluster, led by the earlier request.
  ASSERT_EQ(s["recurring"].size(), 1u) << s["recurring"].dump();
  EXPECT_EQ(s["recurring"][0]["count"], 2);
  EXPECT_EQ(s["recurring"][0]["example_numbers"][0], h.fields(a)["number"]);
}

TEST_F(ReportRoutesTest, FieldUserSeesOnlyTheirTeamsFigures) {
  const nlohmann::json s = summary("field.north", std::string(kWeek) + "&group=team");
  EXPECT_EQ(s["total"]["opened"], 3);  // A, B, C; not D
  EXPECT_EQ(s["total"]["resolved"], 2);
  EXPECT_EQ(s["total"]["first_response"]["calendar"]["median_ms"], 3'600'000);
  EXPECT_FALSE(s["groups"].contains("SOUTH"));
  EXPECT_EQ(s["previous"]["figures"]["opened"], 0);  // E is south's
  const std::string csv = h.request("GET", "/api/v1/reports/requests.csv?from=2026-11-16&to=2026-11-22", {},
                                    h.token_for("field.north")).body;
  EXPECT_EQ(csv.find("HYPERLINK"), std::string::npos);
  EXPECT_NE(csv.find(h.fields(c)["number"]), std::string::npos);
}

TEST_F(ReportRoutesTest, CsvDefusesFormulasAndMasksContactsLikeTheReadApi) {
  HttpResponse r = h.request("GET", "/api/v1/reports/requests.csv?from=2026-11-16&to=2026-11-22", {},
                             h.token_for("coord"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(r.body.rfind("\xEF\xBB\xBF" "number,customer,contact,", 0), 0u);
  EXPECT_NE(r.body.find("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\""), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find(",=HYPERLINK"), std::string::npos);
  EXPECT_EQ(r.body.find(h.fields(e)["number"]), std::string::npos) << "E was contacted the week before";
  auto rows = parse_csv(r.body);
  ASSERT_TRUE(rows.is_ok());
  EXPECT_EQ(rows->size(), 5u);  // header + A..D

  // A field user's contact cells are exactly what GET /api/v1/requests shows them.
  const std::string token = h.token_for("field.north");
  auto list = nlohmann::json::parse(h.request("GET", "/api/v1/requests?limit=100", {}, token).body);
  auto mine = parse_csv(h.request("GET", "/api/v1/reports/requests.csv?from=2026-11-16&to=2026-11-22", {}, token).body);
  ASSERT_TRUE(mine.is_ok());
  ASSERT_EQ(mine->size(), 4u);
  for (size_t i = 1; i < mine->size(); ++i) {
    bool found = false;
    for (const auto& req : list["requests"]) {
      if (req["number"] == (*mine)[i][0]) {
        found = true;
        EXPECT_EQ(req["contact"], (*mine)[i][2]);
      }
    }
    EXPECT_TRUE(found) << (*mine)[i][0];
  }

  HttpResponse sum = h.request("GET", "/api/v1/reports/summary.csv?from=2026-11-16&to=2026-11-22", {},
                               h.token_for("coord"));
  ASSERT_EQ(sum.status, 200);
  EXPECT_NE(sum.body.find("total,first_response.calendar.median_ms,1800000\r\n"), std::string::npos) << sum.body;
  EXPECT_NE(sum.body.find("total,sla.first_response.met_percent,75.0\r\n"), std::string::npos);
}

TEST_F(ReportRoutesTest, BadParametersAre400WithBilingualMessages) {
  const std::string token = h.token_for("coord");
  for (const std::string target :
       {"/api/v1/reports/summary?group=weather", "/api/v1/reports/summary?from=2026-13-01",
        "/api/v1/reports/summary?from=2026-11-22&to=2026-11-16", "/api/v1/reports/summary?colour=red",
        "/api/v1/reports/summary?utc_offset=moon", "/api/v1/reports/summary?from=2024-01-01&to=2026-01-01",
        "/api/v1/reports/summary.csv?group=weather", "/api/v1/reports/requests.csv?group=team"}) {
    HttpResponse r = h.request("GET", target, {}, token);
    EXPECT_EQ(r.status, 400) << target;
    auto body = nlohmann::json::parse(r.body, nullptr, false);
    EXPECT_EQ(body["error"]["code"], "invalid") << target;
    EXPECT_FALSE(body["error"]["message"].get<std::string>().empty());
    EXPECT_FALSE(body["error"]["message_zh"].get<std::string>().empty());
  }
  EXPECT_EQ(h.request("GET", kWeek, {}, {}).status, 401);
}

TEST_F(ReportRoutesTest, AServerThatStoppedTakingChangesStillReportsWhatItHolds) {
  // A server task that throws after an edit stops changes, as a failed commit would.
  const Status stopped = h.state().sync->run_server_task([&](ServerEdits& edits) -> std::vector<std::string> {
    (void)edits.edit("request", c, "title", sync::Value::string("half merged"));
    throw std::runtime_error("merge broke");
  });
  ASSERT_EQ(stopped.code(), ErrorCode::kInternal);
  ASSERT_FALSE(h.state().sync->health());
  // The review reads what the server holds, as the request list does; it took the writer's
  // turn before, was refused, and the report counted nothing.
  const nlohmann::json s = summary("coord");
  EXPECT_EQ(s["total"]["opened"], 4);
  EXPECT_EQ(s["total"]["resolved"], 3);
  EXPECT_EQ(s["total"]["sla"]["first_response"]["missed"], 1);
  auto clocks = h.state().sla->request_clocks(c);
  ASSERT_TRUE(clocks.is_ok()) << clocks.status().message().en;
  EXPECT_FALSE(clocks->empty());
}

TEST_F(ReportRoutesTest, DefaultPeriodIsTheLastSevenDaysAtPlus8) {
  const nlohmann::json s = summary("coord", "/api/v1/reports/summary");
  EXPECT_EQ(s["from"], "2026-11-17");
  EXPECT_EQ(s["to"], "2026-11-23");
  EXPECT_EQ(s["utc_offset"], "+08:00");
  EXPECT_EQ(s["total"]["opened"], 2);  // C, D
  // An offset written as the docs show it, '+' unencoded, means the same.
  const nlohmann::json plain = summary("coord", "/api/v1/reports/summary?utc_offset=+05:30");
  EXPECT_EQ(plain["utc_offset"], "+05:30");
}

}  // namespace
}  // namespace rapidesk::server
