// Assignment on accept, the SLA policy API and CLI, and webhook delivery of breaches and
// escalations, on a real server state (SQLite in a temp dir, hand-moved clock).
#include <gtest/gtest.h>

#include <sqlite3.h>

#include "webhook_receiver.h"

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "rapidesk/server/admin_cli.h"
#include "rapidesk/server/sla_service.h"
#include "sla_harness.h"

namespace rapidesk::server {
namespace {

using testing::at;
using testing::Device;
using testing::SlaHarness;

// ---- assignment on accept ----------------------------------------------------------------

class AssignmentOnAccept : public ::testing::Test {
 protected:
  AssignmentOnAccept() : h(at("2026-11-23T10:00:00+08:00")) {
    h.add_team("TECH", "tech.lead");
    h.add_team("SVC");
    h.add_team("NORTH");
    h.add_team("HQ");
    h.add_user("li.wei", Role::kAgent, "TECH", {"erp", "network"}, "Li Wei");
    h.add_user("wang.fang", Role::kAgent, "TECH", {"network"}, "Wang Fang");
    h.add_user("tech.lead", Role::kCoordinator, "TECH");  // leads, does not take requests
    h.add_user("field.north", Role::kField, "NORTH");
    h.add_user("coord", Role::kCoordinator, "HQ");
    field.clock = h.now();
  }
  SlaHarness h;
  Device field{"laptop-north", "field.north"};
};

TEST_F(AssignmentOnAccept, RoutesByCategoryAndPicksByLoadAndSkillWithAnExplanation) {
  // Tagged erp: only Li Wei has the skill.
  const std::string erp = h.new_request(field, h.now(), {{"category", "tech_support"}, {"tags", "erp"}});
  auto result = h.push(field);
  for (const auto& r : result.results) EXPECT_NE(r.outcome, sync::Outcome::kRejected) << r.status.message().en;
  auto f = h.fields(erp);
  EXPECT_EQ(f["team"], "TECH");
  EXPECT_EQ(f["owner"], "li.wei");
  EXPECT_EQ(f["assigned_by_rule"], "tech_support → TECH");
  EXPECT_EQ(f["assignment_explanation"],
            "team TECH; Li Wei has load 0, lowest of 1 on duty; skill: erp\n"
            "团队 TECH；Li Wei 当前负载 0，为 1 名在岗人员中最低；技能：erp");
  // The number keeps the team of the person who recorded it, as before assignment.
  EXPECT_NE(f["number"].find("-NORTH-"), std::string::npos) << f["number"];

  // No skill needed: the one with the lower open load gets it (Li Wei now has one).
  const std::string plain = h.new_request(field, h.now(), {{"category", "tech_support"}});
  h.push(field);
  f = h.fields(plain);
  EXPECT_EQ(f["owner"], "wang.fang");
  EXPECT_EQ(f["assignment_explanation"].substr(0, f["assignment_explanation"].find('\n')),
            "team TECH; Wang Fang has load 0, lowest of 2 on duty");

  // A request recorded with an owner is not reassigned; its explanation says "by hand".
  const std::string manual = h.new_request(field, h.now(), {{"category", "tech_support"}, {"owner", "li.wei"}});
  h.push(field);
  f = h.fields(manual);
  EXPECT_EQ(f["owner"], "li.wei");
  EXPECT_EQ(f["assigned_by_rule"], "");
  EXPECT_EQ(f["assignment_explanation"], "assigned by hand by field.north\n由 field.north 手动分派");

  // A coordinator moving a rule-assigned request: a normal owner edit, explained as manual.
  Device coord{"pc-coord", "coord"};
  coord.clock = h.now();
  const PullPage page = h.state().sync->pull(h.who("coord"), 0, 100000);
  ASSERT_TRUE(coord.replica.on_pull(page.entries, page.cursor).is_ok());
  h.set(coord, plain, "owner", sync::Value::string("li.wei"));
  h.push(coord);
  f = h.fields(plain);
  EXPECT_EQ(f["owner"], "li.wei");
  EXPECT_EQ(f["assigned_by_rule"], "");
  EXPECT_EQ(f["assignment_explanation"], "assigned by hand by coord\n由 coord 手动分派");
}

TEST_F(AssignmentOnAccept, RequestsUploadedTogetherAreSpreadByLoad) {
  // A day offline, then one push of four: each decision sees the ones before it. Before,
  // all four went to the same person, each explained with "load 0".
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(h.new_request(field, h.now(), {{"category", "tech_support"}}));
  h.push(field);
  std::map<std::string, int> per_owner;
  for (const auto& id : ids) ++per_owner[h.fields(id)["owner"]];
  EXPECT_EQ(per_owner["li.wei"], 2);
  EXPECT_EQ(per_owner["wang.fang"], 2);
}

TEST_F(AssignmentOnAccept, NobodyAvailableIsExplainedAndTheRequestWaits) {
  // Category "feature" routes to PROD, which this server does not have: the request stays
  // with its creator's team, where nobody takes requests but the field user.
  ASSERT_TRUE(h.state().storage->set_user_active("field.north", false).is_ok());
  h.set_now(h.now() + 20'000);  // past the directory cache
  const std::string id = h.new_request(field, h.now(), {{"category", "feature"}});
  h.push(field);
  auto f = h.fields(id);
  EXPECT_EQ(f["team"], "NORTH");
  EXPECT_EQ(f["owner"], "");
  EXPECT_EQ(f["assigned_by_rule"], "creator's team NORTH (route team PROD does not exist)");
  EXPECT_EQ(f["assignment_explanation"],
            "team NORTH: nobody available (0 on leave, 0 off duty, 1 disabled); the request waits for a coordinator\n"
            "团队 NORTH：无可分派人员（0 人休假，0 人不在岗，1 人已停用）；等待协调员处理");
}

TEST_F(AssignmentOnAccept, UnreadableUsersAndTeamsAssignNobodyAndNameNobodyButSaySo) {
  // The teams table goes away before the server first reads its directory (as when the
  // database is unreachable from the start, or for a new SLA leader).
  auto sql = [&](const char* statement) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((h.data_dir() / "rapidesk.db").c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db, statement, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  };
  sql("ALTER TABLE teams RENAME TO teams_away");
  const std::string id =
      h.new_request(field, h.now(), {{"category", "tech_support"}, {"priority", "high"}});
  h.push(field);
  auto f = h.fields(id);
  EXPECT_EQ(f["owner"], "");
  EXPECT_EQ(f["assignment_explanation"],
            "not assigned automatically: the server could not read its users and teams at the time; a coordinator "
            "assigns it\n未自动分派：服务器当时无法读取用户与团队信息；由协调员分派");
  // Its breach names nobody rather than saying TECH has no lead and nobody coordinates.
  h.fire_at(at("2026-11-24T18:00:00+08:00"));
  bool breached = false, escalated = false;
  for (const auto& text : h.sla_entries(id)) {
    if (text.find("[SLA breached]") != std::string::npos) {
      breached = true;
      EXPECT_NE(text.find("escalated to the team lead."), std::string::npos) << text;
      EXPECT_EQ(text.find("none set"), std::string::npos) << text;
    }
    if (text.find("[Escalated]") != std::string::npos) {
      escalated = true;
      EXPECT_NE(text.find("escalated to the coordinators."), std::string::npos) << text;
      EXPECT_EQ(text.find("none registered"), std::string::npos) << text;
    }
  }
  EXPECT_TRUE(breached && escalated) << ::testing::PrintToString(h.sla_entries(id));

  // Readable again: the next request is assigned as usual.
  sql("ALTER TABLE teams_away RENAME TO teams");
  const std::string next = h.new_request(field, h.now(), {{"category", "tech_support"}});
  h.push(field);
  f = h.fields(next);
  EXPECT_EQ(f["team"], "TECH");
  EXPECT_FALSE(f["owner"].empty()) << f["assignment_explanation"];
}

// ---- the policy API ----------------------------------------------------------------------

class SlaPolicyApi : public ::testing::Test {
 protected:
  SlaPolicyApi() : h(at("2026-11-23T09:00:00+08:00")) {
    h.add_team("SVC");
    h.add_team("HQ");
    h.add_user("agent", Role::kAgent, "SVC");
    h.add_user("admin", Role::kAdmin, "HQ");
  }
  // The default policy with high-priority first responses in 60 instead of 120 minutes.
  std::string faster_policy() {
    auto policy = nlohmann::json::parse(h.state().sla->policy_json());
    for (auto& rule : policy["rules"]) {
      if (rule["target"] == "first_response" && rule.value("priority", "") == "high") rule["minutes"] = 60;
    }
    return policy.dump();
  }
  SlaHarness h;
};

TEST_F(SlaPolicyApi, OnlyAdminsChangeItAndABadPolicyChangesNothing) {
  Device agent_pc{"pc-agent", "agent"};
  agent_pc.clock = h.now();
  const std::string id = h.new_request(agent_pc, h.now(), {{"priority", "high"}});
  h.push(agent_pc);
  EXPECT_EQ(at(h.fields(id)["first_response_due"]), at("2026-11-23T11:00:00+08:00"));

  const std::string agent = h.token_for("agent");
  const std::string admin = h.token_for("admin");
  HttpResponse got = h.request("GET", "/api/v1/sla/policy", {}, agent);
  ASSERT_EQ(got.status, 200) << got.body;
  const std::string original = got.body;
  EXPECT_EQ(nlohmann::json::parse(original)["warning_share"], 0.75);
  EXPECT_EQ(h.request("GET", "/api/v1/sla/policy", {}, {}).status, 401);

  const std::string faster = faster_policy();
  HttpResponse forbidden = h.request("PUT", "/api/v1/sla/policy", faster, agent);
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_EQ(testing::error_code_of(forbidden), "forbidden");

  for (const std::string& bad : {std::string("{\"rules\":[{\"target\":\"first_response\",\"minutes\":30,"
                                            "\"calendar\":\"nowhere\"}]}"),
                                std::string("{\"warning_share\": 7}"), std::string("not json"),
                                std::string(200, '[')}) {
    HttpResponse r = h.request("PUT", "/api/v1/sla/policy", bad, admin);
    EXPECT_EQ(r.status, 400) << bad.substr(0, 40) << " -> " << r.body;
    EXPECT_FALSE(nlohmann::json::parse(r.body)["error"]["message_zh"].get<std::string>().empty());
  }
  EXPECT_EQ(h.request("GET", "/api/v1/sla/policy", {}, agent).body, original);
  EXPECT_FALSE(std::filesystem::exists(h.data_dir() / "sla_policy.json"));
  EXPECT_EQ(at(h.fields(id)["first_response_due"]), at("2026-11-23T11:00:00+08:00"));

  // A valid policy from an admin: stored, and the running clock is recomputed.
  HttpResponse ok = h.request("PUT", "/api/v1/sla/policy", faster, admin);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(at(h.fields(id)["first_response_due"]), at("2026-11-23T10:00:00+08:00"));
  EXPECT_EQ(h.request("GET", "/api/v1/sla/policy", {}, agent).body, faster);

  // It survives a restart.
  h.reopen();
  EXPECT_EQ(h.state().sla->policy_json(), faster);
  EXPECT_EQ(at(h.fields(id)["first_response_due"]), at("2026-11-23T10:00:00+08:00"));
}

TEST_F(SlaPolicyApi, AdminCliShowsAndSetsThePolicy) {
  std::istringstream in;
  std::ostringstream out, err;
  ASSERT_EQ(run_admin_command(h.data_dir(), {"sla", "show"}, AdminIo{in, out, err, false}), 0) << err.str();
  EXPECT_EQ(nlohmann::json::parse(out.str()), nlohmann::json::parse(h.state().sla->policy_json()));

  const auto file = h.data_dir() / "new_policy.json";
  std::ofstream(file) << "{\"warning_share\": 2}";
  out.str("");
  err.str("");
  EXPECT_EQ(run_admin_command(h.data_dir(), {"sla", "set", file.string()}, AdminIo{in, out, err, false}), 2);
  EXPECT_NE(err.str().find("warning_share"), std::string::npos) << err.str();
  EXPECT_FALSE(std::filesystem::exists(h.data_dir() / "sla_policy.json"));

  const std::string faster = faster_policy();
  std::ofstream(file, std::ios::trunc) << faster;
  // The servers' config names an on-duty calendar the policy lacks: they would refuse to
  // start with it, so it is refused here and not stored.
  err.str("");
  EXPECT_EQ(run_admin_command(h.data_dir(), {}, {"sla", "set", file.string()}, AdminIo{in, out, err, false}, "support"),
            2);
  EXPECT_NE(err.str().find("duty_calendar"), std::string::npos) << err.str();
  EXPECT_FALSE(std::filesystem::exists(h.data_dir() / "sla_policy.json"));
  out.str("");
  ASSERT_EQ(run_admin_command(h.data_dir(), {"sla", "set", file.string()}, AdminIo{in, out, err, false}), 0)
      << err.str();
  // The running server picks the file up.
  ASSERT_TRUE(h.state().sla->reload_policy_if_changed().is_ok());
  EXPECT_EQ(h.state().sla->policy_json(), faster);
  out.str("");
  ASSERT_EQ(run_admin_command(h.data_dir(), {"sla", "show"}, AdminIo{in, out, err, false}), 0);
  EXPECT_EQ(nlohmann::json::parse(out.str()), nlohmann::json::parse(faster));
}

TEST_F(SlaPolicyApi, APolicyFileThatCannotBeCheckedKeepsThePolicyInForce) {
  const std::string admin = h.token_for("admin");
  const std::string faster = faster_policy();
  ASSERT_EQ(h.request("PUT", "/api/v1/sla/policy", faster, admin).status, 200);
  // The file is there but cannot be looked at (here a symbolic link to itself; on a share,
  // EACCES or ESTALE): that is not "no file", which would bring back the built-in default.
  const auto file = h.data_dir() / "sla_policy.json";
  std::filesystem::remove(file);
  std::filesystem::create_symlink(file.filename(), file);
  const Status s = h.state().sla->reload_policy_if_changed();
  EXPECT_EQ(s.code(), ErrorCode::kIo);
  EXPECT_NE(s.message().en.find("sla_policy.json"), std::string::npos) << s.message().en;
  EXPECT_EQ(h.state().sla->policy_json(), faster);
  // Said once while the reason stays (this runs every 30 s on every server).
  EXPECT_TRUE(h.state().sla->reload_policy_if_changed().is_ok());
  EXPECT_EQ(h.state().sla->policy_json(), faster);
}

// ---- webhooks ----------------------------------------------------------------------------

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

using Receiver = rapidesk_test::WebhookReceiver;

TEST(SlaWebhooks, BreachesAndEscalationsAreDelivered) {
  Receiver receiver;
  ServerConfig config;
  notify::WebhookTarget target;
  target.team = "*";
  target.url = "http://127.0.0.1:" + std::to_string(receiver.port()) + "/hook";
  target.events = {notify::EventKind::kBreach, notify::EventKind::kEscalation};
  config.webhooks = {target};
  SlaHarness h(at("2026-11-23T09:00:00+08:00"), config);
  h.add_team("SVC");
  h.add_user("agent", Role::kAgent, "SVC");
  Device pc{"pc-agent", "agent"};
  pc.clock = h.now();
  const std::string id = h.new_request(pc, h.now(), {{"priority", "urgent"}, {"team", "SVC"}, {"status", "new"}});
  h.push(pc);
  pc.clock = h.now() + 60'000;
  h.set_now(pc.clock);
  h.set(pc, id, "status", sync::Value::string("triaged"));
  h.push(pc);
  const std::string number = h.fields(id)["number"];

  h.fire_at(at("2026-11-23T09:25:00+08:00"));  // a warning only: not subscribed
  h.fire_at(at("2026-11-23T09:46:00+08:00"));  // breach and level 2
  auto bodies = receiver.wait_for(2);
  ASSERT_EQ(bodies.size(), 2u);
  auto breach = nlohmann::json::parse(bodies[0]);
  auto escalation = nlohmann::json::parse(bodies[1]);
  EXPECT_EQ(breach["event"], "breach");
  EXPECT_EQ(breach["request"]["number"], number);
  EXPECT_EQ(breach["request"]["owner"], "agent");
  EXPECT_NE(breach["message"].get<std::string>().find("First response was due at 2026-11-23 09:30 +08:00"),
            std::string::npos);
  EXPECT_NE(breach["message_zh"].get<std::string>().find("首次响应已于"), std::string::npos);
  EXPECT_EQ(escalation["event"], "escalation");
}

}  // namespace
}  // namespace rapidesk::server
