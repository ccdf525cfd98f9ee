// The client's windows, each a free function drawing one frame of it from the context.
#pragma once

#include "app/app_context.h"
#include "report_period.h"

namespace rapidesk::ui {

void draw_main_menu(AppContext& ctx);
void draw_status_bar(AppContext& ctx);
void draw_login_window(AppContext& ctx);
void draw_requests_window(AppContext& ctx);
void draw_detail_window(AppContext& ctx);
void draw_intake_window(AppContext& ctx);
void draw_notifications_window(AppContext& ctx);
void draw_knowledge_window(AppContext& ctx);
void draw_conflicts_window(AppContext& ctx);
void draw_refused_window(AppContext& ctx);
void draw_dashboard_window(AppContext& ctx);
void draw_reports_window(AppContext& ctx);
void draw_settings_window(AppContext& ctx);

// What the buttons do, callable on their own (the UI tests drive the app through these,
// with the same fields a person fills in).
void begin_sign_in(AppContext& ctx);  // uses ctx.login_server / login_user / login_password
void file_intake(AppContext& ctx);    // files ctx.intake (or shows its problems)
// Collects the programs started to open attachments that ended, saying if one failed.
// Called every frame.
void reap_openers(AppContext& ctx);
// Takes one refused edit off the Refused edits window's list (ctx.refused, re-read).
void dismiss_refused(AppContext& ctx, const std::string& op_id);
// From a report figure to the requests behind it: the list filtered by `group` = `key`
// (category, priority, channel, team, owner, customer_tier) and contacted in the period.
void drill_down(AppContext& ctx, const std::string& group, const std::string& key);
// The Reports window's state (kept while it is closed); tests read it.
struct ReportView {
  PeriodPreset preset = PeriodPreset::kThisWeek;
  std::string from, to;
  std::string group = "category";
  std::future<Result<nlohmann::json>> loading;
  nlohmann::json report;  // null until loaded
  std::string error;
  std::string export_path;     // the file name typed, without extension
  std::string exporting_file;  // the file being written
  std::future<Status> exporting;
};
ReportView& report_view();
// Downloads `target` (a report URL) to the typed file name + `suffix`, in the background.
void start_export(AppContext& ctx, ReportView& v, const std::string& target, const char* suffix);
// Loads the summary for the current period (in the background).
void load_report(AppContext& ctx);
bool report_loaded(const AppContext& ctx);

// Unread notifications (newer than the last time the inbox was looked at).
std::size_t unread_notifications(const AppContext& ctx);
// "Mark all read": every notification shown counts as seen, kept in the profile; a failed
// save is said in the status bar (they stay read until the app closes).
void mark_notifications_read(AppContext& ctx);

}  // namespace rapidesk::ui
