// The desktop client in a real GLFW window on its own Xvfb display, against the real
// rapidesk-server on loopback: sign in through the login window, see the synced list, open
// a request, file a new one through the intake form, sync it, and write a PNG of every
// main window to build/screenshots/ (each checked to be non-blank). Chinese labels must
// render as glyphs: every Chinese string the UI drew is checked against the font atlas.
#include <gtest/gtest.h>
#include <png.h>

#include <csignal>
#include <set>

#include "app/app.h"
#include "app/startup_error.h"
#include "harness.h"
#include "platform/fonts.h"
#include "platform/window.h"
#include "rapidesk/client/intake.h"
#include "rapidesk/client/server_api.h"
#include "rapidesk/client/sync_worker.h"
#include "rapidesk/sqlite/database.h"
#include "windows/windows.h"

namespace {

using namespace rapidesk_it;
using namespace rapidesk;
namespace fs = std::filesystem;

// An Xvfb server of the test's own (display number chosen by Xvfb: -displayfd).
class Xvfb {
 public:
  Xvfb() {
    int fds[2];
    if (pipe(fds) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      close(fds[0]);
      const std::string fd = std::to_string(fds[1]);
      // -noreset: by default the server resets when its last client leaves, and a test that
      // closes its window and opens another can connect mid-reset (glfwInit then fails).
      execlp("Xvfb", "Xvfb", "-displayfd", fd.c_str(), "-screen", "0", "1440x900x24", "-nolisten", "tcp", "-noreset",
             static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    std::string number;
    char c;
    while (read(fds[0], &c, 1) == 1 && c != '\n') number += c;
    close(fds[0]);
    if (!number.empty()) {
      display_ = ":" + number;
      setenv("DISPLAY", display_.c_str(), 1);
    }
  }
  ~Xvfb() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  bool ok() const { return !display_.empty(); }

 private:
  pid_t pid_ = -1;
  std::string display_;
};

// Distinct colours and the share of pixels unlike the most common one: a blank or
// single-colour frame fails.
struct PngStats {
  bool read = false;
  int width = 0, height = 0;
  std::size_t colours = 0;
  double non_background = 0;
};

std::string str(const nlohmann::json& row, const char* key) {
  auto it = row.find(key);
  return it != row.end() && it->is_string() ? it->get<std::string>() : std::string();
}

PngStats png_stats(const fs::path& file) {
  PngStats s;
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&image, file.c_str())) return s;
  image.format = PNG_FORMAT_RGBA;
  std::vector<unsigned char> px(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, px.data(), 0, nullptr)) return s;
  s.read = true;
  s.width = static_cast<int>(image.width);
  s.height = static_cast<int>(image.height);
  std::map<std::uint32_t, std::size_t> counts;
  for (std::size_t i = 0; i + 3 < px.size(); i += 4) {
    ++counts[(std::uint32_t{px[i]} << 16) | (std::uint32_t{px[i + 1]} << 8) | px[i + 2]];
  }
  std::size_t most = 0;
  for (const auto& [c, n] : counts) most = std::max(most, n);
  s.colours = counts.size();
  s.non_background = 1.0 - static_cast<double>(most) / static_cast<double>(px.size() / 4);
  return s;
}

class UiWindowTest : public ServerTest {
 protected:
  using Clock = std::chrono::steady_clock;

  void SetUp() override {
    ServerTest::SetUp();
    ASSERT_TRUE(xvfb_.ok()) << "Xvfb did not start (tools/setup installs the xvfb package)";
    fs::create_directories(RAPIDESK_SCREENSHOT_DIR);
  }

  // A field agent files `n` requests on their own device and syncs them.
  void seed_requests(int n) {
    auto replica = client::LocalReplica::open(dir_.path() / "alice.rapidesk");
    ASSERT_TRUE(replica);
    auto address = client::ServerAddress::parse("http://127.0.0.1:" + std::to_string(port()));
    ASSERT_TRUE(address);
    client::ServerApi api(*address);
    client::ProfileIdentity who = (*replica)->identity();
    auto login = api.login("alice", "pw-alice", who.device);
    ASSERT_TRUE(login) << login.status().message().en;
    who = client::identity_after_login(std::move(who), *login);
    who.server_url = "http://127.0.0.1:" + std::to_string(port());
    ASSERT_TRUE((*replica)->set_sign_in(who));
    const char* customers[] = {"华东物流有限公司", "苏州精密制造", "Northwind Trading", "杭州云联科技"};
    const char* categories[] = {"tech_support", "complaint", "consultation", "feature"};
    for (int i = 0; i < n; ++i) {
      std::vector<client::FieldInput> f = {{"customer", customers[i % 4]},
                                           {"category", categories[i % 4]},
                                           {"channel", i % 2 ? "phone" : "visit"},
                                           {"title", "仓库扫码枪无法连接 #" + std::to_string(i)},
                                           {"description", "出库全部停了，请尽快派人处理。"},
                                           {"impact", i % 3 ? "team" : "site"},
                                           {"owner", "alice"},
                                           {"team", "SVC"}};
      ASSERT_TRUE((*replica)->create_request(f));
    }
    std::vector<client::FieldInput> kb = {{"title", "扫码枪重新配对步骤"}, {"body", "长按扫码枪电源键五秒，扫描配对条码。"},
                                          {"category", "tech_support"}};
    ASSERT_TRUE((*replica)->create_row("knowledge", kb));
    client::SyncWorker worker(**replica);
    Status s = worker.sync_once();
    ASSERT_TRUE(s) << s.message().en;
  }

  // The app on `profile` (in the test's folder) with this test's server.
  ui::AppOptions online(const std::string& profile, Language language) {
    ui::AppOptions options;
    options.db = dir_.path() / profile;
    options.server_url = "http://127.0.0.1:" + std::to_string(port());
    options.language = language;
    return options;
  }

  // A real window and the app on `options`, in window_ and app_.
  void open_app(const ui::AppOptions& options) {
    app_.reset();
    window_.reset();  // one window (and ImGui context) at a time
    auto window = ui::Window::open({});
    ASSERT_TRUE(window) << window.status().message().en;
    window_ = std::move(*window);
    auto app = ui::App::open(options);
    ASSERT_TRUE(app) << app.status().message().en;
    app_ = std::move(*app);
  }

  void frame(const fs::path* shot = nullptr) {
    if (app_->prepare_fonts()) window_->reload_fonts();
    window_->begin_frame(0);
    app_->frame();
    Status s = window_->end_frame(shot);
    ASSERT_TRUE(s) << s.message().en;
  }
  bool run_until(const std::function<bool()>& done, std::chrono::seconds timeout = std::chrono::seconds(30)) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      frame();
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(15));
    }
    return false;
  }
  // Shows only `window` (plus the status bar and menu) for a few frames, then writes it.
  void screenshot(const std::string& name, bool ui::OpenWindows::*window) {
    auto& open = app_->context().open;
    open = ui::OpenWindows{};
    open.requests = open.detail = false;
    open.*window = true;
    for (int i = 0; i < 4; ++i) frame();
    const fs::path file = fs::path(RAPIDESK_SCREENSHOT_DIR) / (name + ".png");
    frame(&file);
    const PngStats s = png_stats(file);
    ASSERT_TRUE(s.read) << file;
    EXPECT_EQ(s.width, 1440);
    EXPECT_GT(s.colours, 20u) << name << " looks blank";
    EXPECT_GT(s.non_background, 0.02) << name << " looks blank";
  }

  Xvfb xvfb_;
  std::unique_ptr<ui::Window> window_;
  std::unique_ptr<ui::App> app_;
};

TEST_F(UiWindowTest, SignsInListsOpensFilesSyncsAndScreenshotsEveryWindow) {
  add_user("alice", "pw-alice", "agent", "SVC");
  add_user("carol", "pw-carol", "coordinator", "SVC");
  start();
  seed_requests(30);

  std::set<std::string> drawn;  // every string the UI handed to ImGui, in Chinese
  ui::set_text_observer([&](const char* s) { drawn.insert(s); });

  const ui::AppOptions options = online("carol.rapidesk", Language::kChinese);
  ASSERT_NO_FATAL_FAILURE(open_app(options));
  auto& ctx = app_->context();

  // Not signed in yet: the login window is up; sign in through it.
  frame();
  ASSERT_TRUE(ctx.open.login);
  screenshot("login", &ui::OpenWindows::login);
  ctx.login_server = options.server_url;
  ctx.login_user = "carol";
  ctx.login_password = "wrong";
  ui::begin_sign_in(ctx);
  ASSERT_TRUE(run_until([&] { return !ctx.login_error.empty(); }));  // a wrong password is said, not crashed on
  ctx.login_password = "pw-carol";
  ui::begin_sign_in(ctx);
  ASSERT_TRUE(run_until([&] { return ctx.worker != nullptr; })) << ctx.login_error;
  EXPECT_EQ(ctx.who.user, "carol");

  // The sync worker pulls alice's 30 requests; the list shows them.
  ctx.open.requests = true;
  ASSERT_TRUE(run_until([&] { return ctx.list.size() == 30; })) << ctx.list.size();
  ASSERT_TRUE(run_until([&] {
    const auto* r = ctx.list.row(*ctx.reader, 0);
    return r != nullptr && !str(*r, "number").empty();
  }));
  screenshot("requests", &ui::OpenWindows::requests);

  // Open one.
  const std::string first = ctx.list.row(*ctx.reader, 0)->at("id");
  ctx.select(first);
  ASSERT_TRUE(run_until([&] { return ctx.detail.is_object() && str(ctx.detail, "id") == first; }));
  screenshot("detail", &ui::OpenWindows::detail);

  // File a new one through the intake form.
  ctx.open.intake = true;
  frame();
  ctx.intake.values["customer"] = "宁波港务集团";
  ctx.intake.values["category"] = "complaint";
  ctx.intake.values["description"] = "上门服务迟到两小时，客户非常不满。";
  ctx.intake.values["title"] = "上门服务迟到";
  ctx.intake.values["tier"] = "vip";
  ctx.intake.values["impact"] = "site";
  screenshot("intake", &ui::OpenWindows::intake);
  ASSERT_TRUE(run_until([&] { return ctx.worker->status().online; }));  // set when the round ends
  ui::file_intake(ctx);
  ASSERT_FALSE(ctx.selected.empty());
  const std::string filed = ctx.selected;
  ASSERT_TRUE(ctx.notice);
  EXPECT_FALSE(ctx.notice->error) << ctx.notice->text;
  // Online, it is not said to wait for the server.
  EXPECT_NE(ctx.notice->text.find(ui::pick({"sending it to the server", "正在发送到服务器"})), std::string::npos)
      << ctx.notice->text;
  // It syncs: the server numbers it, and the list has 31.
  ASSERT_TRUE(run_until([&] {
    auto r = ctx.reader->request(filed);
    return r && !str(*r, "number").empty();
  })) << "the new request never got its number";
  ASSERT_TRUE(run_until([&] { return ctx.list.size() == 31; }));
  EXPECT_EQ(ctx.worker->status().pending_ops, 0u);

  // Reports come from the server; a group leads to the requests behind it.
  ctx.open.reports = true;
  frame();
  ASSERT_TRUE(run_until([&] { return ui::report_loaded(ctx); })) << ui::report_view().error;
  const nlohmann::json& report = ui::report_view().report;
  EXPECT_EQ(report["total"]["opened"], 31);
  ASSERT_TRUE(report["groups"].contains("complaint"));
  screenshot("reports", &ui::OpenWindows::reports);
  // Export the period's requests as a spreadsheet (a zip file: "PK").
  auto& view = ui::report_view();
  view.export_path = (dir_.path() / "week").string();
  ui::start_export(ctx, view, ui::requests_export_target(view.from, view.to, client::local_utc_offset_minutes(), ".xlsx"),
                   "-requests.xlsx");
  ASSERT_TRUE(run_until([&] { return !view.exporting.valid(); }));
  {
    std::ifstream xlsx(dir_.path() / "week-requests.xlsx", std::ios::binary);
    std::string magic(2, '\0');
    xlsx.read(magic.data(), 2);
    EXPECT_EQ(magic, "PK") << (ctx.notice ? ctx.notice->text : "");
  }
  const int complaints = report["groups"]["complaint"]["opened"];
  // Dates typed but not shown yet do not change what a click on the report lists.
  const std::pair shown{view.from, view.to};
  view.from = "2001-01-01";
  view.to = "2001-01-07";
  ui::drill_down(ctx, "category", "complaint");
  std::tie(view.from, view.to) = shown;
  EXPECT_TRUE(ctx.open.requests);
  ASSERT_TRUE(run_until([&] { return ctx.list.loaded() && !ctx.list.query_running() && ctx.list.size() == static_cast<std::size_t>(complaints); }))
      << ctx.list.size() << " listed, report says " << complaints;

  for (auto [name, member] : {std::pair{"notifications", &ui::OpenWindows::notifications},
                              {"knowledge", &ui::OpenWindows::knowledge},
                              {"conflicts", &ui::OpenWindows::conflicts},
                              {"dashboard", &ui::OpenWindows::dashboard},
                              {"settings", &ui::OpenWindows::settings}}) {
    screenshot(name, member);
  }

  // Every Chinese string drawn has its glyphs in the atlas (not boxes).
  ASSERT_TRUE(ctx.cjk_font) << "no CJK font found (tools/setup installs fonts-wqy-microhei)";
  std::size_t chinese = 0;
  for (const auto& s : drawn) {
    if (std::any_of(s.begin(), s.end(), [](char ch) { return static_cast<unsigned char>(ch) >= 0xE4; })) {
      ++chinese;
      EXPECT_TRUE(ui::has_glyphs(s.c_str())) << "missing glyphs in: " << s;
    }
  }
  EXPECT_GT(chinese, 50u);
  EXPECT_TRUE(ui::has_glyphs("请求列表"));
  EXPECT_FALSE(ui::has_glyphs("\xF0\x9F\x98\x80"));  // an emoji is not in the atlas: the check can fail
  ui::set_text_observer({});
}

TEST_F(UiWindowTest, EditsTheServerRefusedAreSaidInTheStatusBar) {
  add_user("alice", "pw-alice", "agent", "SVC");
  add_user("bob", "pw-bob", "field", "SVC");
  start();
  seed_requests(1);  // alice's, owned by her
  const ui::AppOptions options = online("bob.rapidesk", Language::kEnglish);
  ASSERT_NO_FATAL_FAILURE(open_app(options));
  auto& ctx = app_->context();
  frame();
  ctx.login_server = options.server_url;
  ctx.login_user = "bob";
  ctx.login_password = "pw-bob";
  ui::begin_sign_in(ctx);
  ASSERT_TRUE(run_until([&] { return ctx.worker != nullptr; })) << ctx.login_error;
  ctx.open.requests = true;
  ASSERT_TRUE(run_until([&] { return ctx.list.size() == 1; })) << ctx.list.size() << " requests";
  const std::string id = ctx.list.row(*ctx.reader, 0)->at("id");
  // Bob (field staff, not its owner nor the team lead) re-agrees its due time: the server
  // refuses both ops, which leave the outbox.
  const std::vector<client::FieldInput> reagreed = {{"agreed_due", "2026-12-10T10:00:00+08:00"},
                                                    {"agreed_reason", "客户要求延期"}};
  ASSERT_TRUE(ctx.replica->update("request", id, reagreed));
  ctx.worker->request_sync();
  ASSERT_TRUE(run_until([&] { return ctx.notice && ctx.notice->error; }))
      << (ctx.notice ? ctx.notice->text : "no notice") << "; " << ctx.worker->status().refused_ops << " refused";
  EXPECT_NE(ctx.notice->text.find("2 edits were refused by the server"), std::string::npos) << ctx.notice->text;
  EXPECT_EQ(ctx.worker->status().refused_ops, 2u);
  EXPECT_EQ(ctx.worker->status().pending_ops, 0u);
  // The Refused edits window opened by itself and lists both, with the request and reason.
  EXPECT_TRUE(ctx.open.refused);
  frame();
  ASSERT_EQ(ctx.refused.size(), 2u);
  for (const auto& r : ctx.refused) {
    EXPECT_EQ(r["request_id"], id);
    EXPECT_FALSE(r["number"].is_null()) << r.dump();
    EXPECT_NE(r["message"].get<std::string>().find("re-agree its due time"), std::string::npos) << r.dump();
  }
  screenshot("refused", &ui::OpenWindows::refused);
  // Dismissed once dealt with: gone from the list and the profile, and not told again.
  ui::dismiss_refused(ctx, ctx.refused.front()["op_id"].get<std::string>());
  ASSERT_EQ(ctx.refused.size(), 1u);
  EXPECT_EQ((*ctx.reader->rejections()).size(), 1u);
  ui::dismiss_refused(ctx, "nope:1");
  ASSERT_TRUE(ctx.notice && ctx.notice->error);
  EXPECT_NE(ctx.notice->text.find("There is no refused edit"), std::string::npos) << ctx.notice->text;
  EXPECT_EQ(ctx.refused.size(), 1u);
  ctx.notice.reset();
  const auto rounds = ctx.worker->status().rounds;
  ctx.worker->request_sync();
  ASSERT_TRUE(run_until([&] { return ctx.worker->status().rounds > rounds; }));
  for (int i = 0; i < 3; ++i) frame();
  EXPECT_EQ(ctx.worker->status().refused_ops, 1u);
  EXPECT_FALSE(ctx.notice && ctx.notice->error) << ctx.notice->text;
  // Told once: opened again, the app does not say it again.
  app_.reset();
  ASSERT_NO_FATAL_FAILURE(open_app(options));
  auto& reopened = app_->context();
  ASSERT_TRUE(run_until([&] { return reopened.worker != nullptr && reopened.worker->status().rounds > 0; }))
      << (reopened.worker ? reopened.worker->status().last_error.message().en : "no worker");
  for (int i = 0; i < 5; ++i) frame();
  EXPECT_FALSE(reopened.notice && reopened.notice->error) << reopened.notice->text;
}

TEST_F(UiWindowTest, SettingsOfTheWrongTypeKeepTheirDefaultsInsteadOfStoppingTheApp) {
  const fs::path profile = dir_.path() / "odd.rapidesk";
  {
    auto replica = client::LocalReplica::open(profile);
    ASSERT_TRUE(replica) << replica.status().message().en;
    ASSERT_TRUE((*replica)->save_draft("ui.settings", R"({"language":"en","dark":1,"font_size":"18"})"));
  }
  ui::AppOptions options;
  options.db = profile;
  ASSERT_NO_FATAL_FAILURE(open_app(options));
  const auto& settings = app_->context().settings;
  EXPECT_EQ(settings.language, Language::kEnglish) << "the readable setting is kept";
  EXPECT_FALSE(settings.dark);
  EXPECT_EQ(settings.font_size, 18.0f);
  frame();
  // The intake draft cannot be saved (here a trigger refuses it, like a full disk): the
  // intake window says so instead of promising the typing is kept.
  {
    auto db = sqlite::Database::open(profile);
    ASSERT_TRUE(db);
    ASSERT_TRUE((*db)->exec("CREATE TRIGGER full BEFORE INSERT ON drafts "
                            "WHEN NEW.name IN ('intake', 'ui.notifications_seen') "
                            "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END",
                            "refusing drafts"));
  }
  auto& ctx = app_->context();
  ctx.open.intake = true;
  ctx.intake.values["customer"] = "温州电器";
  ASSERT_TRUE(run_until([&] { return !ctx.draft_error.is_ok(); }, std::chrono::seconds(5)));
  EXPECT_NE(ctx.draft_error.message().en.find("disk is full"), std::string::npos) << ctx.draft_error.message().en;
  // "Mark all read" that cannot be kept says so; they stay read while the app runs.
  ctx.notifications = {nlohmann::json{{"at", 5000}, {"kind", "assigned"}}};
  ui::mark_notifications_read(ctx);
  EXPECT_EQ(ui::unread_notifications(ctx), 0u);
  ASSERT_TRUE(ctx.notice && ctx.notice->error);
  EXPECT_NE(ctx.notice->text.find("disk is full"), std::string::npos) << ctx.notice->text;

  // A sign-in that fails after its window was closed opens the window again with the reason.
  ctx.login_server = "http://127.0.0.1:1";
  ctx.login_user = "alice";
  ctx.login_password = "pw-alice";
  ui::begin_sign_in(ctx);
  ctx.open.login = false;
  ASSERT_TRUE(run_until([&] { return !ctx.login_error.empty(); }, std::chrono::seconds(20)));
  EXPECT_TRUE(ctx.open.login);
}

TEST_F(UiWindowTest, AProfileThatCannotBeOpenedIsExplainedInTheWindow) {
  const fs::path profile = dir_.path() / "busy.rapidesk";
  auto holder = client::LocalReplica::open(profile);  // another Rapidesk program has it
  ASSERT_TRUE(holder) << holder.status().message().en;
  ui::AppOptions options;
  options.db = profile;
  auto app = ui::App::open(options);
  ASSERT_FALSE(app);
  EXPECT_EQ(app.status().code(), ErrorCode::kConflict);
  auto window = ui::Window::open({});
  ASSERT_TRUE(window);
  const fs::path file = fs::path(RAPIDESK_SCREENSHOT_DIR) / "startup_error.png";
  ASSERT_TRUE(ui::show_startup_error(**window, app.status(), 3, &file));
  const PngStats shot = png_stats(file);
  ASSERT_TRUE(shot.read);
  EXPECT_GT(shot.non_background, 0.001) << "the message is drawn";
}

TEST_F(UiWindowTest, WorksOfflineAfterTheFirstSignInAndKeepsTheDraft) {
  add_user("alice", "pw-alice", "agent", "SVC");
  start();
  seed_requests(3);
  // alice's own profile, signed in and synced; the server goes away.
  server_->terminate_and_wait(std::chrono::seconds(10));
  auto window = ui::Window::open({});
  ASSERT_TRUE(window);
  window_ = std::move(*window);
  ui::AppOptions options;
  options.db = dir_.path() / "alice.rapidesk";
  options.language = Language::kEnglish;
  {
    auto app = ui::App::open(options);
    ASSERT_TRUE(app);
    app_ = std::move(*app);
    auto& ctx = app_->context();
    EXPECT_FALSE(ctx.open.login);  // signed in before: no login needed offline
    ASSERT_TRUE(run_until([&] { return ctx.list.size() == 3; }));
    ASSERT_TRUE(run_until([&] { return ctx.worker->status().rounds > 0; }));
    EXPECT_FALSE(ctx.worker->status().online);
    // Half-typed intake, then the app closes.
    ctx.open.intake = true;
    ctx.intake.values["customer"] = "温州电器";
    ctx.intake.values["description"] = "空调不制冷";
    frame();
    app_.reset();
  }
  auto app = ui::App::open(options);
  ASSERT_TRUE(app);
  app_ = std::move(*app);
  auto& ctx = app_->context();
  EXPECT_TRUE(ctx.open.intake);  // the draft came back
  EXPECT_EQ(ctx.intake.values["customer"], "温州电器");
  EXPECT_EQ(ctx.intake.values["description"], "空调不制冷");
  // Filing offline works: it waits in the outbox.
  ctx.intake.values["category"] = "service";
  ui::file_intake(ctx);
  frame();
  EXPECT_FALSE(ctx.notice && ctx.notice->error) << (ctx.notice ? ctx.notice->text : "");
  ASSERT_TRUE(run_until([&] { return ctx.list.size() == 4; }));
  EXPECT_GT(ctx.replica->sync_state().pending_ops, 0u);
}

}  // namespace
