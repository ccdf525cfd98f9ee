// rapidesk-demo --server URL [--file demo.json] [--profiles DIR] [--requests N] [--seed S]
//               [--lang zh|en]
// Fills an empty server with a realistic desk: N requests over the last six weeks, worked
// by the demo users in their own profiles, then synced. Exit codes: 0 done (or nothing to
// do), 1 failed or refused, 2 usage error, 3 server unreachable.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <iostream>
#include <map>

#include "demo_data.h"
#include "desk_plan.h"
#include "enact.h"
#include "profiles.h"
#include "rapidesk/client/replica_reader.h"
#include "rapidesk/client/server_api.h"
#include "rapidesk/shared/enums.h"

namespace {

using namespace rapidesk;
using namespace rapidesk::demo;
namespace fs = std::filesystem;

constexpr int kMaxRequests = 10'000;
constexpr const char* kStagingDir = ".rapidesk-demo-staging";

struct Options {
  std::string server;
  fs::path file;
  fs::path profiles = "rapidesk-demo-profiles";
  int requests = 300;
  std::uint64_t seed = 1;
  bool help = false;
  Language language = Language::kEnglish;
};

const Text kHelp{
    "rapidesk-demo — fills an empty Rapidesk server with a realistic service desk.\n"
    "\n"
    "Usage: rapidesk-demo --server URL [--file FILE] [--profiles DIR] [--requests N] [--seed S] [--lang zh|en]\n"
    "\n"
    "  --server URL     the server, e.g. http://127.0.0.1:8080 (its demo users loaded first with\n"
    "                   rapidesk-server --data DIR demo load assets/demo/demo.json)\n"
    "  --file FILE      demo data (default: assets/demo/demo.json of this build)\n"
    "  --profiles DIR   where the demo users' profiles go (default: ./rapidesk-demo-profiles)\n"
    "  --requests N     how many requests (default 300, at most 10000)\n"
    "  --seed S         the same seed gives the same desk (default 1)\n"
    "\n"
    "Signs in as agents, the coordinator and a field user, each in a profile DIR/USER.rapidesk,\n"
    "and works N requests from the templates and customers over the last six weeks with a\n"
    "simulated clock: intake, triage, answers, progress notes, subtasks, waiting for the\n"
    "customer, resolution, satisfaction, follow-up, close, a few reopened. Then it syncs every\n"
    "profile and checks that the server refused nothing. If the server already has requests it\n"
    "adds nothing. It leaves DIR/chen.jing.rapidesk signed in for the desktop client:\n"
    "  rapidesk --db DIR/chen.jing.rapidesk --server URL\n"
    "Exit codes: 0 done or nothing to do, 1 failed or refused, 2 usage error, 3 server unreachable.",
    "rapidesk-demo —— 为空的 Rapidesk 服务器填充一个真实感的客服工作台。\n"
    "\n"
    "用法：rapidesk-demo --server 地址 [--file 文件] [--profiles 目录] [--requests 数量] [--seed 种子] [--lang zh|en]\n"
    "\n"
    "  --server 地址     服务器，例如 http://127.0.0.1:8080（需先用\n"
    "                   rapidesk-server --data 目录 demo load assets/demo/demo.json 导入演示用户）\n"
    "  --file 文件       演示数据（默认：本次构建的 assets/demo/demo.json）\n"
    "  --profiles 目录   演示用户配置文件的存放位置（默认：./rapidesk-demo-profiles）\n"
    "  --requests 数量   请求数量（默认 300，最多 10000）\n"
    "  --seed 种子       相同的种子生成相同的工作台（默认 1）\n"
    "\n"
    "以客服、协调员和外勤人员身份登录，每人一个配置文件 目录/用户名.rapidesk，用模拟时钟在过去六周内\n"
    "根据模板和客户处理 N 个请求：登记、分诊、答复、进度记录、子任务、等待客户、解决、满意度、回访、\n"
    "关闭，少数重新打开。随后同步所有配置文件，并检查服务器没有拒绝任何修改。服务器已有请求时不添加\n"
    "任何内容。最后保留已登录的 目录/chen.jing.rapidesk 供桌面客户端使用：\n"
    "  rapidesk --db 目录/chen.jing.rapidesk --server 地址\n"
    "退出码：0 完成或无需操作，1 失败或被拒绝，2 用法错误，3 无法连接服务器。"};

class Console {
 public:
  explicit Console(Language language) : language_(language) {}
  Language language() const { return language_; }
  std::string say(const Text& t) const { return t.in(language_); }
  void line(const Text& t) const { std::cout << "demo: " << say(t) << std::endl; }
  // Prints the error and returns the exit code for it.
  int fail(const Status& s) const {
    std::cerr << "rapidesk-demo: " << say(s.message()) << std::endl;
    if (s.field() == "usage") return 2;
    if (s.code() == ErrorCode::kUnavailable) return 3;
    return 1;
  }

 private:
  Language language_;
};

Status usage(const Text& t) { return Status::invalid(t, "usage"); }

Result<Options> parse_options(int argc, char** argv) {
  Options o;
  o.file = default_demo_file();
  const char* lang = std::getenv("LANG");
  if (lang != nullptr && std::string_view(lang).starts_with("zh")) o.language = Language::kChinese;
  for (int i = 1; i < argc; ++i) {
    std::string name = argv[i];
    if (name == "--help" || name == "-h") {
      o.help = true;
      continue;
    }
    std::optional<std::string> value;
    if (const auto eq = name.find('='); name.starts_with("--") && eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    static const std::vector<std::string> kNames = {"--server", "--file", "--profiles", "--requests", "--seed", "--lang"};
    if (std::find(kNames.begin(), kNames.end(), name) == kNames.end()) {
      return usage(format_text(Text{"Unknown argument \"{}\"; see rapidesk-demo --help.", "未知参数“{}”；请查看 rapidesk-demo --help。"},
                               {same_text(name)}));
    }
    if (!value) {
      if (i + 1 >= argc) return usage(format_text(Text{"{} needs a value.", "{} 需要一个值。"}, {same_text(name)}));
      value = argv[++i];
    }
    auto number = [&](long long lo, long long hi) -> Result<long long> {
      try {
        std::size_t used = 0;
        const long long n = std::stoll(*value, &used);
        if (used == value->size() && n >= lo && n <= hi) return n;
      } catch (const std::exception&) {
      }
      return usage(format_text(Text{"{} needs a whole number from {} to {}, not \"{}\".", "{} 需要 {} 到 {} 之间的整数，而不是“{}”。"},
                               {same_text(name), same_text(std::to_string(lo)), same_text(std::to_string(hi)),
                                same_text(*value)}));
    };
    if (name == "--server") {
      o.server = *value;
    } else if (name == "--file") {
      o.file = *value;
    } else if (name == "--profiles") {
      o.profiles = *value;
    } else if (name == "--lang") {
      o.language = parse_language(*value);
    } else if (name == "--requests") {
      auto n = number(1, kMaxRequests);
      if (!n) return n.status();
      o.requests = static_cast<int>(*n);
    } else {
      auto n = number(0, std::numeric_limits<long long>::max());
      if (!n) return n.status();
      o.seed = static_cast<std::uint64_t>(*n);
    }
  }
  if (!o.help && o.server.empty()) {
    return usage(Text{"Name the server with --server URL (e.g. http://127.0.0.1:8080); see --help.",
                      "请用 --server 地址 指定服务器（例如 http://127.0.0.1:8080）；参见 --help。"});
  }
  if (o.profiles.empty()) return usage(Text{"--profiles needs a folder.", "--profiles 需要一个目录。"});
  return o;
}

class DemoRun {
 public:
  DemoRun(const Options& o, const Console& console, DemoData data, DeskCast cast, client::ServerAddress server)
      : o_(o), console_(console), data_(std::move(data)), cast_(std::move(cast)), server_(std::move(server)) {}

  int run() {
    // 1. An earlier run that stopped while uploading: send the rest, add nothing new.
    std::vector<std::string> unfinished;
    for (const std::string& user : cast_.profiles()) {
      if (!fs::exists(profile_of(user))) continue;
      client::LocalReplicaOptions query_only;  // counting needs no replica (nor the profile's lock)
      query_only.load_state = false;
      auto replica = client::LocalReplica::open(profile_of(user), std::move(query_only));
      if (!replica) return console_.fail(replica.status());
      if ((*replica)->sync_state().unsent_ops > 0) unfinished.push_back(user);
    }
    if (!unfinished.empty()) {
      console_.line(Text{"an earlier run stopped before everything reached the server; sending the rest.",
                         "上次运行在全部上传前中断；正在发送剩余内容。"});
      std::vector<std::string> present;
      for (const std::string& user : cast_.profiles()) {
        if (fs::exists(profile_of(user))) present.push_back(user);
      }
      if (int rc = upload_and_sync(present); rc != 0) return rc;
      return finish();
    }

    // 2. Only an empty server gets the demo: ask it as the coordinator (who sees everything).
    const fs::path staging = o_.profiles / kStagingDir;
    std::error_code ec;
    fs::remove_all(staging, ec);  // left by a run that stopped while writing: never sent
    fs::create_directories(staging, ec);
    if (ec) {
      return console_.fail(Status::io(format_text(Text{"Cannot create {}: {}", "无法创建 {}：{}"},
                                                  {same_text(staging.string()), same_text(ec.message())})));
    }
    struct Cleanup {
      fs::path dir;
      ~Cleanup() {
        std::error_code ignored;
        fs::remove_all(dir, ignored);
      }
    } cleanup{staging};
    SimulatedClock clock;
    std::map<std::string, std::unique_ptr<client::LocalReplica>> replicas;
    if (Status s = sign_in(cast_.coordinator, staging, clock, replicas); !s) return console_.fail(s);
    auto total = server_request_count(*replicas[cast_.coordinator]);
    if (!total) return console_.fail(total.status());
    if (*total > 0) {
      console_.line(format_text(Text{"the server already has {} requests; the demo adds nothing to a server in use.",
                                     "服务器已有 {} 个请求；演示数据不会添加到已在使用的服务器。"},
                                {same_text(std::to_string(*total))}));
      replicas.clear();
      return finish();
    }
    std::vector<std::string> stale;
    for (const std::string& user : cast_.profiles()) {
      if (fs::exists(profile_of(user))) stale.push_back(profile_of(user).string());
    }
    if (!stale.empty()) {
      std::string list;
      for (const auto& f : stale) list += "\n  " + f;
      return console_.fail(Status::conflict(format_text(
          Text{"The server has no requests, but these profiles from another server are in the way; remove them or "
               "choose another --profiles folder:{}",
               "服务器没有请求，但以下来自其他服务器的配置文件占用了位置；请删除它们或换一个 --profiles 目录：{}"},
          {same_text(list)})));
    }

    // 3. Everyone signs in; the desk is worked offline, then every profile syncs.
    for (const std::string& user : cast_.profiles()) {
      if (replicas.count(user) != 0) continue;
      if (Status s = sign_in(user, staging, clock, replicas); !s) return console_.fail(s);
    }
    PlanOptions plan_options;
    plan_options.now = now_ms();
    plan_options.requests = o_.requests;
    plan_options.seed = o_.seed;
    auto plan = plan_desk(data_, plan_options);
    if (!plan) return console_.fail(plan.status());
    std::map<std::string, client::LocalReplica*> profiles;
    for (auto& [user, replica] : replicas) profiles[user] = replica.get();
    auto enacted = enact_plan(*plan, profiles, clock, Milestones(console_, Text{"{}/{} requests", "{}/{} 个请求"}));
    if (!enacted) return console_.fail(enacted.status());
    console_.line(format_text(Text{"{} requests recorded with {} edits by {} people over {} days; syncing.",
                                   "已登记 {} 个请求，共 {} 次修改，{} 人参与，跨度 {} 天；正在同步。"},
                              {same_text(std::to_string(enacted->requests)), same_text(std::to_string(enacted->edits)),
                               same_text(std::to_string(replicas.size())), same_text(std::to_string(plan_options.days))}));
    profiles.clear();
    replicas.clear();  // closes every profile before it moves
    for (const std::string& user : cast_.profiles()) {
      for (const char* suffix : {"", "-wal", "-shm"}) {
        const fs::path from = staging / (user + ".rapidesk" + suffix);
        if (!fs::exists(from)) continue;
        fs::rename(from, fs::path(profile_of(user).string() + suffix), ec);
        if (ec) {
          return console_.fail(Status::io(format_text(Text{"Cannot move {}: {}", "无法移动 {}：{}"},
                                                      {same_text(from.string()), same_text(ec.message())})));
        }
      }
    }
    if (int rc = upload_and_sync(cast_.profiles()); rc != 0) return rc;
    return finish();
  }

 private:
  fs::path profile_of(const std::string& user) const { return o_.profiles / (user + ".rapidesk"); }

  static Instant now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  Status sign_in(const std::string& user, const fs::path& dir, const SimulatedClock& clock,
                 std::map<std::string, std::unique_ptr<client::LocalReplica>>& out) const {
    const DemoUser* who = data_.user(user);
    client::LocalReplicaOptions options;
    options.clock = clock.physical();
    auto replica = open_signed_in(dir / (user + ".rapidesk"), server_, *who, data_.password, std::move(options));
    if (!replica) return replica.status();
    out[user] = std::move(*replica);
    return Status::ok();
  }

  // How many requests the server holds (the read API's total, as a coordinator sees it).
  Result<std::size_t> server_request_count(const client::LocalReplica& replica) const {
    client::ServerApi api(server_);
    api.set_token(replica.identity().token);
    auto page = api.get_json("/api/v1/requests?limit=1");
    if (!page) return page.status();
    if (!page->is_object() || !(*page)["total"].is_number_unsigned()) {
      return Status::corrupt(Text{"The server's request list has no total.", "服务器的请求列表缺少 total。"});
    }
    return (*page)["total"].get<std::size_t>();
  }

  // Prints "demo: {what} n/all" about every tenth of the way.
  class Milestones {
   public:
    Milestones(const Console& console, Text what) : console_(console), what_(std::move(what)) {}
    void operator()(std::size_t done, std::size_t all) {
      const std::size_t step = std::max<std::size_t>(1, all / 10);
      if (next_ == 0) next_ = step;
      if (done < next_ && done != all) return;
      if (done == all && printed_all_) return;
      printed_all_ = done == all;
      next_ = (done / step + 1) * step;
      console_.line(format_text(what_, {same_text(std::to_string(done)), same_text(std::to_string(all))}));
    }

   private:
    const Console& console_;
    Text what_;
    std::size_t next_ = 0;
    bool printed_all_ = false;
  };

  // Sends what the profiles queued, each request's history in one push (see
  // upload_by_request), then syncs every profile so each holds what it may see. Fails when
  // the server refused anything or a conflict record appeared.
  int upload_and_sync(const std::vector<std::string>& users) const {
    std::vector<std::unique_ptr<client::LocalReplica>> open;
    std::vector<client::LocalReplica*> profiles;
    for (const std::string& user : users) {
      auto replica = client::LocalReplica::open(profile_of(user));
      if (!replica) return console_.fail(replica.status());
      open.push_back(std::move(*replica));
      profiles.push_back(open.back().get());
    }
    auto uploaded = upload_by_request(profiles, console_.language(),
                                      Milestones(console_, Text{"sent {}/{} requests", "已发送 {}/{} 个请求"}));
    if (!uploaded) return console_.fail(uploaded.status());
    std::size_t rejected = uploaded->rejected;
    std::size_t conflicts = uploaded->conflicts;
    std::vector<std::string> reasons = uploaded->reasons;
    for (std::size_t i = 0; i < users.size(); ++i) {
      auto report = sync_profile(*open[i], console_.language());
      if (!report) return console_.fail(report.status());
      rejected += report->rejected;
      conflicts = std::max(conflicts, report->conflicts);
      for (auto& r : report->reasons) reasons.push_back(users[i] + ": " + r);
      console_.line(format_text(Text{"synced {} ({}/{})", "已同步 {}（{}/{}）"},
                                {same_text(users[i]), same_text(std::to_string(i + 1)),
                                 same_text(std::to_string(users.size()))}));
    }
    if (rejected == 0 && conflicts == 0) {
      console_.line(format_text(Text{"the server took all {} changes ({} pushes).", "服务器接受了全部 {} 项修改（{} 次上传）。"},
                                {same_text(std::to_string(uploaded->ops)), same_text(std::to_string(uploaded->pushes))}));
      return 0;
    }
    std::string list;
    for (std::size_t i = 0; i < reasons.size() && i < 10; ++i) list += "\n  " + reasons[i];
    return console_.fail(Status::conflict(format_text(
        Text{"The server did not take everything as written: {} changes refused, {} in conflict.{}",
             "服务器没有按原样接受全部内容：{} 项修改被拒绝，{} 项存在冲突。{}"},
        {same_text(std::to_string(rejected)), same_text(std::to_string(conflicts)), same_text(list)})));
  }

  // Leaves the coordinator's profile signed in and up to date, and says what it holds.
  int finish() const {
    const fs::path file = profile_of(cast_.coordinator);
    const DemoUser& who = *data_.user(cast_.coordinator);
    std::unique_ptr<client::LocalReplica> replica;
    if (fs::exists(file)) {
      auto opened = client::LocalReplica::open(file);
      if (!opened) return console_.fail(opened.status());
      const auto identity = (*opened)->identity();
      if (!identity.user.empty() && identity.user != who.name) {
        return console_.fail(Status::conflict(format_text(Text{"{} belongs to {}, not {}.", "{} 属于 {}，而不是 {}。"},
                                                          {same_text(file.string()), same_text(identity.user),
                                                           same_text(who.name)})));
      }
      if (!identity.token.empty() && identity.server_url == server_.url()) replica = std::move(*opened);
    }
    if (!replica) {
      auto signed_in = open_signed_in(file, server_, who, data_.password);
      if (!signed_in) return console_.fail(signed_in.status());
      replica = std::move(*signed_in);
    }
    auto report = sync_profile(*replica, console_.language());
    if (!report && report.status().code() == ErrorCode::kUnauthorized) {  // the token expired
      replica.reset();
      auto signed_in = open_signed_in(file, server_, who, data_.password);
      if (!signed_in) return console_.fail(signed_in.status());
      replica = std::move(*signed_in);
      report = sync_profile(*replica, console_.language());
    }
    if (!report) return console_.fail(report.status());
    if (report->rejected > 0) {
      return console_.fail(Status::conflict(format_text(Text{"The server refused {} changes of {}: {}",
                                                             "服务器拒绝了 {} 的 {} 项修改：{}"},
                                                        {same_text(std::to_string(report->rejected)),
                                                         same_text(who.name), same_text(report->reasons.front())})));
    }
    auto reader = client::ReplicaReader::open(file);
    if (!reader) return console_.fail(reader.status());
    std::size_t total = 0;
    std::string by_status;
    for (const auto& entry : enum_entries<RequestStatus>()) {
      client::RequestFilter filter;
      filter.status = {std::string(entry.wire)};
      filter.limit = 1;
      auto page = (*reader)->list(filter, now_ms());
      if (!page) return console_.fail(page.status());
      if (page->total == 0) continue;
      total += page->total;
      by_status += (by_status.empty() ? "" : ", ") + std::string(entry.wire) + " " + std::to_string(page->total);
    }
    console_.line(format_text(Text{"{}'s copy holds {} requests: {}", "{} 的副本中有 {} 个请求：{}"},
                              {same_text(who.name), same_text(std::to_string(total)), same_text(by_status)}));
    console_.line(format_text(Text{"desktop profile, signed in as {}: {}", "桌面客户端配置文件（已登录为 {}）：{}"},
                              {same_text(who.name), same_text(file.string())}));
    return 0;
  }

  const Options& o_;
  const Console& console_;
  DemoData data_;
  DeskCast cast_;
  client::ServerAddress server_;
};

}  // namespace

int main(int argc, char** argv) {
  auto options = parse_options(argc, argv);
  if (!options) return Console(Language::kEnglish).fail(options.status());
  const Console console(options->language);
  if (options->help) {
    std::cout << kHelp.en << "\n\n" << kHelp.zh << "\n";
    return 0;
  }
  try {
    const auto started = std::chrono::steady_clock::now();
    auto data = load_demo_data(options->file);
    if (!data) return console.fail(data.status());
    auto cast = choose_cast(*data);
    if (!cast) return console.fail(cast.status());
    auto server = client::ServerAddress::parse(options->server);
    if (!server) return console.fail(Status::invalid(server.status().message(), "usage"));
    DemoRun run(*options, console, std::move(*data), std::move(*cast), std::move(*server));
    const int rc = run.run();
    if (rc == 0) {
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      char text[32];
      std::snprintf(text, sizeof text, "%.1f", seconds);
      console.line(format_text(Text{"done in {} s", "完成，用时 {} 秒"}, {same_text(text)}));
    }
    return rc;
  } catch (const std::exception& e) {
    return console.fail(Status(ErrorCode::kInternal, Text{std::string("unexpected error: ") + e.what(),
                                                          std::string("意外错误：") + e.what()}));
  }
}
