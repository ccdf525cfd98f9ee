// Two real rapidesk-server processes over one PostgreSQL database (and one data directory):
// pushes to either are ordered by one cursor and pulled from the other, the other's
// WebSocket clients hear of them, request numbers never collide, and when the SLA leader is
// killed with SIGKILL the other takes over and every due event fires exactly once.
#include <algorithm>
#include <map>
#include <set>

#include "postgres_fixture.h"
#include "rapidesk/shared/request_number.h"
#include "rapidesk/shared/time.h"
#include "urgent_request.h"

namespace {

using namespace rapidesk_it;
using namespace rapidesk_pg_it;
namespace sync = rapidesk::sync;

class TwoServersTest : public PostgresServerTest {
 protected:
  void SetUp() override {
    PostgresServerTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_EQ(admin({"user", "add", "north.field", "--role", "field", "--team", "NORTH", "--password-stdin"},
                    "pw-north-1\n")
                  .code,
              0);
    ASSERT_EQ(admin({"user", "add", "li.wei", "--role", "agent", "--team", "SVC", "--password-stdin"}, "pw-li-wei-1\n")
                  .code,
              0);
    for (int i = 0; i < 2; ++i) {
      logs_[i] = dir_.path() / ("server-" + std::to_string(i) + ".log");
      servers_[i] = std::make_unique<ServerProcess>(data_, logs_[i], std::vector<std::string>{"--database", url_});
      ASSERT_GT(servers_[i]->port(), 0) << "server " << i << " did not start";
    }
    token_ = login_at(servers_[0]->port(), "north.field", "pw-north-1");
    ASSERT_FALSE(token_.empty());
  }

  void TearDown() override {
    if (HasFailure()) {
      for (const auto& log : logs_) {
        std::ifstream in(log);
        std::cerr << "---- " << log.filename() << " ----\n" << in.rdbuf() << "\n";
      }
    }
    for (auto& s : servers_) s.reset();
    PostgresServerTest::TearDown();
  }

  static std::string login_at(int port, const std::string& user, const std::string& password) {
    Response r = http(port, "POST", "/api/v1/auth/login",
                      nlohmann::json{{"username", user}, {"password", password}, {"device", "it-device"}}.dump());
    return r.status == 200 ? r.json()["token"].get<std::string>() : std::string();
  }

  // -1 if the server does not answer.
  static int leads(int port) {
    Response r = http(port, "GET", "/healthz", {});
    if (r.status != 200) return -1;
    return r.json().value("sla_leader", false) ? 1 : 0;
  }

  // The index of the one leader, waiting up to `timeout` for exactly one; -1 if none.
  int leader(std::chrono::seconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      int found = -1, count = 0;
      for (int i = 0; i < 2; ++i) {
        if (servers_[i] && leads(servers_[i]->port()) == 1) {
          found = i;
          ++count;
        }
      }
      if (count == 1) return found;
      std::this_thread::sleep_for(100ms);
    }
    return -1;
  }

  sync::PushResult push(int port, sync::ClientReplica& replica, const std::string& device) {
    Response r = http(port, "POST", "/api/v1/sync/push", sync::encode_push(device, replica.next_push()),
                      {"Authorization: Bearer " + token_});
    EXPECT_EQ(r.status, 200) << r.body;
    auto decoded = sync::decode_push_result(r.body);
    EXPECT_TRUE(decoded.ok()) << r.body;
    replica.on_push_result(decoded.result);
    return decoded.result;
  }

  // Every entry from cursor 0, as one list.
  std::vector<sync::LogEntry> pull_everything(int port) {
    std::vector<sync::LogEntry> all;
    std::uint64_t cursor = 0;
    for (;;) {
      Response r = http(port, "GET", "/api/v1/sync/pull?cursor=" + std::to_string(cursor) + "&limit=1000", {},
                        {"Authorization: Bearer " + token_});
      EXPECT_EQ(r.status, 200) << r.body;
      auto page = sync::decode_pull(r.body);
      if (r.status != 200 || !page.ok()) return all;
      all.insert(all.end(), page.entries.begin(), page.entries.end());
      cursor = page.cursor;
      if (!page.more) return all;
    }
  }

  std::filesystem::path logs_[2];
  std::unique_ptr<ServerProcess> servers_[2];
  std::string token_;
};

TEST_F(TwoServersTest, PushesToEitherArePulledFromTheOtherInOneOrder) {
  ASSERT_GE(leader(15s), 0) << "no server took the SLA lead";
  // A client of server B listens on B's stream.
  Connection ws(servers_[1]->port());
  ASSERT_EQ(ws_connect(ws, "/api/v1/stream?token=" + token_).status, 101);
  ASSERT_TRUE(ws_read_text(ws, 5s).has_value());  // the current cursor

  // Two devices push alternately, one to each server, four requests each.
  sync::ClientReplica laptop = make_replica("pg2-laptop", "north.field");
  sync::ClientReplica phone = make_replica("pg2-phone", "north.field");
  std::vector<std::string> rows;
  std::string last_laptop_batch;
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < 2; ++i) {
      sync::ClientReplica& device = i == 0 ? laptop : phone;
      const std::string row = device.new_row_id();
      ASSERT_TRUE(device.edit("request", row, request_fields("请求 " + std::to_string(round) + "-" + std::to_string(i))));
      if (i == 0) last_laptop_batch = sync::encode_push("pg2-laptop", laptop.next_push());
      const auto result = push(servers_[i]->port(), device, i == 0 ? "pg2-laptop" : "pg2-phone");
      for (const auto& r : result.results) EXPECT_NE(r.outcome, sync::Outcome::kRejected) << r.status.message().en;
      rows.push_back(row);
    }
  }
  // B's client heard of A's pushes (within moments, through PostgreSQL's NOTIFY).
  bool announced = false;
  for (auto m = ws_read_text(ws, 3s); m; m = ws_read_text(ws, 1s)) {
    if (nlohmann::json::parse(*m, nullptr, false).value("cursor", 0) > 0) announced = true;
  }
  EXPECT_TRUE(announced);

  // Both servers serve the same log: same entries in the same order, seqs without a gap.
  const auto from_a = pull_everything(servers_[0]->port());
  const auto from_b = pull_everything(servers_[1]->port());
  ASSERT_EQ(from_a.size(), from_b.size());
  ASSERT_FALSE(from_a.empty());
  for (size_t i = 0; i < from_a.size(); ++i) {
    EXPECT_EQ(from_a[i].seq, i + 1);
    EXPECT_EQ(from_a[i].op.op, from_b[i].op.op) << "entry " << i + 1;
  }
  EXPECT_EQ(count("sync_log"), static_cast<long long>(from_a.size()));
  // Eight numbers, one per request, none given twice: NORTH-0001 .. NORTH-0008.
  std::map<std::string, std::string> numbers;
  std::set<std::string> server_ops;
  for (const auto& e : from_a) {
    if (e.op.entity == "request" && e.op.field == "number") numbers[e.op.row] = e.op.value.as_string();
    if (e.op.author == "server") {
      EXPECT_TRUE(server_ops.insert(e.op.op).second) << "server op id twice: " << e.op.op;
    }
  }
  ASSERT_EQ(numbers.size(), rows.size());
  std::set<int> sequences;
  for (const auto& [row, number] : numbers) {
    auto n = rapidesk::parse_request_number(number);
    ASSERT_TRUE(n) << number;
    sequences.insert(static_cast<int>(n->sequence));
  }
  EXPECT_EQ(sequences, (std::set<int>{1, 2, 3, 4, 5, 6, 7, 8}));

  // The laptop's last batch, answered by server A, replayed to server B: nothing changes.
  const long long before = count("sync_log");
  Response replay = http(servers_[1]->port(), "POST", "/api/v1/sync/push", last_laptop_batch,
                         {"Authorization: Bearer " + token_});
  ASSERT_EQ(replay.status, 200) << replay.body;
  EXPECT_TRUE(replay.json()["rejected"].empty()) << replay.body;
  EXPECT_EQ(count("sync_log"), before);
}

TEST_F(TwoServersTest, APolicySetWithTheCliReachesBothServersWithinHalfAMinute) {
  const int first = leader(15s);
  ASSERT_GE(first, 0) << "no server took the SLA lead";
  auto policy_at = [&](int i) {
    Response r = http(servers_[i]->port(), "GET", "/api/v1/sla/policy", {}, {"Authorization: Bearer " + token_});
    EXPECT_EQ(r.status, 200) << r.body;
    return nlohmann::json::parse(r.body, nullptr, false);
  };
  nlohmann::json policy = policy_at(0);
  ASSERT_TRUE(policy.is_object());
  ASSERT_EQ(policy, policy_at(1));
  policy["warning_share"] = 0.8;
  const auto file = dir_.path() / "new_policy.json";
  std::ofstream(file) << policy.dump(2);
  // The CLI only writes the shared data directory: each server must notice the file,
  // the one that does not lead as well (its reviews and clocks read its own copy).
  std::filesystem::create_directories(data_);  // the servers keep nothing there yet
  const CliResult set = admin({"sla", "set", file.string()});
  ASSERT_EQ(set.code, 0) << set.out;
  const auto deadline = Clock::now() + 45s;
  bool both = false;
  while (!both && Clock::now() < deadline) {
    both = policy_at(0).value("warning_share", 0.0) == 0.8 && policy_at(1).value("warning_share", 0.0) == 0.8;
    if (!both) std::this_thread::sleep_for(500ms);
  }
  EXPECT_TRUE(both) << "leader: " << policy_at(first).value("warning_share", 0.0)
                    << ", other: " << policy_at(1 - first).value("warning_share", 0.0);
}

TEST_F(TwoServersTest, WhenTheLeaderIsKilledTheOtherFiresEveryDeadlineOnce) {
  const int first = leader(15s);
  ASSERT_GE(first, 0) << "no server took the SLA lead";
  const int other = 1 - first;
  sync::ClientReplica laptop = make_replica("pg2-sla", "north.field");
  auto urgent = [&](std::int64_t contacted) {
    const std::string row = laptop.new_row_id();
    EXPECT_TRUE(laptop.edit("request", row, urgent_request(contacted)).is_ok());
    return row;
  };
  auto breaches = [&](int port) {
    // request id -> how many "first response breached" SLA entries it has
    std::map<std::string, int> out;
    std::map<std::string, std::string> request_of;
    std::vector<std::pair<std::string, std::string>> texts;
    for (const auto& e : pull_everything(port)) {
      if (e.op.entity != "activity") continue;
      if (e.op.field == "request_id") request_of[e.op.row] = e.op.value.as_string();
      if (e.op.field == "text") texts.emplace_back(e.op.row, e.op.value.as_string());
    }
    for (const auto& [row, text] : texts) {
      if (text.find("[SLA breached] First response") != std::string::npos) ++out[request_of[row]];
    }
    return out;
  };

  // Already breached when it arrives (logged offline 50 min after an urgent call): pushed to
  // the other server, fired by the leader, which heard of it through NOTIFY.
  const std::string early = urgent(wall_ms() - 50 * 60'000);
  push(servers_[other]->port(), laptop, "pg2-sla");
  const auto fired_deadline = Clock::now() + 15s;
  while (Clock::now() < fired_deadline && breaches(servers_[other]->port())[early] == 0) std::this_thread::sleep_for(100ms);
  ASSERT_EQ(breaches(servers_[other]->port())[early], 1) << "the leader did not fire a deadline pushed to the other";

  // Due in 3 s: the leader dies before it.
  const std::string late = urgent(wall_ms() - 30 * 60'000 + 3'000);
  push(servers_[other]->port(), laptop, "pg2-sla");
  kill(servers_[first]->pid(), SIGKILL);
  const auto killed_at = Clock::now();
  EXPECT_EQ(leader(15s), other) << "the surviving server did not take the lead";
  const auto takeover = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - killed_at);
  EXPECT_LT(takeover.count(), 5000) << "takeover took " << takeover.count() << " ms";

  const auto deadline = Clock::now() + 20s;
  while (Clock::now() < deadline && breaches(servers_[other]->port())[late] == 0) std::this_thread::sleep_for(200ms);
  // Give a double firing the chance to show.
  std::this_thread::sleep_for(2s);
  const auto counted = breaches(servers_[other]->port());
  EXPECT_EQ(counted.count(early) ? counted.at(early) : 0, 1) << "fired again after the takeover";
  EXPECT_EQ(counted.count(late) ? counted.at(late) : 0, 1) << "not fired exactly once by the new leader";
  // Both firings are in the ledger (each key once: it is the primary key).
  pqxx::connection c(url_);
  pqxx::nontransaction tx(c);
  EXPECT_GE(tx.exec1("SELECT COUNT(*) FROM sla_fired")[0].as<long long>(), 2);
}

}  // namespace
