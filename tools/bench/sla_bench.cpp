// rapidesk-bench sla: start-up load of 1,000,000 open requests (every clock computed from
// the policy and put in the deadline heap) and the cost per timer insert / cancel / fire
// against a plain std::priority_queue of the same deadlines (lazy cancel) in the same run.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <queue>
#include <random>
#include <sstream>

#include "bench.h"
#include "rapidesk/sla/deadline_heap.h"
#include "rapidesk/sla/request_clocks.h"

namespace rapidesk::bench {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int run(const Args& args) {
  const size_t requests = std::stoul(arg_value(args, "--requests", "1000000"));
  const std::string assets = arg_value(args, "--assets", RAPIDESK_ASSETS_DIR);
  auto policy = SlaPolicy::from_json(read_file(assets + "/sla_policy.json"));
  if (!policy) {
    std::fprintf(stderr, "sla: cannot load the policy: %s\n", policy.status().message().en.c_str());
    return 1;
  }
  std::mt19937_64 rng(42);
  const Instant now = *parse_iso8601("2026-11-23T10:00:00+08:00");
  const auto categories = enum_entries<Category>();
  const auto priorities = enum_entries<Priority>();

  // Start-up load: read every open request's clocks and schedule each next deadline.
  std::vector<sla::RequestFacts> facts(requests);
  for (auto& f : facts) {
    f.category = categories[rng() % categories.size()].value;
    f.priority = priorities[rng() % priorities.size()].value;
    f.status = (rng() % 2) ? RequestStatus::kInProgress : RequestStatus::kTriaged;
    f.contacted_at = now - static_cast<Instant>(rng() % (5 * kMsPerDay));
    f.recorded_at = f.contacted_at + 10 * kMsPerMinute;
    f.triaged_at = f.contacted_at + kMsPerHour;
    f.assigned_at = f.contacted_at + 2 * kMsPerHour;
    if (f.status == RequestStatus::kInProgress) f.last_progress_at = f.contacted_at + 3 * kMsPerHour;
  }
  std::fprintf(stderr, "sla: loading %zu open requests...\n", requests);
  const double load_start = now_seconds();
  std::vector<sla::DueTimer> timers;
  timers.reserve(requests * 4);
  constexpr sla::TimerId kKinds = 16;
  for (size_t i = 0; i < facts.size(); ++i) {
    auto clocks = sla::read_request_clocks(*policy, facts[i], now);
    if (!clocks) return 1;
    for (const auto& c : *clocks) {
      if (c.outcome != sla::Outcome::kRunning || !c.reading.due) continue;
      const Instant next = (c.reading.warn_at && *c.reading.warn_at > now) ? *c.reading.warn_at : *c.reading.due;
      timers.push_back({static_cast<sla::TimerId>(i * kKinds + static_cast<size_t>(c.target)), next});
    }
  }
  sla::DeadlineHeap heap;
  heap.assign(timers);
  const double load_s = now_seconds() - load_start;
  std::fprintf(stderr, "sla: %zu timers loaded in %.2f s\n", heap.size(), load_s);

  // Per-operation cost: insert all, cancel every third, fire the rest, on both structures.
  std::vector<sla::DueTimer> ops = timers;
  std::shuffle(ops.begin(), ops.end(), rng);
  double best_heap = 1e9, best_pq = 1e9;
  size_t fired_heap = 0, fired_pq = 0;
  for (int round = 0; round < 3; ++round) {
    double t0 = now_seconds();
    sla::DeadlineHeap h;
    h.reserve(ops.size());
    for (const auto& t : ops) h.upsert(t.id, t.due);
    for (size_t i = 0; i < ops.size(); i += 3) h.cancel(ops[i].id);
    fired_heap = h.pop_due(INT64_MAX).size();
    best_heap = std::min(best_heap, now_seconds() - t0);

    t0 = now_seconds();
    using Entry = std::pair<Instant, sla::TimerId>;
    std::priority_queue<Entry, std::vector<Entry>, std::greater<>> pq;
    std::vector<bool> cancelled(requests * kKinds, false);
    for (const auto& t : ops) pq.push({t.due, t.id});
    for (size_t i = 0; i < ops.size(); i += 3) cancelled[ops[i].id] = true;
    fired_pq = 0;
    while (!pq.empty()) {
      if (!cancelled[pq.top().second]) ++fired_pq;
      pq.pop();
    }
    best_pq = std::min(best_pq, now_seconds() - t0);
  }
  if (fired_heap != fired_pq) {
    std::fprintf(stderr, "sla: heap fired %zu timers, baseline %zu: results differ\n", fired_heap, fired_pq);
    return 1;
  }
  const double op_count = static_cast<double>(ops.size() + ops.size() / 3 + fired_heap);
  const double ns = best_heap / op_count * 1e9;
  const double base_ns = best_pq / op_count * 1e9;
  std::fprintf(stderr, "sla: heap %.1f ns/op, std::priority_queue %.1f ns/op (goals: load <= 3 s, ratio <= 3)\n", ns, base_ns);
  std::printf("{\"bench\":\"sla\",\"requests\":%zu,\"timers\":%zu,\"load_s\":%.3f,\"ns_per_op\":%.1f,"
              "\"baseline_ns_per_op\":%.1f,\"ratio\":%.3f}\n",
              requests, timers.size(), load_s, ns, base_ns, ns / base_ns);
  return 0;
}

const Registration reg{{"sla", "1M open requests: start-up load and timer cost vs std::priority_queue", &run}};

}  // namespace
}  // namespace rapidesk::bench
