#include "rapidesk/server/report_schedule.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "rapidesk/notify/webhook_url.h"
#include "rapidesk/server/auth.h"
#include "rapidesk/server/server_state.h"
#include "reports/report_labels.h"
#include "reports/report_query.h"
#include "reports/report_render.h"

namespace rapidesk::server {

namespace {

constexpr const char* kLedgerPrefix = "report:";

bool takes_reports(const notify::WebhookTarget& t) {
  return t.events.empty() || std::find(t.events.begin(), t.events.end(), notify::EventKind::kReport) != t.events.end();
}

Instant local_midnight(std::int64_t day, int offset_minutes) {
  return day * kMsPerDay - static_cast<std::int64_t>(offset_minutes) * kMsPerMinute;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a >= 0 ? a / b : (a - b + 1) / b;
}

std::string_view kind_name(ReportKind kind) {
  return kind == ReportKind::kWeekly ? "weekly" : "monthly";
}

// "周报 2026-11-16 – 2026-11-22：新建 12（上期 10），已解决 9，期末积压 3，SLA 达成率 93.0%，满意度 4.20"
Text headline(const ReportPeriod& period, const std::string& team, const nlohmann::json& summary) {
  const nlohmann::json& now = summary["total"];
  const nlohmann::json& before = summary["previous"]["figures"];
  auto count = [](const nlohmann::json& v) { return same_text(v.is_number() ? v.dump() : "–"); };
  double met = 0, decided = 0;
  for (const auto& [target, v] : now["sla"].items()) {
    met += v.value("met_original", 0) + v.value("met_reagreed", 0);
    decided += v.value("met_original", 0) + v.value("met_reagreed", 0) + v.value("missed", 0);
  }
  const Text sla = same_text(decided > 0 ? number_text(100.0 * met / decided, 1) + "%" : "–");
  const nlohmann::json& mean = now["satisfaction"]["mean"];
  const Text satisfaction = same_text(mean.is_number() ? number_text(mean.get<double>(), 2) : "–");
  const Text name = period.kind == ReportKind::kWeekly ? Text{"Weekly report", "周报"} : Text{"Monthly report", "月报"};
  const Text who = same_text(team == "*" ? "" : "[" + team + "] ");
  return format_text(
      Text{"{}{} {} – {}: opened {} (previous {}), resolved {}, backlog {}, SLA met {}, satisfaction {}",
           "{}{} {} – {}：新建 {}（上期 {}），已解决 {}，期末积压 {}，SLA 达成率 {}，满意度 {}"},
      {who, name, same_text(format_date(period.from)), same_text(format_date(period.to)), count(now["opened"]),
       count(before["opened"]), count(now["resolved"]), count(now["backlog_at_end"]), sla, satisfaction});
}

}  // namespace

ReportScheduleOptions report_schedule_options(const ServerConfig& config) {
  ReportScheduleOptions o;
  o.webhooks = config.webhooks;
  const bool receiver = std::any_of(config.webhooks.begin(), config.webhooks.end(), takes_reports);
  o.weekly = config.weekly_report.value_or(receiver);
  o.monthly = config.monthly_report.value_or(receiver);
  o.hour = config.report_hour;
  o.utc_offset_minutes = config.report_utc_offset_minutes;
  return o;
}

ReportScheduleOptions report_schedule_options(ServerState& state) {
  ReportScheduleOptions o = report_schedule_options(state.config);
  o.on_delivery = [&state](const notify::DeliveryReport& r) {
    state.log.event(r.delivered ? "info" : "warning", "report_webhook",
                    {{"url", notify::loggable_webhook_url(r.url)},
                     {"attempts", r.attempts},
                     {"status", r.last_status},
                     {"delivered", r.delivered},
                     {"error", r.error}});
  };
  o.on_problem = [&state](std::string_view event, const Status& s) {
    state.log.event("warning", event, {{"message", s.message().en}});
  };
  return o;
}

ReportPeriod latest_due_period(ReportKind kind, Instant now, int hour, int utc_offset_minutes) {
  const std::int64_t local = now + static_cast<std::int64_t>(utc_offset_minutes) * kMsPerMinute;
  const std::int64_t today = floor_div(local, kMsPerDay);
  const std::int64_t hour_ms = static_cast<std::int64_t>(hour) * kMsPerHour;
  ReportPeriod p;
  p.kind = kind;
  std::int64_t due_day = 0;
  if (kind == ReportKind::kWeekly) {
    due_day = today - weekday_index(today);  // this week's Monday
    if (local < due_day * kMsPerDay + hour_ms) due_day -= 7;
    p.from = civil_from_days(due_day - 7);
    p.to = civil_from_days(due_day - 1);
  } else {
    const CivilDate d = civil_from_days(today);
    due_day = days_from_civil(CivilDate{d.year, d.month, 1});
    if (local < due_day * kMsPerDay + hour_ms) {
      const CivilDate last_month = civil_from_days(due_day - 1);
      due_day = days_from_civil(CivilDate{last_month.year, last_month.month, 1});
    }
    p.to = civil_from_days(due_day - 1);
    p.from = CivilDate{p.to.year, p.to.month, 1};
  }
  p.due = local_midnight(due_day, utc_offset_minutes) + hour_ms;
  return p;
}

std::string report_ledger_key(const ReportPeriod& period, std::string_view team) {
  std::string key = std::string(kLedgerPrefix) + std::string(kind_name(period.kind)) + ":" + format_date(period.from);
  if (!team.empty() && team != "*") key += ":" + std::string(team);
  return key;
}

ReportSchedule::ReportSchedule(ServerState& state, ReportScheduleOptions options)
    : state_(state), options_(std::move(options)) {
  for (const auto& t : options_.webhooks) {
    if (!takes_reports(t)) continue;
    auto it = std::find_if(audiences_.begin(), audiences_.end(), [&](const Audience& a) { return a.team == t.team; });
    if (it == audiences_.end()) it = audiences_.insert(audiences_.end(), Audience{t.team, {}});
    it->targets.push_back(t);
  }
}

ReportSchedule::~ReportSchedule() {
  stop();
}

bool ReportSchedule::enabled() const {
  return (options_.weekly || options_.monthly) && !audiences_.empty();
}

bool ReportSchedule::stopping() const {
  std::lock_guard lock(stop_mutex_);
  return stopping_;
}

Status ReportSchedule::load_ledger() {
  if (ledger_loaded_) return Status::ok();
  auto keys = state_.storage->load_sla_fired();
  if (!keys) return keys.status();
  for (auto& k : *keys) {
    if (k.rfind(kLedgerPrefix, 0) == 0) sent_.insert(std::move(k));
  }
  ledger_loaded_ = true;
  return Status::ok();
}

Result<size_t> ReportSchedule::send_due() {
  std::lock_guard run(run_mutex_);
  if (!enabled()) return size_t{0};
  // A stopped server could not record a report as sent, so it would go out again after the
  // restart; and its merged state holds changes it refused to save. Quietly: the stop was
  // logged once (changes_stopped), and this runs every minute.
  if (!state_.sync->health()) return size_t{0};
  if (Status s = load_ledger(); !s) return s;
  const Instant now = state_.clock();
  size_t done = 0;
  bool reread = false;  // the ledger, once in this run, before the first report it sends
  for (ReportKind kind : {ReportKind::kWeekly, ReportKind::kMonthly}) {
    if (!(kind == ReportKind::kWeekly ? options_.weekly : options_.monthly)) continue;
    const ReportPeriod period = latest_due_period(kind, now, options_.hour, options_.utc_offset_minutes);
    for (const Audience& audience : audiences_) {
      if (stopping()) return done;
      const std::string key = report_ledger_key(period, audience.team);
      if (sent_.count(key)) continue;
      auto wait = retry_after_.find(key);
      if (wait != retry_after_.end() && std::chrono::steady_clock::now() < wait->second) continue;
      // Several servers: the one that led before may have recorded it since this one read
      // the ledger (it finished a report under way when it lost the lead), and this one may
      // have lost the lead itself. Both are asked just before sending.
      if (!reread) {
        reread = true;
        ledger_loaded_ = false;
        if (Status s = load_ledger(); !s) return s;
        if (sent_.count(key)) continue;
      }
      if (send_guard_ && !send_guard_()) return done;
      if (!deliver(period, audience, key)) {
        retry_after_[key] = std::chrono::steady_clock::now() + options_.retry_interval;
        continue;
      }
      // The key alone, in one durable commit with the sync log's counter (no ops).
      Status s = state_.sync->run_server_task([&](ServerEdits&) { return std::vector<std::string>{key}; });
      if (!s) return s;
      sent_.insert(key);
      accepted_.erase(key);
      retry_after_.erase(key);
      ++done;
    }
  }
  return done;
}

bool ReportSchedule::deliver(const ReportPeriod& period, const Audience& audience, const std::string& key) {
  std::set<std::string>& accepted = accepted_[key];
  std::vector<notify::WebhookTarget> pending;
  for (const auto& t : audience.targets) {
    if (!accepted.count(t.url)) pending.push_back(t);
  }
  if (pending.empty()) return true;

  // The same figures a coordinator gets from GET /api/v1/reports/summary for the period.
  AuthContext who;
  who.user = "rapidesk-report";
  who.role = Role::kAdmin;
  std::map<std::string, std::string> filters;
  if (audience.team != "*") filters["team"] = audience.team;
  ReportQuery query;
  query.from = period.from;
  query.to = period.to;
  query.utc_offset_minutes = options_.utc_offset_minutes;
  query.grouping = reports::Grouping::kCategory;
  query.period = reports::Period{local_midnight(days_from_civil(period.from), options_.utc_offset_minutes),
                                 local_midnight(days_from_civil(period.to) + 1, options_.utc_offset_minutes)};
  const nlohmann::json summary =
      summary_json(query, load_report_rows(who, state_, filters, ReportColumns::kRecordOnly), review_calendar(state_));

  notify::Notification n;
  n.kind = notify::EventKind::kReport;
  n.team = audience.team;
  n.message = headline(period, audience.team, summary);
  n.occurred_at = format_iso8601(state_.clock(), options_.utc_offset_minutes);
  n.report = notify::ReportDigest{"report." + std::string(kind_name(period.kind)), format_date(period.from),
                                  format_date(period.to),
                                  summary.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};

  std::mutex answers_mutex;
  std::condition_variable answered;
  std::vector<notify::DeliveryReport> answers;
  {
    notify::WebhookSender sender(pending, options_.retry, [&](const notify::DeliveryReport& r) {
      if (options_.on_delivery) options_.on_delivery(r);
      {
        std::lock_guard lock(answers_mutex);
        answers.push_back(r);
      }
      answered.notify_all();
    });
    sender.send(n);
    std::unique_lock lock(answers_mutex);
    // Each receiver answers once, after its last attempt. stop() cuts the wait short; the
    // sender's destructor then drops what is still queued.
    while (answers.size() < pending.size()) {
      answered.wait_for(lock, std::chrono::milliseconds(100));
      if (answers.size() < pending.size() && stopping()) break;
    }
  }

  bool done = true;
  for (const auto& t : pending) {
    auto a =
        std::find_if(answers.begin(), answers.end(), [&](const notify::DeliveryReport& r) { return r.url == t.url; });
    if (a == answers.end()) {
      done = false;
    } else if (a->delivered) {
      accepted.insert(t.url);
    } else if (notify::worth_retrying(a->last_status)) {
      done = false;
    } else if (options_.on_problem) {
      // Refused (4xx): sending the same report again would be refused again.
      options_.on_problem(
          "report_refused",
          Status::invalid(format_text(Text{"the webhook {} refused the report {}: {}", "webhook {} 拒收了报告 {}：{}"},
                                      {same_text(t.url), same_text(key), same_text(a->error)})));
    }
  }
  return done;
}

void ReportSchedule::set_send_guard(std::function<bool()> still_leading) {
  std::lock_guard run(run_mutex_);
  send_guard_ = std::move(still_leading);
}

void ReportSchedule::start() {
  if (!enabled()) return;
  std::lock_guard lock(stop_mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  std::chrono::milliseconds first_wait{0};
  {
    // Another server may have sent reports since this one last looked (several servers).
    std::lock_guard run(run_mutex_);
    ledger_loaded_ = false;
    // Taking the lead from another server: a delivery attempt it had under way when it lost
    // the lead may still end (and be recorded). An attempt runs at most twice its timeout (a
    // connect, then the exchange); the old leader notices its lost lead within a second.
    // Waiting that out before reading the ledger makes a second sending less likely; it
    // cannot rule one out (delivery is at least once).
    if (send_guard_) first_wait = 2 * options_.retry.timeout + std::chrono::seconds(2);
  }
  thread_ = std::thread([this, first_wait] {
    if (first_wait.count() > 0) {
      std::unique_lock wait(stop_mutex_);
      if (stop_cv_.wait_for(wait, first_wait, [this] { return stopping_; })) return;
    }
    for (;;) {
      Result<size_t> sent = [this]() -> Result<size_t> {
        // Out of memory building a report must not end the server: the period is tried
        // again at the next check.
        try {
          return send_due();
        } catch (const std::exception& e) {
          return Status(ErrorCode::kInternal, format_text(Text{"building the reports failed: {}", "生成报告失败：{}"},
                                                          {same_text(e.what())}));
        }
      }();
      if (!sent && options_.on_problem) options_.on_problem("report_schedule", sent.status());
      std::unique_lock wait(stop_mutex_);
      if (stop_cv_.wait_for(wait, options_.check_interval, [this] { return stopping_; })) return;
    }
  });
}

void ReportSchedule::stop() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace rapidesk::server
