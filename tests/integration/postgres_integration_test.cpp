// The real rapidesk-server on PostgreSQL (--database): accounts made with the admin CLI,
// sign-in, push and pull over HTTP, and everything still there after a restart. Each test
// gets its own schema on the tools/postgres-test-server database (RAPIDESK_TEST_PG_URL).
#include <pqxx/pqxx>

#include <cstdlib>

#include "harness.h"
#include "rapidesk/shared/request_number.h"
#include "rapidesk/sync/client_replica.h"
#include "rapidesk/sync/codec.h"

namespace {

using namespace rapidesk_it;
namespace sync = rapidesk::sync;

std::string base_url() {
  const char* env = std::getenv("RAPIDESK_TEST_PG_URL");
  return env != nullptr && *env != '\0' ? env : "postgresql://postgres@127.0.0.1:55432/rapidesk_test";
}

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class PostgresServerTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    std::random_device rd;
    schema_ = "rapidesk_it_" + std::to_string(rd()) + std::to_string(rd());
    try {
      pqxx::connection c(base_url());
      pqxx::nontransaction tx(c);
      tx.exec("CREATE SCHEMA " + schema_);
      created_ = true;
    } catch (const std::exception& e) {
      FAIL() << "cannot prepare a schema on the PostgreSQL test server at " << base_url() << ": " << e.what()
             << "\nStart it with tools/postgres-test-server (tools/test does), or point RAPIDESK_TEST_PG_URL at "
                "another server.";
    }
    url_ = base_url() + (base_url().find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema_;
  }

  void TearDown() override {
    ServerTest::TearDown();
    server_.reset();
    if (!created_) return;
    try {
      pqxx::connection c(base_url());
      pqxx::nontransaction tx(c);
      tx.exec("DROP SCHEMA " + schema_ + " CASCADE");
    } catch (const std::exception& e) {
      ADD_FAILURE() << "dropping " << schema_ << ": " << e.what();
    }
  }

  // `rapidesk-server --data DIR --database URL ARGS...`
  CliResult admin(std::vector<std::string> args, const std::string& input = {}) {
    args.insert(args.begin(), {"--database", url_});
    return run_cli(data_, args, input, log_);
  }

  long long count(const std::string& table) {
    pqxx::connection c(url_);
    pqxx::nontransaction tx(c);
    return tx.exec1("SELECT COUNT(*) FROM " + table)[0].as<long long>();
  }

  // Pulls everything from cursor 0 into `replica`; returns how many entries arrived.
  size_t pull_all(sync::ClientReplica& replica, const std::string& token) {
    size_t total = 0;
    for (;;) {
      Response r = http(port(), "GET", "/api/v1/sync/pull?cursor=" + std::to_string(replica.cursor()) + "&limit=500",
                        {}, {"Authorization: Bearer " + token});
      EXPECT_EQ(r.status, 200) << r.body;
      auto page = sync::decode_pull(r.body);
      EXPECT_TRUE(page.ok());
      if (r.status != 200 || !page.ok()) return total;
      total += page.entries.size();
      EXPECT_TRUE(replica.on_pull(page.entries, page.cursor));
      if (!page.more) return total;
    }
  }

  std::string schema_;
  std::string url_;
  bool created_ = false;
};

sync::ClientReplica make_replica(const std::string& device, const std::string& user) {
  return sync::ClientReplica(sync::ClientOptions{device, user, 1}, [] { return wall_ms(); },
                             [state = std::make_shared<std::mt19937_64>(std::hash<std::string>{}(device))] {
                               return (*state)();
                             });
}

std::vector<sync::FieldEdit> request_fields(const std::string& title) {
  return {{"customer", sync::Value::string("宁波港口服务")},
          {"title", sync::Value::string(title)},
          {"category", sync::Value::string("tech_support")},
          {"channel", sync::Value::string("visit")}};
}

TEST_F(PostgresServerTest, AccountsPushPullAndRestartKeepEverything) {
  CliResult added = admin({"user", "add", "north.field", "--role", "field", "--team", "NORTH", "--password-stdin"},
                          "pw-north-1\n");
  ASSERT_EQ(added.code, 0) << added.out;
  ASSERT_EQ(admin({"user", "add", "coord", "--role", "coordinator", "--team", "HQ", "--password-stdin"}, "pw-coord-1\n").code,
            0);
  CliResult listed = admin({"user", "list", "--json"});
  ASSERT_EQ(listed.code, 0);
  EXPECT_NE(listed.out.find("north.field"), std::string::npos) << listed.out;
  EXPECT_EQ(count("users"), 2);

  start({"--database", url_});
  const std::string token = login("north.field", "pw-north-1");
  ASSERT_FALSE(token.empty());

  // One device records three requests and pushes them.
  sync::ClientReplica laptop = make_replica("pg-laptop", "north.field");
  std::vector<std::string> rows;
  for (const char* title : {"扫码枪无法连接", "发票抬头错误", "Printer offline"}) {
    const std::string row = laptop.new_row_id();
    auto ops = laptop.edit("request", row, request_fields(title));
    ASSERT_TRUE(ops) << ops.status().message().en;
    rows.push_back(row);
  }
  const auto pushed = laptop.next_push();
  ASSERT_FALSE(pushed.empty());
  Response push = http(port(), "POST", "/api/v1/sync/push", sync::encode_push("pg-laptop", pushed),
                       {"Authorization: Bearer " + token});
  ASSERT_EQ(push.status, 200) << push.body;
  auto result = sync::decode_push_result(push.body);
  ASSERT_TRUE(result.ok());
  laptop.on_push_result(result.result);
  EXPECT_EQ(push.json()["acked"].size(), pushed.size()) << push.body;
  EXPECT_TRUE(push.json()["rejected"].empty()) << push.body;

  // A second device of the same user pulls them, with the numbers the server gave.
  sync::ClientReplica phone = make_replica("pg-phone", "north.field");
  const size_t before = pull_all(phone, token);
  EXPECT_GE(before, pushed.size() + rows.size());
  for (const auto& row : rows) {
    auto number = phone.visible().read("request", row, "number");
    ASSERT_TRUE(number) << row;
    EXPECT_TRUE(rapidesk::parse_request_number(number->value.as_string())) << number->value.as_string();
  }
  EXPECT_EQ(count("sync_log"), static_cast<long long>(before));
  // Nothing went to SQLite.
  EXPECT_FALSE(std::filesystem::exists(data_ / "rapidesk.db"));

  // Restart: the log, the sign-in and the numbering all come back from PostgreSQL.
  ASSERT_EQ(server_->terminate_and_wait(10s), 0);
  start({"--database", url_});
  sync::ClientReplica tablet = make_replica("pg-tablet", "north.field");
  EXPECT_EQ(pull_all(tablet, token), before) << "the token issued before the restart still works";
  for (const auto& row : rows) {
    EXPECT_EQ(tablet.visible().read("request", row, "number")->value.as_string(),
              phone.visible().read("request", row, "number")->value.as_string());
  }
  const std::string row = laptop.new_row_id();
  ASSERT_TRUE(laptop.edit("request", row, request_fields("四")));
  Response again = http(port(), "POST", "/api/v1/sync/push", sync::encode_push("pg-laptop", laptop.next_push()),
                        {"Authorization: Bearer " + token});
  ASSERT_EQ(again.status, 200) << again.body;
  pull_all(tablet, token);
  auto fourth = tablet.visible().read("request", row, "number");
  ASSERT_TRUE(fourth);
  EXPECT_NE(fourth->value.as_string().find("-NORTH-0004"), std::string::npos) << fourth->value.as_string();

  // A disabled user is refused at once by the running server.
  ASSERT_EQ(admin({"user", "disable", "north.field"}).code, 0);
  Response refused = http(port(), "GET", "/api/v1/sync/pull?cursor=0&limit=1", {}, {"Authorization: Bearer " + token});
  EXPECT_EQ(refused.status, 401) << refused.body;
}

TEST_F(PostgresServerTest, AnUnreachableDatabaseStopsTheServerWithAClearMessage) {
  std::vector<std::string> args = {RAPIDESK_SERVER_BIN, "--data", data_.string(), "--listen", "127.0.0.1:0",
                                    "--database", "postgresql://rapidesk:hunter22@127.0.0.1:1/nowhere?connect_timeout=2"};
  Child c = spawn(args, "", log_);
  read_all(c.out_fd);
  EXPECT_EQ(wait_exit(c.pid, 20s), 1);
  std::ifstream in(log_);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("cannot connect to PostgreSQL"), std::string::npos) << text.str();
  EXPECT_EQ(text.str().find("hunter22"), std::string::npos) << text.str();
}

}  // namespace
