// rapidesk-bench report-wait: how long pushes wait while coordinators run reports. The
// server (in this process, on SQLite, synchronous=FULL) is given N requests of 25 fields
// (default 100k) and its SLA service clocks them. Then one device pushes 100-op batches of
// edits back to back, first alone (the baseline), then while the monthly summary's rows
// are loaded over and over (SyncService::list_requests and SlaService::review_requests, as
// GET /api/v1/reports/summary does). The figure is the push p99 during the reports; the
// ratio is that over the p99 alone (goal: p99 <= 25 ms, as for pushes at half the peak).
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <random>
#include <thread>

#include "bench.h"
#include "bench_data.h"
#include "live_server.h"
#include "rapidesk/server/sla_service.h"
#include "rapidesk/sync/client_replica.h"
#include "reports/report_query.h"

namespace rapidesk::bench {
namespace {

constexpr std::size_t kOpsPerPush = 100;

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

// Pushes 100-edit batches to `ids` (fields of requests `maker` made) until `stop`; the
// latency of each push in ms goes to `out`. false if a push failed or was refused.
bool push_edits(server::SyncService& sync, const server::AuthContext& who, sync::ClientReplica& maker,
                const std::vector<std::string>& ids, std::mt19937_64& rng, const std::atomic<bool>& stop,
                std::vector<double>& out) {
  while (!stop) {
    std::vector<sync::FieldOp> batch;
    while (batch.size() < kOpsPerPush) {
      const std::string& id = ids[rng() % ids.size()];
      const sync::FieldEdit edit{"background", sync::Value::string("follow-up " + std::to_string(rng() % 100000))};
      auto ops = maker.edit("request", id, std::span(&edit, 1));
      if (!ops) return false;
      batch.insert(batch.end(), ops->begin(), ops->end());
    }
    const double t0 = now_seconds();
    auto result = sync.push(who, std::move(batch));
    out.push_back((now_seconds() - t0) * 1000);
    if (!result) return false;
    for (const auto& r : result->results) {
      if (r.outcome == sync::Outcome::kRejected) return false;
    }
  }
  return true;
}

int run_report_wait(const Args& args) {
  const int n = std::stoi(arg_value(args, "--requests", "100000"));
  const double phase_s = std::stod(arg_value(args, "--seconds", "10"));
  if (n <= 0 || phase_s <= 0) {
    std::fprintf(stderr, "report-wait: --requests and --seconds must be positive numbers\n");
    return 2;
  }
  const BenchDir dir("report-wait");
  LiveServer live(dir.path(), "");
  if (live.port == 0) {
    std::fprintf(stderr, "report-wait: the server did not start\n");
    return 1;
  }
  server::AuthContext who;
  who.user = "bench";
  who.role = Role::kCoordinator;
  who.team = "BENCH";
  who.device = "field-0";

  std::fprintf(stderr, "report-wait: pushing %d requests of 25 fields...\n", n);
  std::mt19937_64 rng(7);
  sync::ClientReplica maker(sync::ClientOptions{who.device, who.user, 1}, wall_ms, [&rng] { return rng(); });
  std::vector<std::string> ids;
  std::vector<sync::FieldOp> batch;
  for (int i = 0; i < n; ++i) {
    ids.push_back(maker.new_row_id());
    auto ops = maker.edit("request", ids.back(), request_fields(rng, i));
    if (!ops) return 1;
    batch.insert(batch.end(), ops->begin(), ops->end());
    if (batch.size() >= 2500 || i + 1 == n) {
      auto pushed = live.state->sync->push(who, std::move(batch));
      if (!pushed) {
        std::fprintf(stderr, "report-wait: %s\n", pushed.status().message().en.c_str());
        return 1;
      }
      batch.clear();
    }
  }
  wait_until_settled(live);

  // Phase 1: pushes alone. Phase 2: the same pushes while reports load.
  std::vector<double> alone, during;
  std::atomic<bool> stop{false};
  bool pushed_ok = true;
  std::thread pusher([&] { pushed_ok = push_edits(*live.state->sync, who, maker, ids, rng, stop, alone); });
  std::this_thread::sleep_for(std::chrono::duration<double>(phase_s));
  stop = true;
  pusher.join();

  stop = false;
  pusher =
      std::thread([&] { pushed_ok = pushed_ok && push_edits(*live.state->sync, who, maker, ids, rng, stop, during); });
  std::vector<double> report_s;
  std::size_t reviewed = 0;
  for (const double end = now_seconds() + phase_s; now_seconds() < end || report_s.empty();) {
    const double t0 = now_seconds();
    const auto rows = server::load_report_rows(who, *live.state, {}, server::ReportColumns::kRecordOnly);
    report_s.push_back(now_seconds() - t0);
    reviewed = rows.size();
  }
  stop = true;
  pusher.join();
  if (!pushed_ok || alone.empty() || during.empty() || reviewed != static_cast<std::size_t>(n)) {
    std::fprintf(stderr, "report-wait: %s (the report reviewed %zu of %d requests)\n",
                 pushed_ok ? "no push finished" : "a push failed or was refused", reviewed, n);
    return 1;
  }
  const double p99_alone = percentile(alone, 0.99), p99_during = percentile(during, 0.99);
  const double max_during = *std::max_element(during.begin(), during.end());
  const double median_report = percentile(report_s, 0.5);
  std::fprintf(stderr,
               "report-wait: %zu reports of %d requests, %.2f s each (median); 100-op pushes alone: %zu, p50 %.1f ms, "
               "p99 %.1f ms; during reports: %zu, p50 %.1f ms, p99 %.1f ms, max %.1f ms (goal: p99 <= 25 ms)\n",
               report_s.size(), n, median_report, alone.size(), percentile(alone, 0.5), p99_alone, during.size(),
               percentile(during, 0.5), p99_during, max_during);
  std::printf(
      "{\"bench\":\"report-wait\",\"requests\":%d,\"reports\":%zu,\"report_s\":%.3f,\"pushes_alone\":%zu,"
      "\"push_p99_ms_alone\":%.2f,\"pushes_during\":%zu,\"push_p99_ms_during\":%.2f,\"push_max_ms_during\":%.2f,"
      "\"ratio\":%.3f}\n",
      n, report_s.size(), median_report, alone.size(), p99_alone, during.size(), p99_during, max_during,
      p99_during / p99_alone);
  return 0;
}

const Registration kReportWait{{"report-wait",
                                "push latency while report rows load over 100k requests vs pushes alone "
                                "[--requests N] [--seconds S]",
                                &run_report_wait}};

}  // namespace
}  // namespace rapidesk::bench
