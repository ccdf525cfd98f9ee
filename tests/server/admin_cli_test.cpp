// The admin commands, driven with string streams instead of a terminal.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "rapidesk/server/admin_cli.h"
#include "test_support.h"

namespace rapidesk::server {
namespace {

struct CliRun {
  int code;
  std::string out;
  std::string err;
};

CliRun run(const std::filesystem::path& dir, std::vector<std::string> args, const std::string& stdin_text = "") {
  std::istringstream in(stdin_text);
  std::ostringstream out;
  std::ostringstream err;
  const int code = run_admin_command(dir, args, AdminIo{in, out, err, false});
  return {code, out.str(), err.str()};
}

TEST(AdminCli, AddListDisableEnablePasswd) {
  testing::TempDir dir;
  CliRun add = run(dir.path(),
                {"user", "add", "alice", "--role", "coordinator", "--team", "north", "--display-name", "Alice W",
                 "--skills", "billing, vpn", "--password-stdin"},
                "correct horse\n");
  ASSERT_EQ(add.code, 0) << add.err;
  EXPECT_NE(add.out.find("added user alice"), std::string::npos);
  EXPECT_NE(add.out.find("已添加用户"), std::string::npos);
  EXPECT_NE(add.err.find("NORTH"), std::string::npos);  // team created on the fly, with a note
  // A new database is said, with its full path: a mistyped --data is seen at once.
  EXPECT_NE(add.err.find("created a new database " + std::filesystem::absolute(dir.path() / "rapidesk.db").string()),
            std::string::npos)
      << add.err;
  EXPECT_EQ(run(dir.path(), {"user", "list"}).err.find("new database"), std::string::npos) << "said once";

  CliRun list = run(dir.path(), {"user", "list", "--json"});
  ASSERT_EQ(list.code, 0);
  auto users = nlohmann::json::parse(list.out);
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0]["name"], "alice");
  EXPECT_EQ(users[0]["display_name"], "Alice W");
  EXPECT_EQ(users[0]["role"], "coordinator");
  EXPECT_EQ(users[0]["team"], "NORTH");
  EXPECT_EQ(users[0]["skills"], nlohmann::json({"billing", "vpn"}));
  EXPECT_EQ(users[0]["active"], true);

  // The password works, with the trailing newline stripped.
  {
    auto storage = open_sqlite_storage(dir.path());
    ASSERT_TRUE(storage.is_ok());
    auto user = (*storage)->find_user("alice");
    ASSERT_TRUE(user.is_ok());
    EXPECT_TRUE(verify_password(user->password_hash, "correct horse"));
    EXPECT_TRUE(user->password_hash.starts_with("$argon2id$"));
  }

  EXPECT_EQ(run(dir.path(), {"user", "disable", "alice"}).code, 0);
  EXPECT_NE(run(dir.path(), {"user", "list"}).out.find("no"), std::string::npos);
  EXPECT_EQ(run(dir.path(), {"user", "enable", "alice"}).code, 0);
  {
    auto storage = open_sqlite_storage(dir.path());
    ASSERT_TRUE((*storage)->add_token(TokenRecord{"h-laptop", "alice", "laptop", 1, 4'000'000'000'000, false}));
  }
  CliRun passwd = run(dir.path(), {"user", "passwd", "alice", "--password-stdin"}, "new secret\r\n");
  EXPECT_EQ(passwd.code, 0) << passwd.err;
  EXPECT_NE(passwd.out.find("sign in again"), std::string::npos) << passwd.out;
  {
    auto storage = open_sqlite_storage(dir.path());
    auto user = (*storage)->find_user("alice");
    EXPECT_TRUE(verify_password(user->password_hash, "new secret"));
    // A new password ends the sessions of the old one (a stolen token among them).
    EXPECT_TRUE((*storage)->find_token("h-laptop")->revoked);
  }
  EXPECT_EQ(run(dir.path(), {"user", "disable", "ghost"}).code, 1);
}

TEST(AdminCli, ATypedPasswordIsAskedTwice) {
  testing::TempDir dir;
  auto add = [&](const std::string& typed) {
    std::istringstream in(typed);
    std::ostringstream out, err;
    const int code = run_admin_command(
        dir.path(), {"user", "add", "erin", "--role", "agent", "--team", "NORTH", "--password-stdin"},
        AdminIo{in, out, err, /*in_is_terminal=*/true});
    return CliRun{code, out.str(), err.str()};
  };
  // Typed blind on a terminal: two different entries change nothing.
  CliRun differ = add("first-try-1\nfirst-try-2\n");
  EXPECT_EQ(differ.code, 2);
  EXPECT_NE(differ.err.find("differ"), std::string::npos) << differ.err;
  EXPECT_EQ(run(dir.path(), {"user", "list", "--json"}).out.find("erin"), std::string::npos);
  CliRun same = add("second-try\nsecond-try\n");
  EXPECT_EQ(same.code, 0) << same.err;
}

TEST(AdminCli, ClearErrors) {
  testing::TempDir dir;
  CliRun role = run(dir.path(), {"user", "add", "bob", "--role", "boss", "--team", "NORTH", "--password-stdin"}, "pw\n");
  EXPECT_EQ(role.code, 2);
  EXPECT_NE(role.err.find("field, agent, coordinator, admin"), std::string::npos) << role.err;
  EXPECT_NE(role.err.find("未知角色"), std::string::npos);

  CliRun empty = run(dir.path(), {"user", "add", "bob", "--role", "field", "--team", "NORTH", "--password-stdin"}, "\n");
  EXPECT_NE(empty.code, 0);
  EXPECT_NE(empty.err.find("empty"), std::string::npos);

  CliRun no_password = run(dir.path(), {"user", "add", "bob", "--role", "field", "--team", "NORTH"});
  EXPECT_EQ(no_password.code, 2);
  EXPECT_NE(no_password.err.find("--password-stdin"), std::string::npos);

  ASSERT_EQ(run(dir.path(), {"user", "add", "bob", "--role", "field", "--team", "NORTH", "--password-stdin"}, "pw-bob\n")
                .code,
            0);
  CliRun dup = run(dir.path(), {"user", "add", "bob", "--role", "field", "--team", "NORTH", "--password-stdin"}, "x\n");
  EXPECT_EQ(dup.code, 1);
  EXPECT_NE(dup.err.find("already exists"), std::string::npos);

  CliRun bad_name = run(dir.path(), {"user", "add", "Bob Smith", "--role", "field", "--team", "NORTH", "--password-stdin"}, "x\n");
  EXPECT_EQ(bad_name.code, 2);
  CliRun bad_team = run(dir.path(), {"user", "add", "carol", "--role", "field", "--team", "north-east", "--password-stdin"}, "x\n");
  EXPECT_EQ(bad_team.code, 2);
  EXPECT_NE(bad_team.err.find("2 to 8"), std::string::npos);
  EXPECT_EQ(run(dir.path(), {"user", "frob"}).code, 2);
  EXPECT_EQ(run(dir.path(), {"user", "list", "--color"}).code, 2);
  // A switch takes no value: --password-stdin=SECRET would show the password in `ps`.
  CliRun valued = run(dir.path(), {"user", "passwd", "bob", "--password-stdin=hunter22"}, "pw\n");
  EXPECT_EQ(valued.code, 2);
  EXPECT_NE(valued.err.find("takes no value"), std::string::npos) << valued.err;
  // Text of another encoding (a GBK terminal) is refused before anything is stored.
  CliRun gbk = run(dir.path(), {"user", "add", "dan", "--role", "field", "--team", "NORTH", "--display-name",
                                "\xc0\xee", "--password-stdin"},
                   "pw-dan-123\n");
  EXPECT_EQ(gbk.code, 2);
  EXPECT_NE(gbk.err.find("UTF-8"), std::string::npos) << gbk.err;
  CliRun listed = run(dir.path(), {"user", "list", "--json"});
  ASSERT_EQ(listed.code, 0) << listed.err;
  EXPECT_EQ(nlohmann::json::parse(listed.out).size(), 1u) << "dan was not added";
}

TEST(AdminCli, Teams) {
  testing::TempDir dir;
  ASSERT_EQ(run(dir.path(), {"team", "add", "hq", "--name", "Head office"}).code, 0);
  EXPECT_EQ(run(dir.path(), {"team", "add", "HQ", "--name", "Again"}).code, 1);
  EXPECT_EQ(run(dir.path(), {"team", "add", "SOUTH"}).code, 2);  // --name required
  EXPECT_EQ(run(dir.path(), {"team", "add", "SOUTH", "--name", "South", "--lead", "ghost"}).code, 1);
  ASSERT_EQ(run(dir.path(), {"user", "add", "lee", "--role", "admin", "--team", "HQ", "--password-stdin"}, "pw-lee\n").code, 0);
  ASSERT_EQ(run(dir.path(), {"team", "set", "HQ", "--lead", "lee"}).code, 0);
  CliRun list = run(dir.path(), {"team", "list", "--json"});
  auto teams = nlohmann::json::parse(list.out);
  ASSERT_EQ(teams.size(), 1u);
  EXPECT_EQ(teams[0]["code"], "HQ");
  EXPECT_EQ(teams[0]["name"], "Head office");
  EXPECT_EQ(teams[0]["lead"], "lee");
  EXPECT_NE(run(dir.path(), {"team", "list"}).out.find("Head office"), std::string::npos);
}

}  // namespace
}  // namespace rapidesk::server

namespace rapidesk::server {
namespace {

TEST(AdminCli, DemoLoadAddsTeamsAndUsersOnce) {
  testing::TempDir dir;
  const std::string demo = std::string(RAPIDESK_ASSETS_DIR) + "/demo/demo.json";
  CliRun first = run(dir.path(), {"demo", "load", demo});
  ASSERT_EQ(first.code, 0) << first.err;
  CliRun second = run(dir.path(), {"demo", "load", demo});
  ASSERT_EQ(second.code, 0) << second.err;
  EXPECT_NE(second.out.find("0 teams and users added"), std::string::npos);
  auto users = nlohmann::json::parse(run(dir.path(), {"user", "list", "--json"}).out);
  EXPECT_EQ(users.size(), 13u);
  CliRun missing = run(dir.path(), {"demo", "load", "/no/such/file.json"});
  EXPECT_NE(missing.code, 0);
  EXPECT_NE(missing.err.find("cannot read"), std::string::npos);
  // A file of the wrong shape is refused whole, before anything is written (it used to
  // abort on a team given as a string).
  testing::TempDir other;
  const auto odd = other.path() / "odd.json";
  std::ofstream(odd) << R"({"demo_password":"demo-pass","teams":[{"code":"NEW"},"N"],"users":[]})";
  CliRun refused = run(other.path(), {"demo", "load", odd.string()});
  EXPECT_EQ(refused.code, 2);
  EXPECT_NE(refused.err.find("not a demo data file"), std::string::npos) << refused.err;
  EXPECT_EQ(nlohmann::json::parse(run(other.path(), {"team", "list", "--json"}).out).size(), 0u);
}

}  // namespace
}  // namespace rapidesk::server
