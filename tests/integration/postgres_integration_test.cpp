// The real rapidesk-server on PostgreSQL (--database): accounts made with the admin CLI,
// sign-in, push and pull over HTTP, and everything still there after a restart. Each test
// gets its own schema on the tools/postgres-test-server database (RAPIDESK_TEST_PG_URL).
#include "postgres_fixture.h"
#include "rapidesk/shared/request_number.h"

namespace {

using namespace rapidesk_it;
using namespace rapidesk_pg_it;
namespace sync = rapidesk::sync;

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
