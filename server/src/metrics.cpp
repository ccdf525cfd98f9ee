#include "rapidesk/server/metrics.h"

#include <cstdio>
#include <sstream>

namespace rapidesk::server {

namespace {

std::string_view method_label(std::string_view method) {
  for (std::string_view known : {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}) {
    if (method == known) return known;
  }
  return "OTHER";
}

// Label values are route patterns and method names, but escape anyway per the format.
std::string escape_label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

void Metrics::observe_request(std::string_view method, std::string_view route, int status, double seconds) {
  const std::string m(method_label(method));
  const std::string path = route.empty() ? std::string("other") : std::string(route);
  std::lock_guard lock(mutex_);
  ++requests_[{m, path, status}];
  Histogram& h = durations_[{m, path}];
  for (size_t i = 0; i < kDurationBuckets.size(); ++i) {
    if (seconds <= kDurationBuckets[i]) {
      ++h.buckets[i];
      break;
    }
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::add_ops_merged(std::uint64_t n) { ops_merged_.fetch_add(n, std::memory_order_relaxed); }
void Metrics::add_conflicts(std::uint64_t n) { conflicts_.fetch_add(n, std::memory_order_relaxed); }
void Metrics::ws_client_connected() { ws_clients_.fetch_add(1, std::memory_order_relaxed); }
void Metrics::ws_client_disconnected() { ws_clients_.fetch_sub(1, std::memory_order_relaxed); }
std::uint64_t Metrics::ops_merged() const { return ops_merged_.load(std::memory_order_relaxed); }
std::uint64_t Metrics::conflicts() const { return conflicts_.load(std::memory_order_relaxed); }
void Metrics::set_sla_leader(bool leader) { sla_leader_.store(leader, std::memory_order_relaxed); }
bool Metrics::sla_leader() const { return sla_leader_.load(std::memory_order_relaxed); }
void Metrics::set_accepting_changes(bool accepting) {
  accepting_changes_.store(accepting, std::memory_order_relaxed);
}
std::int64_t Metrics::ws_clients() const { return ws_clients_.load(std::memory_order_relaxed); }
void Metrics::add_blob_bytes_uploaded(std::uint64_t n) { blob_bytes_uploaded_.fetch_add(n, std::memory_order_relaxed); }
void Metrics::add_blob_bytes_downloaded(std::uint64_t n) {
  blob_bytes_downloaded_.fetch_add(n, std::memory_order_relaxed);
}
std::uint64_t Metrics::blob_bytes_uploaded() const { return blob_bytes_uploaded_.load(std::memory_order_relaxed); }
std::uint64_t Metrics::blob_bytes_downloaded() const { return blob_bytes_downloaded_.load(std::memory_order_relaxed); }

void Metrics::add_group_commit(std::uint64_t writers, std::uint64_t entries) {
  commits_.fetch_add(1, std::memory_order_relaxed);
  commit_writers_.fetch_add(writers, std::memory_order_relaxed);
  committed_entries_.fetch_add(entries, std::memory_order_relaxed);
}
std::uint64_t Metrics::commits() const { return commits_.load(std::memory_order_relaxed); }
std::uint64_t Metrics::commit_writers() const { return commit_writers_.load(std::memory_order_relaxed); }
std::uint64_t Metrics::committed_entries() const { return committed_entries_.load(std::memory_order_relaxed); }

std::string Metrics::render_prometheus() const {
  std::ostringstream out;
  {
    std::lock_guard lock(mutex_);
    out << "# HELP rapidesk_http_requests_total HTTP requests answered, by method, route and status.\n"
        << "# TYPE rapidesk_http_requests_total counter\n";
    for (const auto& [key, count] : requests_) {
      const auto& [method, path, status] = key;
      out << "rapidesk_http_requests_total{method=\"" << escape_label(method) << "\",path=\"" << escape_label(path)
          << "\",status=\"" << status << "\"} " << count << '\n';
    }
    out << "# HELP rapidesk_http_request_duration_seconds Time to handle a request, by method and route.\n"
        << "# TYPE rapidesk_http_request_duration_seconds histogram\n";
    for (const auto& [key, h] : durations_) {
      const std::string labels =
          "method=\"" + escape_label(std::get<0>(key)) + "\",path=\"" + escape_label(std::get<1>(key)) + "\"";
      std::uint64_t cumulative = 0;
      for (size_t i = 0; i < kDurationBuckets.size(); ++i) {
        cumulative += h.buckets[i];
        out << "rapidesk_http_request_duration_seconds_bucket{" << labels << ",le=\"" << number(kDurationBuckets[i])
            << "\"} " << cumulative << '\n';
      }
      out << "rapidesk_http_request_duration_seconds_bucket{" << labels << ",le=\"+Inf\"} " << h.count << '\n'
          << "rapidesk_http_request_duration_seconds_sum{" << labels << "} " << number(h.sum) << '\n'
          << "rapidesk_http_request_duration_seconds_count{" << labels << "} " << h.count << '\n';
    }
  }
  out << "# HELP rapidesk_ops_merged_total Field operations merged from pushes.\n"
      << "# TYPE rapidesk_ops_merged_total counter\n"
      << "rapidesk_ops_merged_total " << ops_merged() << '\n'
      << "# HELP rapidesk_conflicts_total Conflict records created by merges.\n"
      << "# TYPE rapidesk_conflicts_total counter\n"
      << "rapidesk_conflicts_total " << conflicts() << '\n'
      << "# HELP rapidesk_sync_commits_total Durable transactions that wrote the sync log (group commits).\n"
      << "# TYPE rapidesk_sync_commits_total counter\n"
      << "rapidesk_sync_commits_total " << commits() << '\n'
      << "# HELP rapidesk_sync_commit_writers_total Pushes and server tasks made durable by those transactions; "
         "divided by rapidesk_sync_commits_total, the average group size.\n"
      << "# TYPE rapidesk_sync_commit_writers_total counter\n"
      << "rapidesk_sync_commit_writers_total " << commit_writers() << '\n'
      << "# HELP rapidesk_sync_committed_entries_total Sync log entries written by those transactions.\n"
      << "# TYPE rapidesk_sync_committed_entries_total counter\n"
      << "rapidesk_sync_committed_entries_total " << committed_entries() << '\n'
      << "# HELP rapidesk_ws_clients Connected WebSocket stream clients.\n"
      << "# TYPE rapidesk_ws_clients gauge\n"
      << "rapidesk_ws_clients " << ws_clients() << '\n'
      << "# HELP rapidesk_sla_leader 1 while this server runs the SLA scheduler and scheduled reports.\n"
      << "# TYPE rapidesk_sla_leader gauge\n"
      << "rapidesk_sla_leader " << (sla_leader() ? 1 : 0) << '\n'
      << "# HELP rapidesk_accepting_changes 1 while this server accepts pushes; 0 once a failed commit or merge "
         "stopped it (the log's changes_stopped event says why; restart it).\n"
      << "# TYPE rapidesk_accepting_changes gauge\n"
      << "rapidesk_accepting_changes " << (accepting_changes_.load(std::memory_order_relaxed) ? 1 : 0) << '\n'
      << "# HELP rapidesk_blob_bytes_uploaded_total Attachment file bytes accepted in upload chunks.\n"
      << "# TYPE rapidesk_blob_bytes_uploaded_total counter\n"
      << "rapidesk_blob_bytes_uploaded_total " << blob_bytes_uploaded() << '\n'
      << "# HELP rapidesk_blob_bytes_downloaded_total Attachment file bytes sent in download chunks.\n"
      << "# TYPE rapidesk_blob_bytes_downloaded_total counter\n"
      << "rapidesk_blob_bytes_downloaded_total " << blob_bytes_downloaded() << '\n';
  return out.str();
}

}  // namespace rapidesk::server
