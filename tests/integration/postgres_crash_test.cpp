// The crash test of the sync integration suite, on PostgreSQL: 2,000 operations pushed in
// small batches while the server is SIGKILLed at random moments and restarted; every
// acknowledged operation is then in the log exactly once and the log has no gap.
#include <atomic>
#include <set>

#include "postgres_fixture.h"

namespace {

using namespace rapidesk_it;
using namespace rapidesk_pg_it;
namespace sync = rapidesk::sync;

TEST_F(PostgresServerTest, CrashTestAcknowledgedOpsSurviveSigkill) {
  ASSERT_EQ(admin({"user", "add", "north.field", "--role", "field", "--team", "NORTH", "--password-stdin"},
                  "pw-north-1\n")
                .code,
            0);
  start({"--database", url_});
  std::string token = login("north.field", "pw-north-1");
  ASSERT_FALSE(token.empty());

  std::mt19937 rng(11);
  sync::ClientReplica device = make_replica("pg-crash", "north.field");
  const std::string row = device.new_row_id();
  ASSERT_TRUE(device.edit("request", row, request_fields("压力测试")));
  std::set<std::string> acknowledged;
  auto push = [&] {
    Response r = http(port(), "POST", "/api/v1/sync/push", sync::encode_push("pg-crash", device.next_push()),
                      {"Authorization: Bearer " + token});
    if (r.status != 200) return false;
    auto result = sync::decode_push_result(r.body);
    if (!result.ok()) return false;
    device.on_push_result(result.result);
    for (const auto& op : result.result.results) {
      if (op.outcome != sync::Outcome::kRejected) acknowledged.insert(op.op);
    }
    return true;
  };
  int kills = 0;
  for (int i = 0; i < 400; ++i) {
    for (int k = 0; k < 5; ++k) {
      ASSERT_TRUE(device.set_field("request", row, "background", sync::Value::string("edit " + std::to_string(i * 5 + k))));
    }
    std::thread killer;
    const bool fire = rng() % 40 == 0;
    if (fire) {
      const auto delay = std::chrono::microseconds(rng() % 3000);
      killer = std::thread([pid = server_->pid(), delay] {
        std::this_thread::sleep_for(delay);
        kill(pid, SIGKILL);
      });
    }
    (void)push();
    if (killer.joinable()) killer.join();
    if (fire) {
      ++kills;
      start({"--database", url_});
      token = login("north.field", "pw-north-1");
    }
  }
  // Whatever was not acknowledged is still queued: send it now.
  while (device.unsent_count() > 0) ASSERT_TRUE(push());
  EXPECT_GT(kills, 3);
  EXPECT_EQ(acknowledged.size(), 2004u);  // 4 intake fields + 2,000 edits

  pqxx::connection c(url_);
  pqxx::nontransaction tx(c);
  std::multiset<std::string> seen;
  for (const auto& r : tx.exec("SELECT entry FROM sync_log")) {
    seen.insert(nlohmann::json::parse(r[0].as<std::string>()).value("op", std::string()));
  }
  for (const auto& op : acknowledged) EXPECT_EQ(seen.count(op), 1u) << op;
  const pqxx::row shape = tx.exec1("SELECT COUNT(*), COALESCE(MIN(seq), 0), COALESCE(MAX(seq), 0) FROM sync_log");
  EXPECT_EQ(shape[1].as<long long>(), 1);
  EXPECT_EQ(shape[2].as<long long>(), shape[0].as<long long>()) << "the log has a gap";
}

}  // namespace
