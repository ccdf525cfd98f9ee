// rapidesk-bench pull: a fresh replica's first sync from the real server over loopback HTTP.
// The server (in this process, on SQLite) is first given N requests of 25 fields, pushed
// by four field devices in 1000-op batches; the SLA service numbers, assigns and clocks them
// as it would in use. Then a new profile signs in and one SyncWorker round pulls the whole
// log: pages over HTTP, merged, persisted, the views and search index built. Requests/s
// against plain SQLite inserts of the same rows, 1000 per transaction (goal ratio >= 0.3).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <random>
#include <thread>

#include "bench.h"
#include "bench_data.h"
#include "live_server.h"
#include "rapidesk/client/local_replica.h"
#include "rapidesk/client/replica_reader.h"
#include "rapidesk/client/sync_worker.h"
#include "rapidesk/sync/client_replica.h"
#include "rapidesk/sync/codec.h"

namespace rapidesk::bench {
namespace {

constexpr int kDevices = 4;
constexpr std::size_t kOpsPerPush = 1000;

// The push bodies of device `d`: requests d, d + kDevices, ... below n. Their fields go to
// `rows` (by request number) for the baseline.
Result<std::vector<std::string>> device_pushes(int d, int n, std::vector<std::vector<sync::FieldEdit>>& rows) {
  const std::string device = "field-" + std::to_string(d);
  std::mt19937_64 rng(static_cast<std::uint64_t>(d) + 11);
  sync::ClientReplica maker(sync::ClientOptions{device, "bench", 1}, wall_ms, [&rng] { return rng(); });
  std::vector<std::string> bodies;
  std::vector<sync::FieldOp> batch;
  for (int i = d; i < n; i += kDevices) {
    auto fields = request_fields(rng, i);
    auto ops = maker.edit("request", maker.new_row_id(), fields);
    if (!ops) return ops.status();
    batch.insert(batch.end(), ops->begin(), ops->end());
    rows[static_cast<std::size_t>(i)] = std::move(fields);
    if (batch.size() >= kOpsPerPush) {
      bodies.push_back(sync::encode_push(device, batch));
      batch.clear();
    }
  }
  if (!batch.empty()) bodies.push_back(sync::encode_push(device, batch));
  return bodies;
}

int run_pull(const Args& args) {
  const int n = std::stoi(arg_value(args, "--requests", "100000"));
  if (n <= 0) {
    std::fprintf(stderr, "pull: --requests must be a positive number\n");
    return 2;
  }
  const BenchDir dir("pull");
  LiveServer live(dir.path(), "");
  if (live.port == 0) {
    std::fprintf(stderr, "pull: the server did not start\n");
    return 1;
  }

  // The server's log: every device pushes its requests on its own connection.
  std::fprintf(stderr, "pull: pushing %d requests of 25 fields from %d devices...\n", n, kDevices);
  std::vector<std::vector<sync::FieldEdit>> rows(static_cast<std::size_t>(n));
  std::vector<std::vector<std::string>> bodies(kDevices);
  for (int d = 0; d < kDevices; ++d) {
    auto made = device_pushes(d, n, rows);
    if (!made) {
      std::fprintf(stderr, "pull: %s\n", made.status().message().en.c_str());
      return 1;
    }
    bodies[static_cast<std::size_t>(d)] = std::move(*made);
  }
  std::atomic<std::size_t> failed{0}, refused_pushes{0};
  {
    std::vector<std::thread> devices;
    for (int d = 0; d < kDevices; ++d) {
      devices.emplace_back([&, d] {
        HttpClient client(live.port);
        for (const std::string& body : bodies[static_cast<std::size_t>(d)]) {
          std::string answer;
          if (client.post("/api/v1/sync/push", live.token, body, &answer) != 200) ++failed;
          else if (answer.find("\"rejected\":[]") == std::string::npos) ++refused_pushes;
        }
      });
    }
    for (auto& t : devices) t.join();
  }
  bodies.clear();
  wait_until_settled(live);
  const std::uint64_t log_entries = live.state->sync->durable_cursor();
  std::fprintf(stderr, "pull: the server's log holds %llu entries (%zu pushes failed, %zu had refusals)\n",
               static_cast<unsigned long long>(log_entries), failed.load(), refused_pushes.load());
  if (failed != 0) return 1;

  // A new profile signs in and syncs once: the whole log over HTTP.
  auto replica = client::LocalReplica::open(dir.path() / "profile.db");
  if (!replica) {
    std::fprintf(stderr, "pull: %s\n", replica.status().message().en.c_str());
    return 1;
  }
  client::ProfileIdentity who = (*replica)->identity();
  who.user = "bench";
  who.role = "coordinator";
  who.team = "BENCH";
  who.server_url = "http://127.0.0.1:" + std::to_string(live.port);
  who.token = live.token;
  if (Status s = (*replica)->set_sign_in(who); !s) {
    std::fprintf(stderr, "pull: %s\n", s.message().en.c_str());
    return 1;
  }
  client::SyncWorkerOptions options;
  options.live_stream = false;
  client::SyncWorker worker(**replica, options);
  std::uint64_t shown = 0;
  const double t0 = now_seconds();
  const Status synced = worker.sync_once([&](const client::SyncProgress& p) {
    if (p.phase != client::SyncProgress::Phase::kPulling || p.done < shown + 250'000) return;
    shown = p.done;
    std::fprintf(stderr, "pull: %llu of %llu log entries\n", static_cast<unsigned long long>(p.done),
                 static_cast<unsigned long long>(p.total));
  });
  const double pull_s = now_seconds() - t0;
  if (!synced) {
    std::fprintf(stderr, "pull: %s\n", synced.message().en.c_str());
    return 1;
  }
  // The floor under any pull that keeps the profile's list and search views: deriving them
  // alone from the merged state (rows, indexes, search index), with no transfer, decoding,
  // merging or log to persist.
  const double v0 = now_seconds();
  if (Status s = (*replica)->rebuild_views(); !s) {
    std::fprintf(stderr, "pull: rebuilding the views: %s\n", s.message().en.c_str());
    return 1;
  }
  const double views_s = now_seconds() - v0;
  (*replica).reset();

  // Every request arrived and is listed.
  auto reader = client::ReplicaReader::open(dir.path() / "profile.db");
  if (!reader) return 1;
  client::RequestFilter all;
  all.limit = 1;
  auto listed = (*reader)->list(all, wall_ms());
  const std::size_t requests = listed ? listed->total : 0;
  (*reader).reset();

  auto plain = sqlite::Database::open(dir.path() / "plain.db");
  if (!plain) return 1;
  const double plain_rate = plain_insert_rows_per_s(**plain, rows);
  if (requests != static_cast<std::size_t>(n) || plain_rate <= 0) {
    std::fprintf(stderr, "pull: the profile lists %zu of %d requests%s\n", requests, n,
                 plain_rate <= 0 ? "; the plain inserts failed" : "");
    return 1;
  }
  const double pull_rate = static_cast<double>(n) / pull_s;
  const double views_rate = static_cast<double>(n) / views_s;
  std::fprintf(stderr,
               "pull: %d requests (%llu log entries) in %.2f s = %.0f requests/s; plain SQLite inserts %.0f rows/s "
               "(goal: ratio >= 0.3); the views alone %.2f s = %.0f requests/s (ratio %.3f)\n",
               n, static_cast<unsigned long long>(log_entries), pull_s, pull_rate, plain_rate, views_s, views_rate,
               views_rate / plain_rate);
  std::printf("{\"bench\":\"pull\",\"requests\":%d,\"log_entries\":%llu,\"pull_s\":%.2f,"
              "\"pull_requests_per_s\":%.0f,\"plain_insert_rows_per_s\":%.0f,\"views_s\":%.2f,"
              "\"views_ratio\":%.4f,\"ratio\":%.4f}\n",
              n, static_cast<unsigned long long>(log_entries), pull_s, pull_rate, plain_rate, views_s,
              views_rate / plain_rate, pull_rate / plain_rate);
  return 0;
}

const Registration kPull{{"pull",
                          "a fresh replica's first sync of 100k requests from the real server over HTTP vs plain "
                          "SQLite inserts [--requests N]",
                          &run_pull}};

}  // namespace
}  // namespace rapidesk::bench
