// App: the desktop client's state and one frame of its UI. It opens the profile (local
// replica, reader), starts the sync worker once signed in, keeps the view-models fresh when
// syncs land, saves settings and the intake draft as they change, and draws every window.
//
// Window-independent: it runs inside any ImGui frame (the `rapidesk` program's GLFW
// window, the UI tests and the ui-frame benchmark drive it the same way).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "app/app_context.h"

namespace rapidesk::ui {

struct AppOptions {
  std::filesystem::path db;              // the profile file
  std::string server_url;                // remembered in the profile once given
  std::optional<Language> language;      // else the saved setting (default Chinese)
  std::optional<float> font_size;
  std::optional<bool> dark;
  bool sync = true;                      // false: no sync worker (benchmarks)
};

// ~/.local/share/rapidesk/profile.rapidesk (XDG_DATA_HOME respected).
std::filesystem::path default_profile_path();

class App {
 public:
  static Result<std::unique_ptr<App>> open(const AppOptions& options);
  ~App();

  // Before ImGui::NewFrame(): true when the font atlas was rebuilt (upload it again).
  bool prepare_fonts();
  // Draws one frame of every open window (between NewFrame and Render).
  void frame();
  AppContext& context() { return ctx_; }
  // Saves the draft and settings now (also done as they change).
  void save();

 private:
  App() = default;
  void start_sync();
  void apply_login();
  void refresh_models();
  void save_if_changed();

  std::unique_ptr<client::LocalReplica> replica_;
  std::unique_ptr<client::ReplicaReader> reader_;
  std::unique_ptr<client::SyncWorker> worker_;
  AppContext ctx_;
  std::string saved_settings_;
  bool fonts_loaded_ = false;
  bool sync_enabled_ = true;
};

}  // namespace rapidesk::ui
