// The real server in this process on a loopback port, and a plain blocking HTTP/1.1 client:
// what the benchmarks that go over the network (push, durable-push, pull) share.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "rapidesk/server/server.h"
#include "rapidesk/server/server_state.h"

namespace rapidesk::bench {

namespace fs = std::filesystem;

// One keep-alive HTTP/1.1 connection; blocking, enough for a benchmark client.
class HttpClient {
 public:
  explicit HttpClient(int port);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  // Returns the status (0 on transport failure); the body in *body.
  int post(const std::string& target, const std::string& token, const std::string& payload, std::string* body);
  bool ok() const { return ok_; }

 private:
  bool fill();
  int fd_ = -1;
  bool ok_ = false;
  std::string buffer_;
};

// `database`: empty for SQLite in the temp dir, else a PostgreSQL URL whose schema must be
// empty (the workload's op ids repeat from run to run, and replays would be measured).
// Signs in a coordinator "bench" of team BENCH: `token`. port 0: the server did not start.
struct LiveServer {
  // `join`: another server already runs on `database` (several instances): its log is fine.
  LiveServer(const fs::path& dir, const std::string& database, bool join = false);
  ~LiveServer();
  // Writers (pushes and server tasks) per group commit since the last call: how many
  // pushes shared each fsync.
  double writers_per_commit();
  std::uint64_t commits_seen = 0, writers_seen = 0;
  std::unique_ptr<server::ServerState> state;
  std::unique_ptr<server::Server> net;
  std::thread runner;
  std::string token;
  int port = 0;
};

// The wall clock the server and the benchmark's devices read, in ms since the epoch.
std::int64_t wall_ms();

// Waits until the server's log stops growing: the SLA service commits its own ops (numbers,
// assignments, due events of requests contacted long ago) after the pushes that caused them,
// and what is timed next must neither race them nor miss them.
void wait_until_settled(LiveServer& live);

// A fresh directory under the system's temp dir for benchmark `name` (this process's own),
// removed with all in it however the run ends: declare it before the servers that use it, so
// they have stopped by then.
class BenchDir {
 public:
  explicit BenchDir(const char* name);
  ~BenchDir();
  BenchDir(const BenchDir&) = delete;
  BenchDir& operator=(const BenchDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

}  // namespace rapidesk::bench
