// rapidesk-cli through the real binary against the real rapidesk-server on loopback.
#include <gtest/gtest.h>

#include <fstream>

#include "harness.h"
#include "rapidesk/client/local_replica.h"
#include "rapidesk/sync/client_replica.h"
#include "rapidesk/sync/codec.h"

namespace {

using namespace rapidesk_it;

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
  nlohmann::json json() const { return nlohmann::json::parse(out, nullptr, false); }
};

class CliTest : public ServerTest {
 protected:
  CliRun cli(const std::string& db, std::vector<std::string> args, const std::string& input = "") {
    std::vector<std::string> argv = {RAPIDESK_CLI_BIN, "--db", (dir_.path() / db).string(), "--lang", "en"};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto err_file = dir_.path() / "cli.err";
    std::filesystem::remove(err_file);
    Child c = spawn(argv, input, err_file);
    CliRun r;
    r.out = read_all(c.out_fd);
    r.code = wait_exit(c.pid, 120s);
    std::ifstream in(err_file);
    std::stringstream text;
    text << in.rdbuf();
    r.err = text.str();
    return r;
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  void sign_in(const std::string& db, const std::string& user) {
    CliRun r = cli(db, {"--server", url(), "login", user, "--password-stdin"}, "pw-" + user + "\n");
    ASSERT_EQ(r.code, 0) << r.err;
  }
  std::string new_request(const std::string& db, const std::string& customer, const std::string& description) {
    CliRun r = cli(db, {"--json", "new", "--customer", customer, "--category", "tech_support", "--channel", "visit",
                     "--description", description, "--title", description});
    EXPECT_EQ(r.code, 0) << r.err;
    return r.json().value("id", "");
  }
  std::size_t local_count(const std::string& db, const std::string& sql) {
    Child c = spawn({"/usr/bin/sqlite3", (dir_.path() / db).string(), sql}, "", dir_.path() / "sqlite.err");
    const std::string out = read_all(c.out_fd);
    wait_exit(c.pid, 10s);
    return out.empty() ? 0 : std::stoul(out);
  }
  // alice (a.db) files a request; both she and bob (b.db) are signed in and synced.
  std::string request_both_have() {
    users();
    start();
    sign_in("a.db", "alice");
    sign_in("b.db", "bob");
    const std::string id = new_request("a.db", "华东医院", "打印机卡纸");
    if (cli("a.db", {"sync"}).code != 0 || cli("b.db", {"sync"}).code != 0) return {};
    return id;
  }
  void users() {
    add_user("alice", "pw-alice", "agent", "SVC");
    add_user("bob", "pw-bob", "field", "SVC");
    add_user("carol", "pw-carol", "coordinator", "SVC");
  }
};

TEST_F(CliTest, EveryCommandWorksAgainstARealServer) {
  users();
  start();
  CliRun help = cli("a.db", {"--help"});
  EXPECT_EQ(help.code, 0);
  for (const char* command : {"login", "logout", "new", "set", "note", "subtask", "show", "list", "sync", "status",
                              "conflicts", "resolve", "dashboard", "kb", "kb-add", "rejected", "export", "import",
                              "report", "attach"}) {
    CliRun h = cli("a.db", {command, "--help"});
    EXPECT_EQ(h.code, 0) << command;
    EXPECT_NE(h.out.find(command), std::string::npos) << command;
  }
  EXPECT_EQ(cli("a.db", {"frobnicate"}).code, 2);
  CliRun no_server = cli("a.db", {"login", "alice", "--password-stdin"}, "pw-alice\n");
  EXPECT_EQ(no_server.code, 2);
  CliRun wrong = cli("a.db", {"--server", url(), "login", "alice", "--password-stdin"}, "nope\n");
  EXPECT_EQ(wrong.code, 1);
  sign_in("a.db", "alice");
  CliRun st = cli("a.db", {"--json", "status"});
  ASSERT_EQ(st.code, 0);
  EXPECT_EQ(st.json()["user"], "alice");
  EXPECT_EQ(st.json()["role"], "agent");

  const std::string id = new_request("a.db", "华东医院", "扫码枪无法连接仓库系统");
  ASSERT_FALSE(id.empty());
  CliRun bad = cli("a.db", {"new", "--customer", "X", "--category", "complaint", "--channel", "phone", "--description", "d",
                         "--satisfaction", "9"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("satisfaction"), std::string::npos) << bad.err;
  EXPECT_EQ(cli("a.db", {"set", id, "status", "triaged", "owner", "alice"}).code, 0);
  EXPECT_EQ(cli("a.db", {"set", id, "collaborators", "+bob"}).code, 0);
  CliRun bad_set = cli("a.db", {"set", id, "progress", "150"});
  EXPECT_EQ(bad_set.code, 1);
  EXPECT_EQ(cli("a.db", {"note", id, "更换", "USB", "线后恢复", "--kind", "solution"}).code, 0);
  EXPECT_EQ(cli("a.db", {"note", id, "现场检查中", "--progress", "30"}).code, 0);
  EXPECT_EQ(cli("a.db", {"subtask", id, "--title", "更换线缆", "--owner", "bob"}).code, 0);

  CliRun show = cli("a.db", {"--json", "show", id});
  ASSERT_EQ(show.code, 0) << show.err;
  nlohmann::json r = show.json();
  EXPECT_EQ(r["id"], id);
  EXPECT_TRUE(r["number"].is_null()) << "no number before the first sync";
  EXPECT_EQ(r["customer"], "华东医院");
  EXPECT_EQ(r["status"], "triaged");
  EXPECT_EQ(r["progress"], 30);
  EXPECT_EQ(r["collaborators"], nlohmann::json::array({"bob"}));
  EXPECT_EQ(r["activities"].size(), 2u);
  EXPECT_EQ(r["subtasks"].size(), 1u);

  CliRun sync = cli("a.db", {"sync"});
  ASSERT_EQ(sync.code, 0) << sync.err;
  EXPECT_NE(sync.out.find("pull"), std::string::npos) << "plain progress lines when not on a terminal";
  show = cli("a.db", {"--json", "show", id});
  const std::string number = show.json()["number"];
  EXPECT_EQ(number.size(), std::string("20261123-SVC-0001").size()) << number;
  EXPECT_EQ(show.json()["unsynced"], 0);
  EXPECT_EQ(cli("a.db", {"--json", "show", number}).json()["id"], id) << "a request is found by its number too";

  CliRun list = cli("a.db", {"--json", "list", "--search", "扫码"});
  ASSERT_EQ(list.code, 0);
  ASSERT_EQ(list.json().size(), 1u);
  EXPECT_EQ(list.json()[0]["id"], id);
  EXPECT_EQ(cli("a.db", {"--json", "list", "--status", "closed"}).json().size(), 0u);
  EXPECT_EQ(cli("a.db", {"list", "--sort", "sideways"}).code, 2);
  EXPECT_EQ(cli("a.db", {"list"}).code, 0);

  EXPECT_EQ(cli("a.db", {"kb-add", "--from-request", id}).code, 0);
  CliRun kb = cli("a.db", {"--json", "kb", "USB"});
  ASSERT_EQ(kb.code, 0);
  ASSERT_EQ(kb.json().size(), 1u);
  EXPECT_NE(kb.json()[0]["body"].get<std::string>().find("USB"), std::string::npos);
  EXPECT_EQ(cli("a.db", {"--json", "kb", "suggest", id}).json().size(), 1u);

  CliRun dash = cli("a.db", {"--json", "dashboard"});
  ASSERT_EQ(dash.code, 0);
  EXPECT_EQ(dash.json()["open"], 1);

  // CSV round trip: BOM, escaping, and an all-or-nothing import.
  const std::string csv = (dir_.path() / "out.csv").string();
  EXPECT_EQ(cli("a.db", {"export", csv}).code, 0);
  std::ifstream in(csv, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text.rfind("\xEF\xBB\xBF", 0), 0u);
  EXPECT_NE(text.find("华东医院"), std::string::npos);
  const std::string import_file = (dir_.path() / "in.csv").string();
  std::ofstream(import_file) << "\xEF\xBB\xBF" "customer,category,channel,description\r\n"
                             << "北方物流,complaint,phone,\"'=HYPERLINK(\"\"http://x\"\")\"\r\n"
                             << "南方电网,consultation,email,咨询发票\r\n";
  CliRun imported = cli("a.db", {"--json", "import", import_file});
  ASSERT_EQ(imported.code, 0) << imported.err;
  EXPECT_EQ(imported.json()["imported"], 2);
  std::ofstream(import_file) << "customer,category,channel,description\r\nA,complaint,phone,ok\r\nB,bogus,phone,x\r\n";
  CliRun refused = cli("a.db", {"import", import_file});
  EXPECT_EQ(refused.code, 1);
  EXPECT_NE(refused.err.find("line 3"), std::string::npos) << refused.err;
  EXPECT_EQ(cli("a.db", {"--json", "list"}).json().size(), 3u) << "the refused file imported nothing";
  std::ofstream(import_file) << "customer,category,channel,description\r\nA,complaint,phone,hello, world\r\n";
  CliRun unquoted = cli("a.db", {"import", import_file});
  EXPECT_EQ(unquoted.code, 1) << "\"hello\" would have been imported without \" world\"";
  EXPECT_NE(unquoted.err.find("line 2: 5 cells, but the header has 4 columns"), std::string::npos) << unquoted.err;
  // Values out of range are found up front too, each with its line.
  std::ofstream(import_file) << "customer,category,channel,description,satisfaction\r\n"
                             << "A,complaint,phone,a,9\r\nB,complaint,phone,b,3\r\nC,complaint,phone,c,0\r\n";
  CliRun ranges = cli("a.db", {"import", import_file});
  EXPECT_EQ(ranges.code, 1);
  EXPECT_NE(ranges.err.find("2 problems"), std::string::npos) << ranges.err;
  EXPECT_NE(ranges.err.find("line 2: "), std::string::npos) << ranges.err;
  EXPECT_NE(ranges.err.find("line 4: "), std::string::npos) << ranges.err;
  // A valid file the disk fills up halfway through: nothing of it is kept, so importing it
  // again once there is room records each request once.
  std::ofstream(import_file) << "customer,category,channel,description\r\nA,complaint,phone,a\r\n"
                             << "B,complaint,phone,b\r\nC,complaint,phone,c\r\n";
  const std::size_t queued = local_count("a.db", "SELECT COUNT(*) FROM outbox");
  local_count("a.db", "CREATE TRIGGER disk_full BEFORE INSERT ON outbox WHEN (SELECT COUNT(*) FROM outbox) >= " +
                          std::to_string(queued + 12) + " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
  CliRun full = cli("a.db", {"import", import_file});
  EXPECT_EQ(full.code, 1);
  EXPECT_NE(full.err.find("Nothing imported: "), std::string::npos) << full.err;
  EXPECT_NE(full.err.find("disk is full"), std::string::npos) << full.err;
  EXPECT_EQ(cli("a.db", {"--json", "list"}).json().size(), 3u) << "a failed import keeps none of its rows";
  EXPECT_EQ(local_count("a.db", "SELECT COUNT(*) FROM outbox"), queued);
  local_count("a.db", "DROP TRIGGER disk_full");
  ASSERT_EQ(cli("a.db", {"import", import_file}).code, 0);
  EXPECT_EQ(cli("a.db", {"--json", "list"}).json().size(), 6u);
  EXPECT_EQ(cli("a.db", {"export", csv}).code, 0);
  std::ifstream in2(csv, std::ios::binary);
  std::string text2((std::istreambuf_iterator<char>(in2)), {});
  EXPECT_NE(text2.find("'=HYPERLINK"), std::string::npos) << "formula cells stay defused";

  EXPECT_EQ(cli("a.db", {"--json", "conflicts"}).json().size(), 0u);
  EXPECT_EQ(cli("a.db", {"--json", "rejected"}).json().size(), 0u);
  EXPECT_EQ(cli("a.db", {"resolve", "cf:nope", "mine"}).code, 1);
  EXPECT_EQ(cli("a.db", {"sync"}).code, 0);
  CliRun report = cli("a.db", {"--json", "report", "--group", "category"});
  ASSERT_EQ(report.code, 0) << report.err;
  EXPECT_TRUE(report.json().is_object()) << report.out;
  // --output saves the server's report in the file's format.
  const std::string xlsx = (dir_.path() / "week.xlsx").string();
  CliRun saved = cli("a.db", {"--json", "report", "--output", xlsx});
  ASSERT_EQ(saved.code, 0) << saved.err;
  EXPECT_EQ(saved.json()["file"], xlsx);
  std::ifstream xlsx_in(xlsx, std::ios::binary);
  std::string xlsx_bytes((std::istreambuf_iterator<char>(xlsx_in)), {});
  EXPECT_EQ(xlsx_bytes.rfind("PK", 0), 0u) << "an xlsx file is a zip container";
  EXPECT_EQ(saved.json()["bytes"], xlsx_bytes.size());
  const std::string page = (dir_.path() / "week.html").string();
  ASSERT_EQ(cli("a.db", {"report", "--output", page}).code, 0);
  std::ifstream page_in(page, std::ios::binary);
  std::string page_text((std::istreambuf_iterator<char>(page_in)), {});
  EXPECT_EQ(page_text.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(cli("a.db", {"report", "--output", (dir_.path() / "week.txt").string()}).code, 2);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "week.txt"));
  CliRun bad_report = cli("a.db", {"report", "--group", "colour"});
  EXPECT_EQ(bad_report.code, 1);
  EXPECT_FALSE(bad_report.err.empty());
  EXPECT_EQ(cli("a.db", {"logout"}).code, 0);
  CliRun after = cli("a.db", {"sync"});
  EXPECT_EQ(after.code, 1);
  EXPECT_NE(after.err.find("sign in"), std::string::npos) << after.err;
}

TEST_F(CliTest, OptionsThatAreMistypedOrOutOfRangeAreRefusedNotIgnored) {
  users();
  start();
  sign_in("a.db", "alice");
  const std::string id = new_request("a.db", "华东医院", "打印机卡纸");
  ASSERT_FALSE(id.empty());
  // A mistyped filter used to list everything.
  CliRun typo = cli("a.db", {"list", "--stauts", "closed"});
  EXPECT_EQ(typo.code, 2);
  EXPECT_NE(typo.err.find("list takes no option --stauts"), std::string::npos) << typo.err;
  EXPECT_EQ(cli("a.db", {"--json", "list"}).json().size(), 1u);
  EXPECT_EQ(cli("a.db", {"--json", "list", "--sla_state", "breached"}).json().size(), 0u) << "_ and - alike";
  EXPECT_EQ(cli("a.db", {"list", "--overdue=false"}).code, 2) << "a switch takes no value";
  EXPECT_EQ(cli("a.db", {"status", "--verbose"}).code, 2);
  CliRun missing_value = cli("a.db", {"--json", "list", "--team"});
  EXPECT_EQ(missing_value.code, 2);
  EXPECT_EQ(missing_value.json()["error"]["field"], "usage") << "--json errors are JSON, also from parsing";
  // Text starting with -- goes after a lone --; before, "--force" took "不行" as its value.
  EXPECT_EQ(cli("a.db", {"note", id, "客户说", "--force", "不行"}).code, 2);
  ASSERT_EQ(cli("a.db", {"note", id, "--", "客户说", "--force", "不行"}).code, 0);
  nlohmann::json shown = cli("a.db", {"--json", "show", id}).json();
  ASSERT_EQ(shown["activities"].size(), 1u);
  EXPECT_EQ(shown["activities"][0]["text"], "客户说 --force 不行");
  // Progress out of 0–100 is refused: "" used to read as 0, 4294967326 to wrap to 30.
  for (const char* p : {"", "4294967326", "-1", "101"}) {
    EXPECT_EQ(cli("a.db", {"note", id, "x", "--progress", p}).code, 2) << p;
  }
  EXPECT_EQ(cli("a.db", {"--json", "show", id}).json()["activities"].size(), 1u);
  CliRun pages = cli("a.db", {"sync", "--max-pages", "abc"});
  EXPECT_EQ(pages.code, 2) << pages.err;
  EXPECT_NE(pages.err.find("--max-pages needs a whole number"), std::string::npos) << pages.err;

  // A sign-in that fails at another address leaves the profile's server as it was.
  EXPECT_EQ(cli("a.db", {"--server", "http://127.0.0.1:1", "login", "alice", "--password-stdin"}, "pw-alice\n").code, 3);
  EXPECT_EQ(cli("a.db", {"--server", "gopher://x", "status"}).code, 1);
  EXPECT_EQ(cli("a.db", {"--json", "status"}).json()["server"], url());
  // Someone else's sign-in on this profile is refused, and the token it was given revoked.
  const std::string live_bob_tokens = "SELECT COUNT(*) FROM tokens WHERE user_name = 'bob' AND revoked = 0";
  CliRun bob_here = cli("a.db", {"login", "bob", "--password-stdin"}, "pw-bob\n");
  EXPECT_EQ(bob_here.code, 1);
  EXPECT_NE(bob_here.err.find("belongs to alice"), std::string::npos) << bob_here.err;
  EXPECT_EQ(local_count("data/rapidesk.db", live_bob_tokens), 0u);
  // Field staff see the contact of a request they do not own masked, as in the app.
  ASSERT_EQ(cli("a.db", {"set", id, "contact", "13812345678"}).code, 0);
  ASSERT_EQ(cli("a.db", {"sync"}).code, 0);
  sign_in("b.db", "bob");
  ASSERT_EQ(cli("b.db", {"sync"}).code, 0);
  EXPECT_EQ(cli("b.db", {"--json", "show", id}).json()["contact"], "138****5678");
  const nlohmann::json bobs_list = cli("b.db", {"--json", "list"}).json();
  ASSERT_EQ(bobs_list.size(), 1u);
  EXPECT_EQ(bobs_list[0]["contact"], "138****5678");
  const auto csv = dir_.path() / "bob.csv";
  ASSERT_EQ(cli("b.db", {"export", csv.string()}).code, 0);
  std::stringstream exported;
  exported << std::ifstream(csv).rdbuf();
  EXPECT_EQ(exported.str().find("13812345678"), std::string::npos) << exported.str();
  EXPECT_NE(exported.str().find("138****5678"), std::string::npos) << exported.str();
  EXPECT_EQ(cli("a.db", {"--json", "show", id}).json()["contact"], "13812345678") << "an agent sees it whole";

  // Signing out while the server is down says the token stays valid there.
  server_->terminate_and_wait(10s);
  CliRun out = cli("a.db", {"logout"});
  EXPECT_EQ(out.code, 0);
  EXPECT_NE(out.err.find("stays valid there until it expires"), std::string::npos) << out.err;
}

TEST_F(CliTest, AProfileTheAppHasOpenIsReadButNotEditedByTheCli) {
  users();
  start();
  sign_in("a.db", "alice");
  const std::string id = new_request("a.db", "华东医院", "打印机卡纸");
  {
    // The desktop app has the profile open: an edit from the CLI would count op ids from
    // the same place, and the server would drop one of the two as a replay.
    auto app = rapidesk::client::LocalReplica::open(dir_.path() / "a.db");
    ASSERT_TRUE(app.is_ok()) << app.status().message().en;
    CliRun set = cli("a.db", {"set", id, "industry", "医疗"});
    EXPECT_EQ(set.code, 1);
    EXPECT_NE(set.err.find("open in another Rapidesk program"), std::string::npos) << set.err;
    EXPECT_EQ(cli("a.db", {"sync"}).code, 1);
    EXPECT_EQ(cli("a.db", {"--json", "list"}).json().size(), 1u);
    EXPECT_EQ(cli("a.db", {"--json", "conflicts"}).json().size(), 0u);
  }
  ASSERT_EQ(cli("a.db", {"set", id, "industry", "医疗"}).code, 0);
  EXPECT_EQ(cli("a.db", {"--json", "show", id}).json()["industry"], "医疗");
}

TEST_F(CliTest, ASyncThatHadEditsRefusedSaysSo) {
  const std::string id = request_both_have();
  ASSERT_FALSE(id.empty());
  // Bob (field staff, neither its owner nor the team lead) may not re-agree its due time.
  ASSERT_EQ(cli("b.db", {"set", id, "agreed_due", "2026-12-10T10:00:00+08:00", "agreed_reason", "客户要求延期"}).code,
            0);
  CliRun sync = cli("b.db", {"sync"});
  EXPECT_EQ(sync.code, 0) << sync.err;
  EXPECT_NE(sync.err.find("2 edits were refused by the server"), std::string::npos) << sync.err;
  EXPECT_EQ(cli("b.db", {"--json", "rejected"}).json().size(), 2u);
  // Said once: the next sync refuses nothing new.
  CliRun again = cli("b.db", {"--json", "sync"});
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(again.json()["refused"], 0);
  EXPECT_EQ(again.err.find("refused"), std::string::npos) << again.err;
}

TEST_F(CliTest, TwoOfflineReplicasMergeAndShowOneConflict) {
  const std::string id = request_both_have();
  ASSERT_FALSE(id.empty());
  // Both offline now (no sync): different fields and one shared field.
  ASSERT_EQ(cli("a.db", {"set", id, "industry", "医疗", "feedback", "alice 的说法"}).code, 0);
  ASSERT_EQ(cli("b.db", {"set", id, "background", "三楼机房", "feedback", "bob 的说法"}).code, 0);
  ASSERT_EQ(cli("a.db", {"sync"}).code, 0);
  ASSERT_EQ(cli("b.db", {"sync"}).code, 0);
  ASSERT_EQ(cli("a.db", {"sync"}).code, 0);
  for (const char* db : {"a.db", "b.db"}) {
    nlohmann::json r = cli(db, {"--json", "show", id}).json();
    EXPECT_EQ(r["industry"], "医疗") << db;
    EXPECT_EQ(r["background"], "三楼机房") << db;
    EXPECT_EQ(r["feedback"], "bob 的说法") << db;
  }
  Response server = http(port(), "GET", "/api/v1/requests/" + id, "", {"Authorization: Bearer " + login("carol", "pw-carol")});
  ASSERT_EQ(server.status, 200);
  EXPECT_EQ(server.json()["feedback"], "bob 的说法");
  EXPECT_EQ(server.json()["industry"], "医疗");
  EXPECT_EQ(server.json()["background"], "三楼机房");
  nlohmann::json mine = cli("a.db", {"--json", "conflicts"}).json();
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0]["row_id"], id);
  EXPECT_EQ(mine[0]["row"], id) << "the name DESIGN.md gives";
  EXPECT_EQ(mine[0]["field"], "feedback");
  EXPECT_EQ(mine[0]["mine"], "alice 的说法");
  EXPECT_EQ(mine[0]["theirs"], "bob 的说法");
  EXPECT_EQ(cli("b.db", {"--json", "conflicts"}).json().size(), 0u) << "bob's edit won: nothing for him to resolve";
  EXPECT_EQ(cli("b.db", {"--json", "conflicts", "--all"}).json().size(), 0u) << "--all adds resolved ones, not others'";
  ASSERT_EQ(cli("a.db", {"resolve", mine[0]["id"], "merged", "双方说法已合并"}).code, 0);
  ASSERT_EQ(cli("a.db", {"sync"}).code, 0);
  ASSERT_EQ(cli("b.db", {"sync"}).code, 0);
  EXPECT_EQ(cli("b.db", {"--json", "show", id}).json()["feedback"], "双方说法已合并");
  EXPECT_EQ(cli("a.db", {"--json", "conflicts"}).json().size(), 0u);
  EXPECT_EQ(cli("a.db", {"--json", "conflicts", "--all"}).json().size(), 1u) << "the resolved one";

  // An attachment: bytes go up in 1 MiB chunks before the row, and come down on the other side.
  const auto photo = dir_.path() / "现场照片.jpg";
  {
    std::ofstream out(photo, std::ios::binary);
    for (std::uint64_t i = 0; i < 2'500'000; ++i) out.put(static_cast<char>((i * 7919) % 251));
  }
  EXPECT_EQ(cli("a.db", {"attach", id, (dir_.path() / "missing.jpg").string()}).code, 1);
  ASSERT_EQ(cli("a.db", {"attach", id, photo.string()}).code, 0);
  ASSERT_EQ(cli("a.db", {"sync"}).code, 0);
  ASSERT_EQ(cli("b.db", {"sync"}).code, 0);
  nlohmann::json seen = cli("b.db", {"--json", "show", id}).json();
  ASSERT_EQ(seen["attachments"].size(), 1u);
  EXPECT_EQ(seen["attachments"][0]["file_name"], "现场照片.jpg");
  EXPECT_EQ(seen["attachments"][0]["size_bytes"], 2'500'000);
  ASSERT_TRUE(seen["attachments"][0]["local_path"].is_string());
  std::ifstream a_in(photo, std::ios::binary), b_in(seen["attachments"][0]["local_path"].get<std::string>(), std::ios::binary);
  EXPECT_TRUE(std::equal(std::istreambuf_iterator<char>(a_in), {}, std::istreambuf_iterator<char>(b_in)));
}

TEST_F(CliTest, AnAttachmentFileLostHereDoesNotHoldUpTheWorkAndIsReported) {
  const std::string id = request_both_have();
  ASSERT_FALSE(id.empty());
  auto write_file = [&](const std::string& name, char fill) {
    const auto path = dir_.path() / name;
    std::ofstream(path, std::ios::binary) << std::string(3000, fill);
    return path.string();
  };
  const auto store = dir_.path() / "a.db.files";
  // Sent, then lost here: the next sync fetches it back from the server.
  ASSERT_EQ(cli("a.db", {"attach", id, write_file("发票.pdf", 'a')}).code, 0);
  ASSERT_EQ(cli("a.db", {"sync"}).code, 0);
  std::filesystem::remove_all(store);
  CliRun healed = cli("a.db", {"--json", "sync"});
  ASSERT_EQ(healed.code, 0) << healed.err;
  EXPECT_EQ(healed.json()["files_missing"], 0);
  EXPECT_TRUE(cli("a.db", {"--json", "show", id}).json()["attachments"][0]["local_path"].is_string());
  // Lost before it was sent (removed by hand): the other edits still go, and both sides
  // are told which file is missing instead of every later sync failing.
  ASSERT_EQ(cli("a.db", {"attach", id, write_file("现场照片.jpg", 'b')}).code, 0);
  ASSERT_EQ(cli("a.db", {"note", id, "已更换硒鼓"}).code, 0);
  std::filesystem::remove_all(store);
  CliRun lost = cli("a.db", {"sync"});
  ASSERT_EQ(lost.code, 0) << lost.err;
  EXPECT_NE(lost.err.find("1 attachment files could not be synced"), std::string::npos) << lost.err;
  EXPECT_NE(lost.err.find("lost on this device before it was uploaded"), std::string::npos) << lost.err;
  EXPECT_EQ(local_count("a.db", "SELECT COUNT(*) FROM outbox"), 0u) << "every edit was sent and confirmed";
  CliRun again = cli("a.db", {"sync"});  // a later program still knows why
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_NE(again.err.find("lost on this device before it was uploaded"), std::string::npos) << again.err;
  CliRun other = cli("b.db", {"--json", "sync"});
  ASSERT_EQ(other.code, 0) << other.err;
  EXPECT_EQ(other.json()["files_missing"], 1);
  EXPECT_NE(other.err.find("could not be synced"), std::string::npos) << other.err;
  const nlohmann::json seen = cli("b.db", {"--json", "show", id}).json();
  EXPECT_EQ(seen["attachments"].size(), 2u);
  EXPECT_EQ(seen["activities"].size(), 1u) << "the note went through";
}

// A server with no room for a file now (its disk reserve, docs/server.md) holds back that
// file, its row and the edits after it; the edits before it go, the round still brings the
// others' work, and it ends with the reason while the device shows as online.
TEST_F(CliTest, AServerWithNoRoomForAFileTakesTheEditsBeforeItAndStillSendsOthersWork) {
  users();
  const auto config = dir_.path() / "server.json";
  std::ofstream(config) << R"({"attachment_disk_reserve_bytes": 1125899906842624})";  // 1 PiB
  start({"--config", config.string()});
  sign_in("a.db", "alice");
  sign_in("b.db", "bob");
  const std::string id = new_request("a.db", "华东医院", "打印机卡纸");
  ASSERT_EQ(cli("a.db", {"sync"}).code, 0);
  const std::string bobs = new_request("b.db", "华南仓库", "扫码枪离线");
  ASSERT_EQ(cli("b.db", {"sync"}).code, 0);

  ASSERT_EQ(cli("a.db", {"note", id, "先到现场检查"}).code, 0);
  const auto photo = dir_.path() / "现场照片.jpg";
  std::ofstream(photo, std::ios::binary) << std::string(3000, 'p');
  ASSERT_EQ(cli("a.db", {"attach", id, photo.string()}).code, 0);
  ASSERT_EQ(cli("a.db", {"note", id, "已更换硒鼓"}).code, 0);
  CliRun held = cli("a.db", {"sync"});
  EXPECT_EQ(held.code, 1) << "the server answered: not 3, unreachable";
  EXPECT_NE(held.err.find("disk is nearly full"), std::string::npos) << held.err;
  EXPECT_EQ(cli("a.db", {"--json", "show", bobs}).json().value("id", ""), bobs) << "the pull still ran";
  EXPECT_GT(local_count("a.db", "SELECT COUNT(*) FROM outbox"), 0u) << "the file's row and the later note wait";

  ASSERT_EQ(cli("b.db", {"sync"}).code, 0);
  const nlohmann::json seen = cli("b.db", {"--json", "show", id}).json();
  ASSERT_EQ(seen["activities"].size(), 1u) << seen.dump();
  EXPECT_EQ(seen["activities"][0]["text"], "先到现场检查");
  EXPECT_EQ(seen["attachments"].size(), 0u);
}

// A file the server will not take (larger than it accepts; damaged here since it was
// attached) used to fail every sync before the push, so no later edit ever left the device.
// A batch of edits larger than the server's body limit did the same. Now the row goes
// without its file, the round says which file and why, and batches are halved until they fit.
TEST_F(CliTest, AFileOrBatchTheServerRefusesDoesNotHoldUpTheWork) {
  users();
  const auto config = dir_.path() / "server.json";
  std::ofstream(config) << R"({"max_attachment_bytes": 1024})";
  start({"--config", config.string(), "--max-body-bytes", "20000"});
  sign_in("a.db", "alice");
  const std::string id = new_request("a.db", "华东医院", "打印机卡纸");
  const auto big = dir_.path() / "现场录像.mp4";
  std::ofstream(big, std::ios::binary) << std::string(3000, 'v');
  ASSERT_EQ(cli("a.db", {"attach", id, big.string()}).code, 0);
  ASSERT_EQ(cli("a.db", {"note", id, "已更换硒鼓"}).code, 0);
  CliRun refused = cli("a.db", {"--json", "sync"});
  ASSERT_EQ(refused.code, 0) << refused.err;
  EXPECT_EQ(refused.json()["files_missing"], 1);
  EXPECT_NE(refused.err.find("was not uploaded"), std::string::npos) << refused.err;
  EXPECT_EQ(local_count("a.db", "SELECT COUNT(*) FROM outbox"), 0u) << "the note and the row went";

  // Damaged on this disk after it was attached: the server would refuse its hash.
  const auto small = dir_.path() / "发票.pdf";
  std::ofstream(small, std::ios::binary) << std::string(500, 'a');
  ASSERT_EQ(cli("a.db", {"attach", id, small.string()}).code, 0);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_.path() / "a.db.files")) {
    if (entry.is_regular_file() && entry.file_size() == 500) std::ofstream(entry.path(), std::ios::binary) << std::string(500, 'x');
  }
  ASSERT_EQ(cli("a.db", {"note", id, "客户确认收到"}).code, 0);
  CliRun damaged = cli("a.db", {"sync"});
  ASSERT_EQ(damaged.code, 0) << damaged.err;
  EXPECT_NE(damaged.err.find("changed on this device after it was attached"), std::string::npos) << damaged.err;
  EXPECT_EQ(local_count("a.db", "SELECT COUNT(*) FROM outbox"), 0u);

  // Ten requests with long descriptions: about 30 KB of edits in one 500-op batch, over the
  // server's 20,000-byte body limit.
  for (int i = 0; i < 10; ++i) {
    std::string description;
    for (int k = 0; k < 1000; ++k) description += "说";
    ASSERT_EQ(cli("a.db", {"new", "--customer", "客户" + std::to_string(i), "--category", "tech_support", "--channel",
                           "visit", "--description", description, "--title", "长说明"})
                  .code,
              0);
  }
  CliRun batches = cli("a.db", {"sync"});
  ASSERT_EQ(batches.code, 0) << batches.err;
  EXPECT_EQ(local_count("a.db", "SELECT COUNT(*) FROM outbox"), 0u) << "every edit went, in smaller batches";

  // One edit too large on its own (an edit is never split): the round ends with the
  // server's answer instead of sending it again forever, and the edit stays queued.
  std::string huge;
  for (int k = 0; k < 7000; ++k) huge += "说";  // 21,000 bytes
  ASSERT_EQ(cli("a.db", {"new", "--customer", "大客户", "--category", "tech_support", "--channel", "visit",
                         "--description", huge, "--title", "超长说明"})
                .code,
            0);
  const auto before = Clock::now();
  CliRun alone = cli("a.db", {"sync"});
  EXPECT_NE(alone.code, 0);
  EXPECT_NE(alone.code, -1) << "the sync did not end";
  EXPECT_LT(Clock::now() - before, 20s);
  EXPECT_GT(local_count("a.db", "SELECT COUNT(*) FROM outbox"), 0u);
}

// A profile holds one server's data: its cursor, pulled log and queued edits mean nothing to
// another server. Pointed at one (a new address typed, a profile copied), it skipped that
// server's data up to its old cursor and pushed its queued edits there as stray new
// requests. Now the server refuses it (409 other_server), and a profile that holds nothing
// yet, or the same server at a new address (OfflineEditsStayQueued…), syncs as before.
TEST_F(CliTest, AProfileHoldingOneServersDataDoesNotSyncWithAnother) {
  const std::string id = request_both_have();
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(cli("a.db", {"note", id, "已更换硒鼓"}).code, 0);
  const auto photo = dir_.path() / "现场照片.jpg";
  std::ofstream(photo, std::ios::binary) << std::string(2000, 'p');
  ASSERT_EQ(cli("a.db", {"attach", id, photo.string()}).code, 0);
  const std::size_t queued = local_count("a.db", "SELECT COUNT(*) FROM outbox");
  ASSERT_GT(queued, 0u);

  const auto other_data = dir_.path() / "other";
  for (const std::string user : {"alice", "carol"}) {
    ASSERT_EQ(run_cli(other_data, {"user", "add", user, "--role", "coordinator", "--team", "SVC", "--password-stdin"},
                      "pw-" + user + "\n", log_)
                  .code,
              0);
  }
  ServerProcess other(other_data, log_);
  ASSERT_GT(other.port(), 0);
  const std::string other_url = "http://127.0.0.1:" + std::to_string(other.port());
  // The other server has data of its own.
  CliRun own = cli("c.db", {"--server", other_url, "login", "carol", "--password-stdin"}, "pw-carol\n");
  ASSERT_EQ(own.code, 0) << own.err;
  new_request("c.db", "另一家公司", "别处的请求");
  ASSERT_EQ(cli("c.db", {"sync"}).code, 0);

  const std::string carol = [&] {
    Response r = http(other.port(), "POST", "/api/v1/auth/login",
                      nlohmann::json{{"username", "carol"}, {"password", "pw-carol"}, {"device", "check"}}.dump());
    return r.json()["token"].get<std::string>();
  }();
  auto other_log_size = [&] {
    Response r = http(other.port(), "GET", "/api/v1/sync/pull?cursor=0&limit=1000", "", {"Authorization: Bearer " + carol});
    return r.json()["ops"].size();
  };
  const std::size_t other_ops = other_log_size();
  ASSERT_GT(other_ops, 0u);

  CliRun login = cli("a.db", {"--server", other_url, "login", "alice", "--password-stdin"}, "pw-alice\n");
  ASSERT_EQ(login.code, 0) << login.err;
  CliRun refused = cli("a.db", {"sync"});
  EXPECT_NE(refused.code, 0);
  EXPECT_NE(refused.err.find("another Rapidesk server"), std::string::npos) << refused.err;
  EXPECT_EQ(local_count("a.db", "SELECT COUNT(*) FROM outbox"), queued) << "the queued edits stay for their server";
  EXPECT_EQ(other_log_size(), other_ops) << "the server refused the push: nothing of the first server's arrived";
  std::size_t other_files = 0;
  if (std::filesystem::exists(other_data / "blobs")) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(other_data / "blobs")) other_files += e.is_regular_file();
  }
  EXPECT_EQ(other_files, 0u) << "nor any file: the log is checked before uploading";
  // Asked directly, the server names the refusal.
  Response direct = http(other.port(), "GET", "/api/v1/sync/pull?cursor=0&limit=10", "",
                         {"Authorization: Bearer " + carol, "X-Rapidesk-Log: 0123456789abcdef0123456789abcdef"});
  EXPECT_EQ(direct.status, 409);
  EXPECT_EQ(direct.error_code(), "other_server");
  // A server alone with an empty log has no log yet: a copy naming one is another's.
  const auto empty_data = dir_.path() / "empty";
  ASSERT_EQ(run_cli(empty_data, {"user", "add", "carol", "--role", "coordinator", "--team", "SVC", "--password-stdin"},
                    "pw-carol\n", log_)
                .code,
            0);
  ServerProcess empty(empty_data, log_);
  Response signed_in = http(empty.port(), "POST", "/api/v1/auth/login",
                            nlohmann::json{{"username", "carol"}, {"password", "pw-carol"}, {"device", "e"}}.dump());
  ASSERT_EQ(signed_in.status, 200);
  const std::string bearer = "Authorization: Bearer " + signed_in.json()["token"].get<std::string>();
  EXPECT_EQ(http(empty.port(), "GET", "/api/v1/sync/pull?cursor=0&limit=10", "",
                 {bearer, "X-Rapidesk-Log: 0123456789abcdef0123456789abcdef"})
                .status,
            409);
  EXPECT_EQ(http(empty.port(), "GET", "/api/v1/sync/pull?cursor=0&limit=10", "", {bearer}).status, 200);

  // A new profile syncs with it; the first profile, pointed back home, syncs again.
  ASSERT_EQ(cli("d.db", {"--server", other_url, "login", "alice", "--password-stdin"}, "pw-alice\n").code, 0);
  EXPECT_EQ(cli("d.db", {"sync"}).code, 0);
  CliRun home = cli("a.db", {"--server", url(), "login", "alice", "--password-stdin"}, "pw-alice\n");
  ASSERT_EQ(home.code, 0) << home.err;
  CliRun synced = cli("a.db", {"sync"});
  EXPECT_EQ(synced.code, 0) << synced.err;
  EXPECT_EQ(local_count("a.db", "SELECT COUNT(*) FROM outbox"), 0u);
}

TEST_F(CliTest, OfflineEditsStayQueuedAndArriveInOrderExactlyOnce) {
  users();
  start();
  sign_in("a.db", "alice");
  server_->terminate_and_wait(10s);  // a day at customers' sites without network
  std::vector<std::string> ids;
  for (int i = 0; i < 12; ++i) ids.push_back(new_request("a.db", "客户" + std::to_string(i), "离线记录 " + std::to_string(i)));
  for (const auto& id : ids) ASSERT_EQ(cli("a.db", {"note", id, "跟进"}).code, 0);
  CliRun offline = cli("a.db", {"sync"});
  EXPECT_EQ(offline.code, 3) << offline.err;
  EXPECT_NE(offline.err.find("queued"), std::string::npos) << offline.err;
  const std::size_t queued = local_count("a.db", "SELECT COUNT(*) FROM outbox");
  EXPECT_GT(queued, 12u * 8);
  start();
  CliRun synced = cli("a.db", {"--server", url(), "sync"});
  ASSERT_EQ(synced.code, 0) << synced.err;
  EXPECT_EQ(local_count("a.db", "SELECT COUNT(*) FROM outbox"), 0u) << synced.out;
  // The server's log holds each of the device's ops once, in the order they were made.
  const std::string token = login("carol", "pw-carol");
  std::vector<std::uint64_t> sequence;
  std::set<std::string> seen;
  for (std::uint64_t cursor = 0;;) {
    Response page = http(port(), "GET", "/api/v1/sync/pull?cursor=" + std::to_string(cursor) + "&limit=1000", "",
                         {"Authorization: Bearer " + token});
    ASSERT_EQ(page.status, 200);
    const nlohmann::json body = page.json();
    for (const auto& op : body["ops"]) {
      const std::string opid = op["op"];
      if (op["author"] != "alice") continue;
      EXPECT_TRUE(seen.insert(opid).second) << "twice: " << opid;
      sequence.push_back(std::stoull(opid.substr(opid.rfind(':') + 1)));
    }
    cursor = body["cursor"];
    if (!body["more"].get<bool>()) break;
  }
  EXPECT_EQ(sequence.size(), queued) << cli("a.db", {"rejected"}).out;
  EXPECT_TRUE(std::is_sorted(sequence.begin(), sequence.end()));
  Response list = http(port(), "GET", "/api/v1/requests?limit=100", "", {"Authorization: Bearer " + token});
  EXPECT_EQ(list.json()["total"], 12);
}

TEST_F(CliTest, KillingTheCliMidBurstLosesOrHalvesNoEdit) {
  users();
  start();
  sign_in("a.db", "alice");
  const std::string file = (dir_.path() / "burst.csv").string();
  // The size of one whole imported request, in ops.
  std::ofstream(file) << "customer,category,channel,description\n基准,service,visit,基准\n";
  ASSERT_EQ(cli("a.db", {"import", file}).code, 0);
  const std::size_t per_request = local_count("a.db", "SELECT COUNT(*) FROM outbox");
  ASSERT_GT(per_request, 5u);
  {
    std::ofstream out(file);
    out << "customer,category,channel,description\n";
    for (int i = 0; i < 400; ++i) out << "客户" << i << ",service,visit,现场需求 " << i << "\n";
  }
  std::mt19937 rng(7);
  for (int round = 0; round < 3; ++round) {
    Child c = spawn({RAPIDESK_CLI_BIN, "--db", (dir_.path() / "a.db").string(), "import", file}, "", dir_.path() / "burst.err");
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + rng() % 400));
    kill(c.pid, SIGKILL);
    read_all(c.out_fd);
    wait_exit(c.pid, 10s);
  }
  const std::size_t requests = local_count("a.db", "SELECT COUNT(*) FROM requests");
  ASSERT_GT(requests, 1u);
  // Every request has all of its ops queued, none has a part.
  EXPECT_EQ(local_count("a.db", "SELECT COUNT(*) FROM outbox"), requests * per_request);
  EXPECT_EQ(local_count("a.db", "SELECT COUNT(*) FROM (SELECT request_id, COUNT(*) n FROM outbox GROUP BY request_id "
                                "HAVING n != " + std::to_string(per_request) + ")"),
            0u);
  ASSERT_EQ(cli("a.db", {"sync"}).code, 0);
  ASSERT_EQ(cli("a.db", {"sync"}).code, 0);
  Response list = http(port(), "GET", "/api/v1/requests?limit=1", "", {"Authorization: Bearer " + login("carol", "pw-carol")});
  EXPECT_EQ(list.json()["total"], requests) << "each edit reached the server exactly once";
  EXPECT_EQ(local_count("a.db", "SELECT COUNT(*) FROM outbox"), 0u);
}

// 20k requests on the server; a new replica's first sync is cut off, then resumes.
TEST_F(CliTest, AnInterruptedInitialSyncOf20kRequestsResumes) {
  users();
  start();
  const std::string token = login("alice", "pw-alice");
  std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::uint64_t seed = 1;
  rapidesk::sync::ClientReplica maker({"loader", "alice", 1}, [&] { return now; }, [&] { return seed = seed * 6364136223846793005ull + 1; });
  std::vector<rapidesk::sync::FieldOp> batch;
  auto flush = [&] {
    Response r = http(port(), "POST", "/api/v1/sync/push", rapidesk::sync::encode_push("loader", batch),
                      {"Authorization: Bearer " + token});
    ASSERT_EQ(r.status, 200) << r.body;
    batch.clear();
  };
  constexpr int kRequests = 20'000;
  for (int i = 0; i < kRequests; ++i) {
    const std::string row = maker.new_row_id();
    const std::vector<rapidesk::sync::FieldEdit> edits{
        {"customer", rapidesk::sync::Value::string("客户" + std::to_string(i))},
        {"category", rapidesk::sync::Value::string("service")},
        {"channel", rapidesk::sync::Value::string("visit")},
        {"status", rapidesk::sync::Value::string("new")},
        {"description", rapidesk::sync::Value::string("批量需求 " + std::to_string(i))}};
    auto ops = maker.edit("request", row, edits);
    ASSERT_TRUE(ops.is_ok());
    batch.insert(batch.end(), ops->begin(), ops->end());
    if (batch.size() >= 995) flush();
  }
  if (!batch.empty()) flush();
  sign_in("b.db", "carol");
  CliRun cut = cli("b.db", {"sync", "--max-pages", "40"});
  EXPECT_NE(cut.code, 0);
  const std::size_t partial = local_count("b.db", "SELECT COUNT(*) FROM requests");
  EXPECT_GT(partial, 1000u);
  EXPECT_LT(partial, static_cast<std::size_t>(kRequests));
  const std::size_t pulled = local_count("b.db", "SELECT COUNT(*) FROM pulled");
  CliRun rest = cli("b.db", {"sync"});
  ASSERT_EQ(rest.code, 0) << rest.err;
  EXPECT_EQ(local_count("b.db", "SELECT COUNT(*) FROM requests"), static_cast<std::size_t>(kRequests));
  // Resumed, not restarted: nothing pulled twice.
  // (A coordinator sees every entry: exactly one stored entry per seq up to the cursor.)
  EXPECT_EQ(local_count("b.db", "SELECT SUM(entries) FROM pulled"),
            local_count("b.db", "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'cursor'"));
  EXPECT_GT(local_count("b.db", "SELECT COUNT(*) FROM pulled"), pulled);
  // The first progress line starts where the cut-off sync stopped.
  const auto first = rest.out.find("pull ");
  ASSERT_NE(first, std::string::npos) << rest.out;
  EXPECT_EQ(rest.out.substr(first, 7), "pull 0/");
}

}  // namespace
