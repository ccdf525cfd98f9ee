#include "app/app.h"

#include <imgui.h>

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "json_member.h"
#include "platform/fonts.h"
#include "windows/windows.h"

namespace rapidesk::ui {

namespace {

Instant system_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string settings_json(const UiSettings& s) {
  return nlohmann::json{{"language", std::string(language_code(s.language))}, {"font_size", s.font_size}, {"dark", s.dark}}
      .dump();
}

void apply_theme(bool dark) {
  if (dark) {
    ImGui::StyleColorsDark();
  } else {
    ImGui::StyleColorsLight();
  }
  ImGui::GetStyle().FrameRounding = 3.0f;
  ImGui::GetStyle().WindowRounding = 4.0f;
}

}  // namespace

void AppContext::edited() {
  list.mark_data_changed();
  detail_dirty = true;
  insights_dirty = true;
  if (worker != nullptr) worker->request_sync();
}

std::filesystem::path default_profile_path() {
  std::filesystem::path base;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && *xdg != '\0') {
    base = xdg;
  } else if (const char* home = std::getenv("HOME"); home != nullptr) {
    base = std::filesystem::path(home) / ".local" / "share";
  } else {
    base = ".";
  }
  return base / "rapidesk" / "profile.rapidesk";
}

Result<std::unique_ptr<App>> App::open(const AppOptions& options) {
  std::unique_ptr<App> app(new App());
  auto replica = client::LocalReplica::open(options.db.empty() ? default_profile_path() : options.db);
  if (!replica) return replica.status();
  app->replica_ = std::move(*replica);
  if (!options.server_url.empty()) {
    if (Status s = app->replica_->set_server_url(options.server_url); !s) return s;
  }
  auto reader = client::ReplicaReader::open(app->replica_->file());
  if (!reader) return reader.status();
  app->reader_ = std::move(*reader);
  AppContext& ctx = app->ctx_;
  ctx.replica = app->replica_.get();
  ctx.reader = app->reader_.get();
  ctx.who = app->replica_->identity();
  ctx.now = system_now();
  // Index queries over a big replica run off the UI thread (a frame never waits for one).
  if (Status s = ctx.list.run_queries_in_background(app->replica_->file()); !s) return s;
  if (auto saved = app->replica_->load_draft("ui.settings")) {
    auto j = nlohmann::json::parse(*saved, nullptr, false);
    if (j.is_object()) {
      ctx.settings.language = parse_language(member_or(j, "language", std::string("zh")));
      ctx.settings.font_size = std::clamp(member_or(j, "font_size", 18.0f), 12.0f, 32.0f);
      ctx.settings.dark = member_or(j, "dark", false);
    }
  }
  if (options.language) ctx.settings.language = *options.language;
  if (options.font_size) ctx.settings.font_size = std::clamp(*options.font_size, 12.0f, 32.0f);
  if (options.dark) ctx.settings.dark = *options.dark;
  set_language(ctx.settings.language);
  app->saved_settings_ = settings_json(ctx.settings);
  ctx.intake.reset(ctx.now);
  if (auto draft = app->replica_->load_draft("intake")) {
    ctx.intake.from_draft(*draft);
    ctx.intake_saved_draft = *draft;
    if (!ctx.intake.empty()) ctx.open.intake = true;  // unfinished work comes back
  }
  if (auto seen = app->replica_->load_draft("ui.notifications_seen")) {
    ctx.notifications_seen = std::strtoll(seen->c_str(), nullptr, 10);
  }
  app->sync_enabled_ = options.sync;
  if (ctx.who.token.empty() || ctx.who.server_url.empty()) {
    ctx.open.login = true;
  } else {
    app->start_sync();
  }
  return app;
}

App::~App() {
  save();
  if (worker_) worker_->stop();
}

void App::start_sync() {
  if (!sync_enabled_ || worker_) return;
  worker_ = std::make_unique<client::SyncWorker>(*replica_);
  worker_->on_change([this] { ctx_.sync_changed.store(true); });
  worker_->start();
  ctx_.worker = worker_.get();
}

void App::apply_login() {
  if (!ctx_.login_result.valid() ||
      ctx_.login_result.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    return;
  }
  auto login = ctx_.login_result.get();
  // A failure reopens the login window, which may have been closed while signing in.
  if (!login) {
    ctx_.login_error = pick(login.status().message());
    ctx_.open.login = true;
    return;
  }
  client::ProfileIdentity who = client::identity_after_login(replica_->identity(), *login);
  who.server_url = ctx_.login_server;
  if (Status s = replica_->set_sign_in(who); !s) {
    ctx_.login_error = pick(s.message());
    ctx_.open.login = true;
    return;
  }
  ctx_.who = replica_->identity();
  ctx_.login_password.clear();
  ctx_.login_error.clear();
  ctx_.open.login = false;
  ctx_.say(tr({"Signed in. Syncing…", "已登录，正在同步…"}));
  if (worker_) {
    // A new token: restart the worker so it uses it.
    worker_->stop();
    worker_.reset();
    ctx_.worker = nullptr;
  }
  start_sync();
  ctx_.edited();
}

bool App::prepare_fonts() {
  if (fonts_loaded_ && !ctx_.fonts_dirty) return false;
  if (!fonts_loaded_) apply_theme(ctx_.settings.dark);
  const FontLoad loaded = load_fonts(ctx_.settings.font_size);
  ctx_.cjk_font = loaded.cjk;
  ctx_.font_file = loaded.file.string();
  ctx_.fonts_dirty = false;
  const bool reload = fonts_loaded_;
  fonts_loaded_ = true;
  return reload;
}

void App::refresh_models() {
  if (ctx_.sync_changed.exchange(false)) {
    ctx_.list.mark_data_changed();
    ctx_.detail_dirty = true;
    ctx_.insights_dirty = true;
  }
  if (auto r = ctx_.list.refresh(*reader_, ctx_.now); !r) ctx_.say(r.status());
  if (ctx_.insights_dirty && !ctx_.who.user.empty()) {
    auto n = reader_->notifications(ctx_.who.user, ctx_.now, 200);
    if (n) ctx_.notifications = std::move(*n);
  }
}

void App::frame() {
  ctx_.now = system_now();
  apply_login();
  refresh_models();
  ImGuiIO& io = ImGui::GetIO();
  if (io.KeyCtrl && ImGui::IsKeyPressed('N', false)) ctx_.open.intake = true;  // GLFW_KEY_N
  if (ImGui::IsKeyPressed(294 /* GLFW_KEY_F5 */, false) && worker_) worker_->request_sync(true);
  draw_main_menu(ctx_);
  draw_requests_window(ctx_);
  draw_detail_window(ctx_);
  draw_intake_window(ctx_);
  draw_notifications_window(ctx_);
  draw_knowledge_window(ctx_);
  draw_conflicts_window(ctx_);
  draw_refused_window(ctx_);
  draw_dashboard_window(ctx_);
  draw_reports_window(ctx_);
  draw_settings_window(ctx_);
  draw_login_window(ctx_);
  draw_status_bar(ctx_);
  reap_openers(ctx_);
  ctx_.insights_dirty = false;
  save_if_changed();
}

void App::save_if_changed() {
  const std::string settings = settings_json(ctx_.settings);
  if (settings != saved_settings_ && replica_->save_draft("ui.settings", settings)) saved_settings_ = settings;
  // The draft: saved when it changed, at most every 500 ms (each save is an fsync).
  static Instant last_draft_save = 0;
  if (ctx_.now - last_draft_save < 500) return;
  const std::string draft = ctx_.intake.to_draft();
  if (draft == ctx_.intake_saved_draft) return;
  last_draft_save = ctx_.now;
  const Status s = ctx_.intake.empty() ? replica_->clear_draft("intake") : replica_->save_draft("intake", draft);
  if (s) ctx_.intake_saved_draft = draft;
  ctx_.draft_error = s;
}

void App::save() {
  if (!replica_) return;  // an App whose open failed (its destructor still runs)
  ctx_.now = system_now();
  const std::string draft = ctx_.intake.to_draft();
  // Closing: a failure can only be said on the terminal the app was started from.
  auto say_failure = [](const Status& s) {
    if (!s) std::cerr << "rapidesk: " << s.message().en << "\nrapidesk：" << s.message().zh << "\n";
  };
  if (draft != ctx_.intake_saved_draft) {
    say_failure(ctx_.intake.empty() ? replica_->clear_draft("intake") : replica_->save_draft("intake", draft));
    ctx_.intake_saved_draft = draft;
  }
  const std::string settings = settings_json(ctx_.settings);
  if (settings != saved_settings_) {
    say_failure(replica_->save_draft("ui.settings", settings));
    saved_settings_ = settings;
  }
}

}  // namespace rapidesk::ui
