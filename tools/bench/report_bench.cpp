// rapidesk-bench report: the monthly review summary over 1,000,000 requests, computed by
// the code GET /api/v1/reports/summary runs once the caller's requests are loaded
// (summary_json: summarize() with the previous month and the groups, working-time
// durations on the policy's business calendar, and the recurring-issue clustering), against
// a plain SQLite `SELECT category, COUNT(*) ... GROUP BY category` over the same rows in the
// same run.
//
// The requests span a year of a busy desk: mixed categories, priorities, channels, tiers,
// teams and owners; first responses and resolutions (the customer_contact activities and
// status changes the SLA service reads) at realistic delays; reopens, closes, satisfaction
// scores; and every request's SLA clocks read from the shipped policy, so finished clocks
// carry their met / missed outcomes. Titles and descriptions are Chinese and English
// variations of common problems, so the recurring-issue clusters are real ones.
//
// Not measured: loading the rows from the sync state (SyncService::list_requests and
// SlaService::review_requests), which the endpoint does before this.
#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "bench.h"
#include "rapidesk/sla/request_clocks.h"
#include "reports/report_render.h"

namespace rapidesk::bench {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Weighted choice: weights in the order of enum_entries<E>().
template <typename E>
E pick(std::mt19937_64& rng, std::initializer_list<double> weights) {
  std::discrete_distribution<size_t> d(weights);
  return enum_entries<E>()[d(rng)].value;
}

// Problems customers report, each said several ways; a few words of detail make every
// text a little different, as real descriptions are.
const std::vector<std::vector<std::string>> kProblems = {
    {"打印机卡纸无法打印", "打印机一直卡纸", "打印机卡纸，打印任务失败"},
    {"扫码枪无法连接系统", "扫码枪离线，扫不了码", "扫码枪连接不上"},
    {"发票抬头错误需要重开", "发票抬头写错了", "重新开具发票，抬头有误"},
    {"登录时提示密码错误", "无法登录系统，密码错误", "账号登录失败"},
    {"VPN connection drops every hour", "VPN keeps disconnecting", "cannot stay connected to VPN"},
    {"报表导出为空", "导出的报表没有数据", "报表导出失败"},
    {"物流单号查询不到", "查询不到物流信息", "运单号无法查询"},
    {"系统响应很慢", "页面加载非常慢", "系统卡顿严重"},
    {"希望增加批量导入功能", "建议支持批量导入", "需要批量导入客户资料"},
    {"invoice amount does not match the order", "wrong amount on invoice", "invoice total differs from order"},
    {"手机APP闪退", "APP打开就闪退", "安卓APP崩溃"},
    {"邮件收不到验证码", "收不到邮箱验证码", "验证码邮件没有收到"},
};
const std::vector<std::string> kDetails = {"，客户很着急",   "，影响多个门店",
                                           "，昨天开始出现", "，已重启无效",
                                           "，仅在上午出现", " (urgent for the customer)",
                                           "，需要今天解决", "，涉及华东仓库",
                                           "，第二次反馈",   ""};
const std::vector<std::string> kTags = {"打印", "网络", "发票", "登录", "VPN", "报表", "物流", "性能", "导入", "APP"};

struct Data {
  std::vector<server::ReportRow> rows;
  size_t clocks = 0;
};

Result<Data> make_requests(size_t n, const SlaPolicy& policy, Instant year_start, Instant now, std::mt19937_64& rng) {
  const std::vector<std::string> teams = {"NORTH", "SOUTH", "EAST", "WEST", "TECH", "CARE", "VIP", "FIELD"};
  Data data;
  data.rows.reserve(n);
  std::uniform_int_distribution<Instant> when(year_start, now - kMsPerHour);
  std::exponential_distribution<double> response_minutes(1.0 / 90.0);  // mean 1.5 h
  std::exponential_distribution<double> resolution_hours(1.0 / 30.0);  // mean 30 h
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (size_t i = 0; i < n; ++i) {
    server::ReportRow row;
    reports::ReportRecord& r = row.record;
    sla::RequestFacts f;
    r.id = "req-" + std::to_string(i);
    f.id = r.id;
    r.category = f.category = pick<Category>(rng, {30, 10, 5, 8, 15, 25, 7});
    r.priority = f.priority = pick<Priority>(rng, {5, 20, 50, 25});
    r.channel = pick<Channel>(rng, {35, 20, 20, 5, 10, 8, 2});
    r.tier = pick<Tier>(rng, {10, 15, 60, 15});
    const size_t team = rng() % teams.size();
    r.team = teams[team];
    r.owner = "agent." + std::to_string(team) + "." + std::to_string(rng() % 25);
    f.contacted_at = r.contacted_at = when(rng);
    f.recorded_at = f.contacted_at + static_cast<Instant>(u(rng) * 40) * kMsPerMinute;
    f.accepted_at = f.recorded_at + 1000;
    f.triaged_at = f.recorded_at + static_cast<Instant>(u(rng) * 90) * kMsPerMinute;
    f.assigned_at = *f.triaged_at + static_cast<Instant>(u(rng) * 40) * kMsPerMinute;
    const Instant age = now - f.contacted_at;
    // First response: a customer_contact activity; most requests got one.
    const Instant responded = f.contacted_at + static_cast<Instant>(response_minutes(rng) * kMsPerMinute);
    if (responded < now && u(rng) < 0.97) f.first_response_at = r.first_response_at = responded;
    if (f.category == Category::kComplaint && f.first_response_at) f.plan_at = *f.first_response_at + kMsPerHour;
    // Resolution: most requests older than a few days are resolved; recent ones often not.
    const Instant resolved = f.contacted_at + static_cast<Instant>(resolution_hours(rng) * kMsPerHour);
    const double resolve_chance = age > 7 * kMsPerDay ? 0.96 : 0.55;
    f.status = RequestStatus::kInProgress;
    if (f.first_response_at) f.last_progress_at = *f.first_response_at + 2 * kMsPerHour;
    if (resolved < now && resolved > responded && u(rng) < resolve_chance) {
      f.completed_at = resolved - 30 * kMsPerMinute;
      f.confirmed_at = resolved;
      f.resolved_at = r.resolved_at = resolved;
      f.status = RequestStatus::kResolved;
      if (u(rng) < 0.03 && resolved + kMsPerDay < now) {  // reopened, resolved again
        r.reopened_at.push_back(resolved + kMsPerDay);
        f.resolved_at = r.resolved_at = resolved + 2 * kMsPerDay < now ? resolved + 2 * kMsPerDay : resolved;
      }
      if (*r.resolved_at + kMsPerDay < now && u(rng) < 0.75) {
        f.followed_up_at = *r.resolved_at + 20 * kMsPerHour;
        r.closed_at = *r.resolved_at + kMsPerDay;
        f.status = RequestStatus::kClosed;
      }
      if (u(rng) < 0.6) r.satisfaction = std::discrete_distribution<int>({2, 3, 10, 35, 50})(rng) + 1;
    } else if (u(rng) < 0.1) {
      f.status = RequestStatus::kWaitingCustomer;
      f.pauses.push_back(SlaPause{f.contacted_at + 4 * kMsPerHour, std::nullopt, "等待客户回复", {}});
    }
    r.status = f.status;
    auto clocks = sla::read_request_clocks(policy, f, now);
    if (!clocks) return clocks.status();
    data.clocks += clocks->size();
    r.clocks = std::move(*clocks);
    r.number = "2026" + std::to_string(1000000 + i).substr(1) + "-" + r.team;
    const auto& problem = kProblems[rng() % kProblems.size()];
    row.fields["id"] = r.id;
    row.fields["number"] = r.number;
    row.fields["customer"] = "客户" + std::to_string(rng() % 5000);
    row.fields["title"] = problem[rng() % problem.size()];
    row.fields["description"] = problem[rng() % problem.size()] + kDetails[rng() % kDetails.size()];
    row.fields["category"] = std::string(to_wire(r.category));
    row.fields["priority"] = std::string(to_wire(r.priority));
    row.fields["status"] = std::string(to_wire(r.status));
    row.fields["team"] = r.team;
    row.fields["owner"] = r.owner;
    if (u(rng) < 0.3) row.fields["tags"] = kTags[rng() % kTags.size()];
    data.rows.push_back(std::move(row));
  }
  return data;
}

// The same rows in a SQLite table; returns the open in-memory database.
sqlite3* load_sqlite(const std::vector<server::ReportRow>& rows) {
  sqlite3* db = nullptr;
  if (sqlite3_open(":memory:", &db) != SQLITE_OK) return nullptr;
  sqlite3_exec(db,
               "CREATE TABLE requests (id TEXT PRIMARY KEY, category TEXT, priority TEXT, channel TEXT, tier TEXT, "
               "team TEXT, owner TEXT, status TEXT, contacted_at INTEGER, first_response_at INTEGER, "
               "resolved_at INTEGER, closed_at INTEGER, satisfaction INTEGER, title TEXT, description TEXT);"
               "BEGIN;",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO requests VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)", -1,
                     &insert, nullptr);
  auto text = [&](int i, std::string_view s) {
    sqlite3_bind_text(insert, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  };
  auto opt = [&](int i, const std::optional<Instant>& t) {
    if (t)
      sqlite3_bind_int64(insert, i, *t);
    else
      sqlite3_bind_null(insert, i);
  };
  for (const auto& row : rows) {
    const auto& r = row.record;
    text(1, r.id);
    text(2, to_wire(r.category));
    text(3, to_wire(r.priority));
    text(4, to_wire(r.channel));
    text(5, to_wire(r.tier));
    text(6, r.team);
    text(7, r.owner);
    text(8, to_wire(r.status));
    sqlite3_bind_int64(insert, 9, r.contacted_at);
    opt(10, r.first_response_at);
    opt(11, r.resolved_at);
    opt(12, r.closed_at);
    if (r.satisfaction)
      sqlite3_bind_int(insert, 13, *r.satisfaction);
    else
      sqlite3_bind_null(insert, 13);
    text(14, row.fields.at("title"));
    text(15, row.fields.at("description"));
    sqlite3_step(insert);
    sqlite3_reset(insert);
  }
  sqlite3_finalize(insert);
  sqlite3_exec(db, "COMMIT;", nullptr, nullptr, nullptr);
  return db;
}

// Runs `sql` to the end; returns the sum of the second column (the counts).
std::int64_t run_counts(sqlite3* db, const char* sql) {
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(db, sql, -1, &q, nullptr);
  std::int64_t total = 0;
  while (sqlite3_step(q) == SQLITE_ROW) total += sqlite3_column_int64(q, 1);
  sqlite3_finalize(q);
  return total;
}

int run(const Args& args) {
  const size_t n = std::stoul(arg_value(args, "--requests", "1000000"));
  const int rounds = std::max(1, std::stoi(arg_value(args, "--rounds", "3")));
  const std::string assets = arg_value(args, "--assets", RAPIDESK_ASSETS_DIR);
  auto policy = SlaPolicy::from_json(read_text(assets + "/sla_policy.json"));
  if (!policy) {
    std::fprintf(stderr, "report: cannot load the policy: %s\n", policy.status().message().en.c_str());
    return 1;
  }
  // The calendar the endpoint measures working time on (server::review_calendar).
  WorkingCalendar calendar = WorkingCalendar::always_open(480);
  if (const WorkingCalendar* business = policy->calendar("business")) {
    calendar = *business;
  } else if (!policy->rules().empty()) {
    if (const WorkingCalendar* first = policy->calendar(policy->rules().front().calendar)) calendar = *first;
  }

  // A year of requests; the report is November's, compared with October.
  const Instant year_start = *parse_iso8601("2025-12-01T00:00:00+08:00");
  const Instant now = *parse_iso8601("2026-12-01T09:00:00+08:00");
  std::mt19937_64 rng(7);
  std::fprintf(stderr, "report: making %zu requests with their SLA clocks...\n", n);
  const double make_start = now_seconds();
  auto data = make_requests(n, *policy, year_start, now, rng);
  if (!data) {
    std::fprintf(stderr, "report: %s\n", data.status().message().en.c_str());
    return 1;
  }
  std::fprintf(stderr, "report: %zu requests, %zu clocks in %.1f s\n", data->rows.size(), data->clocks,
               now_seconds() - make_start);

  server::ReportQuery query;
  query.from = CivilDate{2026, 11, 1};
  query.to = CivilDate{2026, 11, 30};
  query.utc_offset_minutes = 480;
  query.grouping = reports::Grouping::kCategory;
  query.period =
      reports::Period{*parse_iso8601("2026-11-01T00:00:00+08:00"), *parse_iso8601("2026-12-01T00:00:00+08:00")};

  sqlite3* db = load_sqlite(data->rows);
  if (!db) {
    std::fprintf(stderr, "report: cannot open SQLite\n");
    return 1;
  }
  double best_summary = 1e9, best_sql = 1e9;
  nlohmann::json summary;
  std::int64_t counted = 0;
  for (int round = 0; round < rounds; ++round) {
    double t0 = now_seconds();
    summary = server::summary_json(query, data->rows, calendar);
    best_summary = std::min(best_summary, now_seconds() - t0);
    t0 = now_seconds();
    counted = run_counts(db, "SELECT category, COUNT(*) FROM requests GROUP BY category");
    best_sql = std::min(best_sql, now_seconds() - t0);
    std::fprintf(stderr, "report: round %d: summary %.3f s, SQL GROUP BY %.3f s\n", round + 1, best_summary, best_sql);
  }
  // The figures must agree with SQL over the same rows.
  const std::string opened_sql =
      "SELECT category, COUNT(*) FROM requests WHERE contacted_at >= " + std::to_string(query.period.from) +
      " AND contacted_at < " + std::to_string(query.period.to) + " GROUP BY category";
  const std::int64_t opened = run_counts(db, opened_sql.c_str());
  sqlite3_close(db);
  if (counted != static_cast<std::int64_t>(n) || summary["total"]["opened"].get<std::int64_t>() != opened) {
    std::fprintf(stderr, "report: results differ: SQL counted %lld of %zu rows; opened %lld vs SQL %lld\n",
                 static_cast<long long>(counted), n,
                 static_cast<long long>(summary["total"]["opened"].get<std::int64_t>()),
                 static_cast<long long>(opened));
    return 1;
  }
  std::fprintf(stderr,
               "report: November: opened %lld, resolved %lld, %zu recurring issues; summary %.3f s, baseline %.3f s "
               "(goals: summary < 2 s, ratio <= 5)\n",
               static_cast<long long>(opened), static_cast<long long>(summary["total"]["resolved"].get<std::int64_t>()),
               summary["recurring"].size(), best_summary, best_sql);
  std::printf(
      "{\"bench\":\"report\",\"requests\":%zu,\"period_opened\":%lld,\"summary_s\":%.3f,\"baseline_s\":%.3f,"
      "\"ratio\":%.3f}\n",
      n, static_cast<long long>(opened), best_summary, best_sql, best_summary / best_sql);
  return 0;
}

const Registration reg{{"report", "monthly summary over 1M requests vs SQLite GROUP BY category", &run}};

}  // namespace
}  // namespace rapidesk::bench
