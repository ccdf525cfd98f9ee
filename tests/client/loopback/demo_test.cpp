// rapidesk-demo through the real binary against the real rapidesk-server on loopback: the
// desk it makes is what a fresh coordinator sign-in sees, and it is made only once.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "harness.h"
#include "rapidesk/client/local_replica.h"
#include "rapidesk/client/replica_reader.h"
#include "rapidesk/client/server_api.h"
#include "rapidesk/client/sync_worker.h"
#include "rapidesk/shared/time.h"

namespace {

using namespace rapidesk_it;
namespace client = rapidesk::client;
namespace fs = std::filesystem;

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct DemoRun {
  int code = -1;
  std::string out;
  std::string err;
};

class DemoTest : public ServerTest {
 protected:
  void load_demo_users() {
    CliResult r = run_cli(data_, {"demo", "load", std::string(RAPIDESK_ASSETS_DIR) + "/demo/demo.json"}, "", log_);
    ASSERT_EQ(r.code, 0) << r.out;
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  fs::path profiles() const { return dir_.path() / "profiles"; }

  DemoRun demo(std::vector<std::string> args) {
    std::vector<std::string> argv = {RAPIDESK_DEMO_BIN, "--lang", "en", "--profiles", profiles().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto err_file = dir_.path() / "demo.err";
    fs::remove(err_file);
    Child c = spawn(argv, "", err_file);
    DemoRun r;
    r.out = read_all(c.out_fd);
    r.code = wait_exit(c.pid, 240s);
    std::ifstream in(err_file);
    std::stringstream text;
    text << in.rdbuf();
    r.err = text.str();
    return r;
  }

  // What a new sign-in of the coordinator on another computer gets: a profile of its own,
  // synced from the server.
  std::unique_ptr<client::LocalReplica> fresh_coordinator_copy(const std::string& file) {
    auto replica = client::LocalReplica::open(dir_.path() / file);
    EXPECT_TRUE(replica) << replica.status().message().en;
    if (!replica) return nullptr;
    auto address = client::ServerAddress::parse(url());
    EXPECT_TRUE((*replica)->set_server_url(url()));
    client::ServerApi api(*address);
    client::ProfileIdentity who = (*replica)->identity();
    auto login = api.login("chen.jing", "rapidesk-demo", who.device);
    EXPECT_TRUE(login) << login.status().message().en;
    if (!login) return nullptr;
    who = client::identity_after_login(std::move(who), *login);
    EXPECT_TRUE((*replica)->set_sign_in(who));
    client::SyncWorkerOptions options;
    options.live_stream = false;
    client::SyncWorker worker(**replica, options);
    const auto synced = worker.sync_once();
    EXPECT_TRUE(synced) << synced.message().en;
    return std::move(*replica);
  }

  static std::vector<nlohmann::json> all_requests(const fs::path& file) {
    auto reader = client::ReplicaReader::open(file);
    EXPECT_TRUE(reader);
    client::RequestFilter everything;
    everything.limit = 0;
    auto page = (*reader)->list(everything, now_ms());
    EXPECT_TRUE(page);
    return page ? page->rows : std::vector<nlohmann::json>{};
  }

  // Activity entries people wrote (the server's own SLA entries left out).
  static std::size_t written_activities(const fs::path& file, std::size_t* with_progress = nullptr,
                                        std::set<std::string>* kinds = nullptr) {
    auto reader = client::ReplicaReader::open(file);
    std::size_t n = 0;
    for (const auto& r : all_requests(file)) {
      auto full = (*reader)->request(r["id"].get<std::string>());
      EXPECT_TRUE(full);
      for (const auto& a : (*full)["activities"]) {
        if (a["kind"] == "sla") continue;
        ++n;
        EXPECT_NE(a["author"], "server");
        if (with_progress != nullptr && a["progress"].is_number()) ++*with_progress;
        if (kinds != nullptr) kinds->insert(a["kind"].get<std::string>());
      }
    }
    return n;
  }
};

TEST_F(DemoTest, FillsAnEmptyServerOnceWithAWorkedDesk) {
  load_demo_users();
  start();
  const std::int64_t started = now_ms();
  DemoRun first = demo({"--server", url(), "--requests", "40", "--seed", "7"});
  ASSERT_EQ(first.code, 0) << first.out << first.err;
  EXPECT_NE(first.out.find("demo: 40/40 requests"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("the server took all"), std::string::npos) << first.out;

  // Every demo user's profile sent everything and nothing was refused or left in conflict.
  std::size_t profile_files = 0;
  for (const auto& entry : fs::directory_iterator(profiles())) {
    ASSERT_NE(entry.path().filename(), ".rapidesk-demo-staging") << "the staging folder is removed";
    if (entry.path().extension() != ".rapidesk") continue;
    ++profile_files;
    auto replica = client::LocalReplica::open(entry.path());
    ASSERT_TRUE(replica);
    EXPECT_EQ((*replica)->sync_state().unsent_ops, 0u) << entry.path();
    auto reader = client::ReplicaReader::open(entry.path());
    ASSERT_TRUE(reader);
    EXPECT_EQ((*reader)->rejections()->size(), 0u) << entry.path();
    EXPECT_EQ((*reader)->conflicts("", false)->size(), 0u) << entry.path();
  }
  EXPECT_GE(profile_files, 4u) << "agents, the coordinator and a field user";

  // The coordinator's profile is left signed in for the desktop client.
  const fs::path desk = profiles() / "chen.jing.rapidesk";
  {
    auto replica = client::LocalReplica::open(desk);
    ASSERT_TRUE(replica);
    const auto who = (*replica)->identity();
    EXPECT_EQ(who.user, "chen.jing");
    EXPECT_EQ(who.role, "coordinator");
    EXPECT_EQ(who.server_url, url());
    client::ServerApi api(*client::ServerAddress::parse(url()));
    api.set_token(who.token);
    auto me = api.me();
    ASSERT_TRUE(me) << "the stored token works: " << me.status().message().en;
    EXPECT_EQ(me->user.name, "chen.jing");
  }
  EXPECT_EQ(all_requests(desk).size(), 40u);

  // What anyone signing in as the coordinator sees.
  auto fresh = fresh_coordinator_copy("fresh.rapidesk");
  ASSERT_TRUE(fresh);
  const auto requests = all_requests(fresh->file());
  ASSERT_EQ(requests.size(), 40u);
  std::set<std::string> statuses, channels, owners;
  std::int64_t oldest = started, newest = 0;
  for (const auto& r : requests) {
    statuses.insert(r["status"].get<std::string>());
    channels.insert(r["channel"].get<std::string>());
    if (r["owner"].is_string()) owners.insert(r["owner"].get<std::string>());
    EXPECT_TRUE(r["number"].is_string()) << "every request got its number";
    auto contacted = rapidesk::parse_iso8601(r["contacted_at"].get<std::string>());
    ASSERT_TRUE(contacted);
    oldest = std::min<std::int64_t>(oldest, *contacted);
    newest = std::max<std::int64_t>(newest, *contacted);
    if (r["satisfaction"].is_number()) {
      EXPECT_GE(r["satisfaction"].get<int>(), 1);
      EXPECT_LE(r["satisfaction"].get<int>(), 5);
    }
  }
  EXPECT_GE(statuses.size(), 4u) << "a real desk has requests in several states";
  EXPECT_TRUE(statuses.count("closed") || statuses.count("resolved")) << "older requests were finished";
  EXPECT_GE(channels.size(), 2u);
  EXPECT_GE(owners.size(), 3u);
  EXPECT_LT(oldest, started - 14 * kDayMs) << "spread over the last weeks";
  EXPECT_LE(newest, started) << "nothing ahead of now";

  std::size_t with_progress = 0;
  std::set<std::string> kinds;
  const std::size_t activities = written_activities(fresh->file(), &with_progress, &kinds);
  EXPECT_GE(activities, 40u);
  EXPECT_GT(with_progress, 0u) << "progress entries carry their %";
  EXPECT_TRUE(kinds.count("customer_contact")) << "answers to the customer";
  EXPECT_TRUE(kinds.count("progress"));

  // A second run finds the desk and adds nothing.
  DemoRun second = demo({"--server", url(), "--requests", "40", "--seed", "8"});
  ASSERT_EQ(second.code, 0) << second.out << second.err;
  EXPECT_NE(second.out.find("already has 40 requests"), std::string::npos) << second.out;
  client::SyncWorkerOptions options;
  options.live_stream = false;
  client::SyncWorker again(*fresh, options);
  ASSERT_TRUE(again.sync_once());
  EXPECT_EQ(all_requests(fresh->file()).size(), 40u);
  EXPECT_EQ(written_activities(fresh->file()), activities);
}

TEST_F(DemoTest, RefusesBadInputAndChangesNothing) {
  DemoRun usage = demo({"--server", "http://127.0.0.1:1", "--requests", "0"});
  EXPECT_EQ(usage.code, 2);
  EXPECT_NE(usage.err.find("--requests"), std::string::npos) << usage.err;
  EXPECT_FALSE(fs::exists(profiles()));
  EXPECT_EQ(demo({"--requests", "5"}).code, 2) << "--server is required";

  DemoRun help = demo({"--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("Usage: rapidesk-demo"), std::string::npos);
  EXPECT_NE(help.out.find("用法"), std::string::npos) << "the help is in both languages";

  // No demo users on the server: a clear hint, and no profile left behind.
  start();
  DemoRun no_users = demo({"--server", url(), "--requests", "5"});
  EXPECT_EQ(no_users.code, 1);
  EXPECT_NE(no_users.err.find("demo load"), std::string::npos) << no_users.err;
  server_->terminate_and_wait(15s);
  DemoRun unreachable = demo({"--server", url(), "--requests", "5"});
  EXPECT_EQ(unreachable.code, 3) << unreachable.err;
  std::size_t files = 0;
  if (fs::exists(profiles())) {
    for (const auto& entry : fs::recursive_directory_iterator(profiles())) files += entry.is_regular_file() ? 1 : 0;
  }
  EXPECT_EQ(files, 0u) << "nothing is kept from a run that did not happen";
}

}  // namespace
