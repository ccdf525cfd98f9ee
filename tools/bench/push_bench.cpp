// rapidesk-bench push | durable-push: the real server (in this process, on loopback) taking
// pushes from concurrent HTTP clients with keep-alive, against plain SQLite doing the same
// work in the same run with the same synchronous=FULL setting.
//
//   push:         16 clients x 100-op batches; ops merged/s vs plain SQLite LWW upserts,
//                 100 per transaction; then p50/p99 push latency at half the peak rate.
//   durable-push: 64 clients x 10-op batches; pushes/s vs the machine's rate of one
//                 fsync'd SQLite commit per push.
// Both take --database URL to run the server on PostgreSQL (an empty database or schema)
// instead of SQLite. durable-push's baseline stays plain SQLite; push on PostgreSQL measures
// one server, two servers over the same database and one server on SQLite instead
// (run_push_instances).
#include <sqlite3.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>

#include "bench.h"
#include "live_server.h"
#include "rapidesk/sync/client_replica.h"
#include "rapidesk/sync/codec.h"

namespace rapidesk::bench {
namespace {

struct Workload {
  std::vector<std::vector<std::string>> bodies;  // per client, its push bodies
  std::vector<std::vector<sync::FieldOp>> ops;   // all ops, for the baseline
  size_t op_count = 0;
};

// Each batch writes new requests: 4 fields per request (customer, title, category, channel).
Workload make_workload(int clients, int batches, int ops_per_batch, const std::string& prefix = "bench") {
  Workload w;
  w.bodies.resize(static_cast<size_t>(clients));
  for (int c = 0; c < clients; ++c) {
    const std::string device = prefix + "-" + std::to_string(c);
    std::mt19937_64 rng(static_cast<std::uint64_t>(c) + 1);
    sync::ClientReplica replica(sync::ClientOptions{device, "bench", 1},
                                [] { return std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::system_clock::now().time_since_epoch()).count(); },
                                [&rng] { return rng(); });
    for (int b = 0; b < batches; ++b) {
      std::vector<sync::FieldOp> batch;
      while (static_cast<int>(batch.size()) < ops_per_batch) {
        const std::string row = replica.new_row_id();
        std::vector<sync::FieldEdit> edits = {{"customer", sync::Value::string("客户 " + std::to_string(rng() % 1000))},
                                              {"title", sync::Value::string("扫码枪无法连接系统")},
                                              {"category", sync::Value::string("tech_support")},
                                              {"channel", sync::Value::string("visit")}};
        edits.resize(std::min<size_t>(edits.size(), static_cast<size_t>(ops_per_batch) - batch.size()));
        auto ops = replica.edit("request", row, edits);
        if (!ops) break;
        batch.insert(batch.end(), ops->begin(), ops->end());
      }
      w.op_count += batch.size();
      w.bodies[static_cast<size_t>(c)].push_back(sync::encode_push(device, batch));
      w.ops.push_back(std::move(batch));
    }
  }
  return w;
}

// Plain SQLite: LWW upserts of the same ops, `per_tx` per transaction, WAL, synchronous=FULL.
double baseline_upserts_per_s(const fs::path& dir, const Workload& w, size_t per_tx) {
  sqlite3* db = nullptr;
  sqlite3_open((dir / "baseline.db").c_str(), &db);
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                   "CREATE TABLE f (entity TEXT, row_id TEXT, field TEXT, value TEXT, hlc TEXT,"
                   " PRIMARY KEY (entity, row_id, field))", nullptr, nullptr, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO f VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (entity, row_id, field) "
                         "DO UPDATE SET value = excluded.value, hlc = excluded.hlc WHERE excluded.hlc > f.hlc",
                     -1, &st, nullptr);
  std::vector<const sync::FieldOp*> all;
  for (const auto& b : w.ops) {
    for (const auto& op : b) all.push_back(&op);
  }
  const double t0 = now_seconds();
  for (size_t i = 0; i < all.size(); i += per_tx) {
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    for (size_t k = i; k < std::min(all.size(), i + per_tx); ++k) {
      const auto& op = *all[k];
      const std::string value = op.value.canonical();
      const std::string hlc = sync::format_stamp(op.hlc);
      sqlite3_bind_text(st, 1, op.entity.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(st, 2, op.row.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(st, 3, op.field.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(st, 4, value.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(st, 5, hlc.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_step(st);
      sqlite3_reset(st);
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  }
  const double seconds = now_seconds() - t0;
  sqlite3_finalize(st);
  sqlite3_close(db);
  return static_cast<double>(all.size()) / seconds;
}

// CPU time of the whole process (server and clients), user + system.
double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return sec(u.ru_utime) + sec(u.ru_stime);
}

struct RunResult {
  double seconds = 0;
  double cpu_seconds = 0;  // of the whole process while the clients ran
  size_t pushes = 0;
  size_t failures = 0;
  std::vector<double> latencies_ms;
};

// Every client sends its bodies back to back (or paced every `interval_s` when > 0).
RunResult run_clients(int port, const std::string& token, const std::vector<std::vector<std::string>>& bodies,
                      double interval_s) {
  RunResult result;
  std::mutex m;
  std::vector<std::thread> threads;
  const double t0 = now_seconds();
  const double cpu0 = process_cpu_seconds();
  for (size_t c = 0; c < bodies.size(); ++c) {
    threads.emplace_back([&, c, &mine = bodies[c]] {
      HttpClient client(port);
      std::vector<double> lat;
      size_t failures = 0;
      // Paced clients are spread evenly over one interval, so the server sees a steady
      // stream at the chosen rate rather than all clients at the same instant.
      const double start = t0 + interval_s * static_cast<double>(c) / static_cast<double>(bodies.size());
      for (size_t i = 0; i < mine.size(); ++i) {
        double s = now_seconds();
        if (interval_s > 0) {
          // Latency counts from when the push was due: a client held up by its previous
          // push has its wait counted too (no coordinated omission).
          const double due = start + static_cast<double>(i) * interval_s;
          if (due > s) std::this_thread::sleep_for(std::chrono::duration<double>(due - s));
          s = due;
        }
        std::string body;
        const int status = client.post("/api/v1/sync/push", token, mine[i], &body);
        lat.push_back((now_seconds() - s) * 1000.0);
        if (status != 200 || body.find("\"rejected\":[]") == std::string::npos) ++failures;
      }
      std::lock_guard lock(m);
      result.latencies_ms.insert(result.latencies_ms.end(), lat.begin(), lat.end());
      result.pushes += mine.size();
      result.failures += failures;
    });
  }
  for (auto& t : threads) t.join();
  result.seconds = now_seconds() - t0;
  result.cpu_seconds = process_cpu_seconds() - cpu0;
  std::sort(result.latencies_ms.begin(), result.latencies_ms.end());
  return result;
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

// On PostgreSQL: ops merged/s by one server, then by two servers over the same database
// (the clients split between them), then by one server on SQLite on this machine, each with
// fresh ops of the same shape. "ratio" is two servers over one.
int run_push_instances(const std::string& database, int clients, int batches) {
  const BenchDir dir("push-instances");
  std::fprintf(stderr, "push: preparing 3 x %d clients x %d batches of 100 ops...\n", clients, batches);
  const Workload one_work = make_workload(clients, batches, 100, "one");
  const Workload two_work = make_workload(clients, batches, 100, "two");
  const Workload sqlite_work = make_workload(clients, batches, 100, "sqlite");
  size_t failures = 0;
  double one = 0, two = 0, sqlite = 0;
  {
    LiveServer a(dir.path() / "a", database);
    if (a.port == 0) return 1;
    const RunResult r = run_clients(a.port, a.token, one_work.bodies, 0);
    one = static_cast<double>(one_work.op_count) / r.seconds;
    failures += r.failures;
    std::fprintf(stderr, "push: one server on PostgreSQL: %.0f ops/s\n", one);
  }
  {
    LiveServer a(dir.path() / "a", database, true);
    LiveServer b(dir.path() / "b", database, true);
    if (a.port == 0 || b.port == 0) return 1;
    const size_t half = two_work.bodies.size() / 2;
    const std::vector<std::vector<std::string>> to_a(two_work.bodies.begin(), two_work.bodies.begin() + half);
    const std::vector<std::vector<std::string>> to_b(two_work.bodies.begin() + half, two_work.bodies.end());
    RunResult ra, rb;
    const double t0 = now_seconds();
    std::thread other([&] { rb = run_clients(b.port, b.token, to_b, 0); });
    ra = run_clients(a.port, a.token, to_a, 0);
    other.join();
    two = static_cast<double>(two_work.op_count) / (now_seconds() - t0);
    failures += ra.failures + rb.failures;
    std::fprintf(stderr, "push: two servers on one PostgreSQL: %.0f ops/s\n", two);
  }
  {
    LiveServer s(dir.path() / "sqlite", "");
    if (s.port == 0) return 1;
    const RunResult r = run_clients(s.port, s.token, sqlite_work.bodies, 0);
    sqlite = static_cast<double>(sqlite_work.op_count) / r.seconds;
    failures += r.failures;
    std::fprintf(stderr, "push: one server on SQLite: %.0f ops/s (goal: two/one >= 1.5 where the database is not "
                         "the limit)\n",
                 sqlite);
  }
  std::printf("{\"bench\":\"push\",\"database\":\"postgresql\",\"clients\":%d,\"ops_per_instance_run\":%zu,"
              "\"one_instance_ops_per_s\":%.0f,\"two_instances_ops_per_s\":%.0f,\"sqlite_ops_per_s\":%.0f,"
              "\"ratio\":%.3f,\"ratio_to_sqlite\":%.3f,\"failed_pushes\":%zu}\n",
              clients, one_work.op_count, one, two, sqlite, two / one, one / sqlite, failures);
  return failures == 0 ? 0 : 1;
}

int run_push(const Args& args) {
  const int clients = std::stoi(arg_value(args, "--clients", "16"));
  const int batches = std::stoi(arg_value(args, "--batches", "40"));
  const std::string database = arg_value(args, "--database");
  if (server::is_postgres_url(database)) return run_push_instances(database, clients, batches);
  const BenchDir dir("push");
  std::fprintf(stderr, "push: preparing %d clients x %d batches of 100 ops...\n", clients, batches);
  const Workload w = make_workload(clients, batches, 100);
  LiveServer live(dir.path(), database);
  if (live.port == 0) {
    std::fprintf(stderr, "push: the server did not start\n");
    return 1;
  }
  (void)live.writers_per_commit();
  const RunResult peak = run_clients(live.port, live.token, w.bodies, 0);
  const double ops_per_s = static_cast<double>(w.op_count) / peak.seconds;
  // Cores busy: below the machine's count, the push path waits on something, not on CPU.
  const double cpu_cores = peak.cpu_seconds / peak.seconds;
  const double per_commit = live.writers_per_commit();
  std::fprintf(stderr,
               "push: %zu ops in %.2f s = %.0f ops/s, %.2f cores busy, %.1f pushes per group commit "
               "(%zu failed pushes)\n",
               w.op_count, peak.seconds, ops_per_s, cpu_cores, per_commit, peak.failures);
  // Latency at half the peak push rate, with fresh ops (the first ones are now duplicates).
  const Workload paced_work = make_workload(clients, batches / 2, 100, "paced");
  const std::vector<std::vector<std::string>>& paced_bodies = paced_work.bodies;
  const double push_rate = static_cast<double>(peak.pushes) / peak.seconds;
  const double interval = static_cast<double>(clients) / (push_rate / 2.0);
  const RunResult half = run_clients(live.port, live.token, paced_bodies, interval);
  const double baseline = baseline_upserts_per_s(dir.path(), w, 100);
  const bool valid = peak.failures == 0;
  std::fprintf(stderr, "push: plain SQLite LWW upserts %.0f ops/s; latency at half peak p50 %.1f ms, p99 %.1f ms "
                       "(goals: ratio >= 0.5, >= 100k ops/s, p99 <= 25 ms)\n",
               baseline, percentile(half.latencies_ms, 0.5), percentile(half.latencies_ms, 0.99));
  std::printf("{\"bench\":\"push\",\"clients\":%d,\"ops\":%zu,\"ops_per_s\":%.0f,\"baseline_ops_per_s\":%.0f,"
              "\"ratio\":%.3f,\"cpu_cores\":%.2f,\"pushes_per_commit\":%.1f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,"
              "\"failed_pushes\":%zu}\n",
              clients, w.op_count, ops_per_s, baseline, ops_per_s / baseline, cpu_cores, per_commit,
              percentile(half.latencies_ms, 0.5),
              percentile(half.latencies_ms, 0.99), peak.failures + half.failures);
  return valid ? 0 : 1;
}

int run_durable_push(const Args& args) {
  const int clients = std::stoi(arg_value(args, "--clients", "64"));
  const int batches = std::stoi(arg_value(args, "--batches", "20"));
  const BenchDir dir("durable");
  std::fprintf(stderr, "durable-push: preparing %d clients x %d batches of 10 ops...\n", clients, batches);
  const Workload w = make_workload(clients, batches, 10);
  LiveServer live(dir.path(), arg_value(args, "--database"));
  if (live.port == 0) return 1;
  (void)live.writers_per_commit();
  const RunResult run = run_clients(live.port, live.token, w.bodies, 0);
  const double pushes_per_s = static_cast<double>(run.pushes) / run.seconds;
  const double per_commit = live.writers_per_commit();
  const double cpu_cores = run.cpu_seconds / run.seconds;
  // One fsync'd commit per push: the same 10-op batches, one transaction each.
  const double baseline_ops = baseline_upserts_per_s(dir.path(), w, 10);
  const double commits_per_s = baseline_ops / 10.0;
  std::fprintf(stderr,
               "durable-push: %.0f pushes/s, %.1f pushes per group commit, %.2f cores busy; one commit per push: "
               "%.0f commits/s (goal ratio >= 3)\n",
               pushes_per_s, per_commit, cpu_cores, commits_per_s);
  std::printf("{\"bench\":\"durable-push\",\"clients\":%d,\"pushes_per_s\":%.0f,\"pushes_per_commit\":%.1f,"
              "\"cpu_cores\":%.2f,\"baseline_commits_per_s\":%.0f,\"ratio\":%.3f,\"failed_pushes\":%zu}\n",
              clients, pushes_per_s, per_commit, cpu_cores, commits_per_s, pushes_per_s / commits_per_s, run.failures);
  return run.failures == 0 ? 0 : 1;
}

const Registration push_reg{{"push",
                              "16 HTTP clients push 100-op batches to the real server vs plain SQLite upserts; "
                              "with --database postgresql://... one vs two servers over it",
                              &run_push}};
const Registration durable_reg{{"durable-push",
                                 "64 clients push 10-op batches: group commit vs one fsync per push "
                                 "[--database postgresql://...]",
                                 &run_durable_push}};

}  // namespace
}  // namespace rapidesk::bench
