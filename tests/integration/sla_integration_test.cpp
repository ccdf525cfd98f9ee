// The SLA service in the real server: a new urgent request pushed from a device comes back
// by pull with its number, its owner chosen by rule, its due times and its SLA state.
#include <algorithm>

#include "harness.h"
#include "rapidesk/shared/request_number.h"
#include "rapidesk/shared/time.h"
#include "rapidesk/sync/client_replica.h"
#include "rapidesk/sync/codec.h"
#include "urgent_request.h"

namespace {

using namespace rapidesk_it;
namespace sync = rapidesk::sync;

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class SlaIntegrationTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    add_user("li.wei", "pw-li-wei-1", "agent", "SVC");
    add_user("north.field", "pw-north-1", "field", "NORTH");
    start();
    token_ = login("north.field", "pw-north-1");
    ASSERT_FALSE(token_.empty());
  }
  std::string token_;
};

TEST_F(SlaIntegrationTest, UrgentRequestComesBackNumberedAssignedAndTimed) {
  sync::ClientReplica laptop(sync::ClientOptions{"laptop-north", "north.field", 1}, wall_ms,
                             [rng = std::make_shared<std::mt19937_64>(42)] { return (*rng)(); });
  // The customer called a minute ago.
  const std::int64_t contacted = (wall_ms() / 1000 - 60) * 1000;
  const std::string row = laptop.new_row_id();
  std::vector<sync::FieldEdit> edits = {{"customer", sync::Value::string("华东物流")},
                                        {"title", sync::Value::string("仓库扫码枪全部离线")},
                                        {"category", sync::Value::string("consultation")},
                                        {"priority", sync::Value::string("urgent")},
                                        {"channel", sync::Value::string("phone")},
                                        {"description", sync::Value::string("整个仓库无法出库")},
                                        {"status", sync::Value::string("new")},
                                        {"contacted_at", sync::Value::string(rapidesk::format_iso8601(contacted, 480))}};
  ASSERT_TRUE(laptop.edit("request", row, edits).is_ok());

  Response pushed = http(port(), "POST", "/api/v1/sync/push", sync::encode_push("laptop-north", laptop.next_push()),
                         {"Authorization: Bearer " + token_});
  ASSERT_EQ(pushed.status, 200) << pushed.body;
  auto result = sync::decode_push_result(pushed.body);
  ASSERT_TRUE(result.ok());
  for (const auto& r : result.result.results) EXPECT_NE(r.outcome, sync::Outcome::kRejected) << r.status.message().en;
  laptop.on_push_result(result.result);

  for (bool more = true; more;) {
    Response page = http(port(), "GET", "/api/v1/sync/pull?cursor=" + std::to_string(laptop.cursor()), {},
                         {"Authorization: Bearer " + token_});
    ASSERT_EQ(page.status, 200) << page.body;
    auto decoded = sync::decode_pull(page.body);
    ASSERT_TRUE(decoded.ok());
    ASSERT_TRUE(laptop.on_pull(decoded.entries, decoded.cursor).is_ok());
    more = decoded.more;
  }
  auto read = [&](const char* field) {
    auto v = laptop.visible().read("request", row, field);
    return v && v->value.is_string() ? v->value.as_string() : std::string();
  };
  EXPECT_TRUE(rapidesk::parse_request_number(read("number"))) << read("number");
  EXPECT_NE(read("number").find("-NORTH-0001"), std::string::npos) << read("number");
  // Consultations go to SVC, where li.wei is the only one taking requests.
  EXPECT_EQ(read("team"), "SVC");
  EXPECT_EQ(read("owner"), "li.wei");
  EXPECT_NE(read("assignment_explanation").find("li.wei has load 0"), std::string::npos)
      << read("assignment_explanation");
  // Urgent: first response within 30 min, resolution within 8 h, around the clock, from the
  // contact time recorded on the device.
  auto first = rapidesk::parse_iso8601(read("first_response_due"));
  auto resolution = rapidesk::parse_iso8601(read("resolution_due"));
  ASSERT_TRUE(first.is_ok()) << read("first_response_due");
  ASSERT_TRUE(resolution.is_ok()) << read("resolution_due");
  EXPECT_EQ(*first, contacted + 30 * 60'000);
  EXPECT_EQ(*resolution, contacted + 8 * 3'600'000);
  EXPECT_EQ(read("sla_state"), "on_track");

  // The read API shows the same.
  Response one = http(port(), "GET", "/api/v1/requests/" + row, {}, {"Authorization: Bearer " + token_});
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.json()["owner"], "li.wei");
  EXPECT_EQ(one.json()["sla_state"], "on_track");
}

TEST_F(SlaIntegrationTest, TheSchedulerFiresAMissedDeadlineByItself) {
  sync::ClientReplica laptop(sync::ClientOptions{"laptop-late", "north.field", 1}, wall_ms,
                             [rng = std::make_shared<std::mt19937_64>(7)] { return (*rng)(); });
  // Logged offline 50 minutes after an urgent call: the 30-minute first response is gone.
  const std::int64_t contacted = wall_ms() - 50 * 60'000;
  const std::string row = laptop.new_row_id();
  ASSERT_TRUE(laptop.edit("request", row, urgent_request(contacted)).is_ok());
  Response pushed = http(port(), "POST", "/api/v1/sync/push", sync::encode_push("laptop-late", laptop.next_push()),
                         {"Authorization: Bearer " + token_});
  ASSERT_EQ(pushed.status, 200) << pushed.body;

  // No pull asks for it: the server's own thread fires the breach within moments.
  std::vector<std::string> texts;
  const auto deadline = Clock::now() + 10s;
  while (Clock::now() < deadline) {
    texts.clear();
    Response page = http(port(), "GET", "/api/v1/sync/pull?cursor=0&limit=1000", {}, {"Authorization: Bearer " + token_});
    auto decoded = sync::decode_pull(page.body);
    ASSERT_TRUE(decoded.ok());
    for (const auto& e : decoded.entries) {
      if (e.op.entity == "activity" && e.op.field == "text") texts.push_back(e.op.value.as_string());
    }
    if (std::any_of(texts.begin(), texts.end(), [](const std::string& t) {
          return t.find("[SLA breached] First response") != std::string::npos;
        })) {
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(std::any_of(texts.begin(), texts.end(), [](const std::string& t) {
    return t.find("[SLA breached] First response") != std::string::npos;
  })) << texts.size() << " activity texts";
  EXPECT_TRUE(std::any_of(texts.begin(), texts.end(),
                          [](const std::string& t) { return t.find("Uploaded 50 min after") != std::string::npos; }));
  Response one = http(port(), "GET", "/api/v1/requests/" + row, {}, {"Authorization: Bearer " + token_});
  EXPECT_EQ(one.json()["sla_state"], "breached");
  EXPECT_EQ(one.json()["escalation_level"], "2");
}

TEST_F(SlaIntegrationTest, PolicyIsReadableByAnyoneSignedIn) {
  Response r = http(port(), "GET", "/api/v1/sla/policy", {}, {"Authorization: Bearer " + token_});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.json().contains("rules"));
  Response put = http(port(), "PUT", "/api/v1/sla/policy", r.body, {"Authorization: Bearer " + token_});
  EXPECT_EQ(put.status, 403) << put.body;
}

}  // namespace
