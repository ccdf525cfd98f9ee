// Counters and gauges exposed at GET /metrics in the Prometheus text format (0.0.4).
// Thread-safe: every method may be called from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace rapidesk::server {

class Metrics {
 public:
  // Upper bounds (seconds) of rapidesk_http_request_duration_seconds buckets (+Inf implied).
  static constexpr std::array<double, 11> kDurationBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                              0.5,   1.0,  2.5,   5.0,  10.0};

  // One answered request. `route` is the matched route pattern (bounded cardinality), or
  // empty for unmatched paths, which are counted as path="other". Unusual methods count
  // as method="OTHER".
  void observe_request(std::string_view method, std::string_view route, int status, double seconds);

  // rapidesk_ops_merged_total / rapidesk_conflicts_total, incremented by the sync endpoints.
  void add_ops_merged(std::uint64_t n);
  void add_conflicts(std::uint64_t n);
  // rapidesk_blob_bytes_uploaded_total / _downloaded_total: attachment file bytes accepted
  // in upload chunks and sent in download chunks.
  void add_blob_bytes_uploaded(std::uint64_t n);
  void add_blob_bytes_downloaded(std::uint64_t n);
  // rapidesk_sync_commits_total / _commit_writers_total / _committed_entries_total: one
  // group commit (one durable transaction) that made `writers` pushes and server tasks
  // durable with `entries` log entries.
  void add_group_commit(std::uint64_t writers, std::uint64_t entries);
  // rapidesk_ws_clients gauge.
  void ws_client_connected();
  void ws_client_disconnected();
  // rapidesk_sla_leader gauge: 1 while this server runs the SLA scheduler and scheduled
  // reports (always, for one server alone; the leader among several on one database).
  void set_sla_leader(bool leader);
  bool sla_leader() const;
  // rapidesk_accepting_changes gauge: 1 until this server stops taking changes (a failed
  // commit, a merge that threw: SyncService::health()), then 0 until it restarts.
  void set_accepting_changes(bool accepting);

  std::uint64_t ops_merged() const;
  std::uint64_t conflicts() const;
  std::int64_t ws_clients() const;
  std::uint64_t blob_bytes_uploaded() const;
  std::uint64_t blob_bytes_downloaded() const;
  std::uint64_t commits() const;
  std::uint64_t commit_writers() const;
  std::uint64_t committed_entries() const;

  std::string render_prometheus() const;

 private:
  struct Histogram {
    std::array<std::uint64_t, kDurationBuckets.size()> buckets{};  // non-cumulative
    std::uint64_t count = 0;
    double sum = 0;
  };

  std::atomic<std::uint64_t> ops_merged_{0};
  std::atomic<std::uint64_t> conflicts_{0};
  std::atomic<std::int64_t> ws_clients_{0};
  std::atomic<bool> sla_leader_{false};
  std::atomic<bool> accepting_changes_{true};
  std::atomic<std::uint64_t> blob_bytes_uploaded_{0};
  std::atomic<std::uint64_t> blob_bytes_downloaded_{0};
  std::atomic<std::uint64_t> commits_{0};
  std::atomic<std::uint64_t> commit_writers_{0};
  std::atomic<std::uint64_t> committed_entries_{0};

  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;  // guarded by mutex_
  std::map<std::tuple<std::string, std::string>, Histogram> durations_;         // guarded by mutex_
};

}  // namespace rapidesk::server
