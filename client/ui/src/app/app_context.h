// What every window of the desktop client reads and changes: the profile (replica, reader,
// sync worker), the signed-in person, the view-models, which windows are open and the
// person's settings. Windows are free functions over this context (windows/windows.h);
// the App owns it and runs the frame.
#pragma once

#include <atomic>
#include <deque>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "intake_form.h"
#include "rapidesk/client/local_replica.h"
#include "rapidesk/client/replica_reader.h"
#include "rapidesk/client/server_api.h"
#include "rapidesk/client/sync_worker.h"
#include "request_list_model.h"
#include "ui_text.h"

namespace rapidesk::ui {

struct UiSettings {
  Language language = Language::kChinese;
  float font_size = 18.0f;
  bool dark = false;
};

struct OpenWindows {
  bool requests = true;
  bool detail = true;
  bool intake = false;
  bool notifications = false;
  bool knowledge = false;
  bool conflicts = false;
  bool refused = false;
  bool dashboard = false;
  bool reports = false;
  bool settings = false;
  bool login = false;
};

// A short message shown at the top of the status bar (saved, refused, …).
struct Notice {
  std::string text;
  bool error = false;
  Instant at = 0;
};

struct AppContext {
  client::LocalReplica* replica = nullptr;
  client::ReplicaReader* reader = nullptr;
  client::SyncWorker* worker = nullptr;  // null until signed in
  client::ProfileIdentity who;
  Instant now = 0;                       // this frame's time

  UiSettings settings;
  bool fonts_dirty = false;   // size changed: the App rebuilds the atlas before the next frame
  bool cjk_font = false;
  std::string font_file;

  OpenWindows open;
  RequestListModel list;
  IntakeForm intake;
  std::string intake_saved_draft;   // what the draft table holds (saves only on change)
  Status draft_error;               // the last draft save failed: the intake window says so
  std::optional<std::size_t> scroll_to_row;  // the list scrolls there on its next frame
  std::string selected;             // request id shown in the detail window
  nlohmann::json detail;            // its rows (null: none loaded)
  bool detail_dirty = true;
  std::vector<nlohmann::json> notifications;
  Instant notifications_seen = 0;   // newest notification time the person has seen
  bool insights_dirty = true;       // notifications / dashboard need re-reading
  std::atomic<bool> sync_changed{false};  // set by the sync worker's thread
  std::optional<Notice> notice;
  std::size_t refused_seen = 0;     // the worker's refused_ops the status bar last looked at
  std::vector<nlohmann::json> refused;  // the Refused edits window's list (ReplicaReader::rejections)

  // Sign-in in flight (the login window): never blocks a frame.
  std::future<Result<client::LoginResult>> login_result;
  std::string login_server, login_user, login_password;
  std::string login_error;
  bool signed_in_request_start = false;  // the App starts the sync worker after a sign-in

  void say(std::string text, bool error = false) { notice = Notice{std::move(text), error, now}; }
  void say(const Status& s) { say(pick(s.message()), !s.is_ok()); }
  // After a local edit: views changed, the sync worker should push.
  void edited();
  void select(std::string id) {
    selected = std::move(id);
    detail_dirty = true;
    open.detail = true;
  }
};

}  // namespace rapidesk::ui
