// Scheduled reports: the weekly summary (Monday at `hour` local time, covering the previous
// Monday–Sunday) and the monthly one (the 1st at `hour`, covering the previous month),
// computed over every request with the code of GET /api/v1/reports/summary and sent to the
// webhooks that take "report" events as {type: "report.weekly"|"report.monthly", from, to,
// summary} (chat bots get one line with the headline figures).
//
// Audiences: webhooks of team "*" get the whole service's report; a team's webhooks get
// that team's report.
//
// Once per period, across restarts: when every webhook of an audience has answered, the
// period's key ("report:weekly:2026-11-16", "report:monthly:2026-10-01", with ":TEAM" for a
// team's report) is committed to the SLA service's ledger of fired keys (Storage's
// `sla_fired`, through SyncService::run_server_task), and a key in the ledger is never sent
// again. A period whose time came while the server was down is sent at the first check
// after start. Only the latest period of each kind is sent: a server that was down for
// months does not send a backlog. A receiver that fails after all its retries (network,
// 5xx, 429) is tried again after `retry_interval`; receivers that already accepted the
// report are not sent it again while the server runs. A receiver that refuses it (other
// 4xx) is not retried. A crash between a receiver's 2xx and the ledger commit would
// resend that one report after the restart (a window of one commit).
//
// Time comes from the state's clock, so tests move it by hand and call send_due().
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "rapidesk/notify/webhook_sender.h"
#include "rapidesk/shared/status.h"
#include "rapidesk/shared/time.h"

namespace rapidesk::server {

struct ServerConfig;
struct ServerState;

enum class ReportKind { kWeekly, kMonthly };

struct ReportScheduleOptions {
  bool weekly = false;
  bool monthly = false;
  int hour = 8;                                 // 0..23 local time
  int utc_offset_minutes = 480;                 // where the report's days start
  std::vector<notify::WebhookTarget> webhooks;  // only those taking "report" events are used
  notify::RetryPolicy retry;
  std::chrono::milliseconds retry_interval{15 * 60 * 1000};  // after a receiver failed for good
  std::chrono::milliseconds check_interval{60 * 1000};       // how often the thread looks
  std::function<void(const notify::DeliveryReport&)> on_delivery;
  std::function<void(std::string_view event, const Status&)> on_problem;
};

// The options of `config`: each report on when configured so, else on when a webhook takes
// "report" events (an empty events list takes every kind).
ReportScheduleOptions report_schedule_options(const ServerConfig& config);
// The same for `state`'s config, with deliveries and problems written to its event log.
ReportScheduleOptions report_schedule_options(ServerState& state);

// One report period: its first and last local day and the instant it falls due.
struct ReportPeriod {
  ReportKind kind = ReportKind::kWeekly;
  CivilDate from;
  CivilDate to;  // inclusive
  Instant due = 0;
};

// The latest period of `kind` whose due time is at or before `now`.
ReportPeriod latest_due_period(ReportKind kind, Instant now, int hour, int utc_offset_minutes);
// "report:weekly:2026-11-16" (":TEAM" appended for a team's report).
std::string report_ledger_key(const ReportPeriod& period, std::string_view team);

class ReportSchedule {
 public:
  // `state` must outlive this and have started (ServerState::start_sync()).
  ReportSchedule(ServerState& state, ReportScheduleOptions options);
  ~ReportSchedule();  // stops the thread
  ReportSchedule(const ReportSchedule&) = delete;
  ReportSchedule& operator=(const ReportSchedule&) = delete;

  // Whether any report is on and any webhook would receive it.
  bool enabled() const;

  // Sends every report due at the state's clock that is not in the ledger, waiting for the
  // webhooks' final answers (retries included). Returns how many reports were completed
  // (every receiver answered) and recorded. kIo when the ledger cannot be read or written.
  Result<size_t> send_due();

  // Several servers: asked just before each report is sent; false ends the run (this server
  // no longer leads, and the new leader sends what is left). Only checks, never takes the
  // lead (SharedInstance::still_leading). Set before start(); with a guard, start() waits
  // one delivery attempt's timeout before its first look (an attempt the previous leader
  // had under way ends meanwhile).
  void set_send_guard(std::function<bool()> still_leading);

  // A thread that calls send_due() every check_interval until stop().
  void start();
  void stop();

 private:
  struct Audience {
    std::string team;  // "*" for the whole service
    std::vector<notify::WebhookTarget> targets;
  };
  Status load_ledger();  // REQUIRES: run_mutex_
  // Sends one report to the receivers of `audience` that have not accepted it yet; returns
  // whether it is done (every receiver accepted or refused it for good). REQUIRES: run_mutex_
  bool deliver(const ReportPeriod& period, const Audience& audience, const std::string& key);
  bool stopping() const;

  ServerState& state_;
  const ReportScheduleOptions options_;  // constant after construction
  std::vector<Audience> audiences_;      // constant after construction

  std::mutex run_mutex_;                                   // one send_due() at a time
  bool ledger_loaded_ = false;                             // guarded by run_mutex_
  std::set<std::string> sent_;                             // ledger keys; guarded by run_mutex_
  std::map<std::string, std::set<std::string>> accepted_;  // key -> receiver urls; guarded by run_mutex_
  std::map<std::string, std::chrono::steady_clock::time_point> retry_after_;  // guarded by run_mutex_
  std::function<bool()> send_guard_;                                         // guarded by run_mutex_

  mutable std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // guarded by stop_mutex_
  std::thread thread_;
};

}  // namespace rapidesk::server
