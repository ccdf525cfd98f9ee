#include "live_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "rapidesk/server/allocator.h"
#include "rapidesk/server/sla_service.h"
#include "rapidesk/server/tokens.h"

namespace rapidesk::bench {

HttpClient::HttpClient(int port) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ok_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

HttpClient::~HttpClient() { close(fd_); }

int HttpClient::post(const std::string& target, const std::string& token, const std::string& payload,
                     std::string* body) {
  std::string req = "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
  if (!token.empty()) req += "Authorization: Bearer " + token + "\r\n";
  req += "Content-Length: " + std::to_string(payload.size()) + "\r\n\r\n" + payload;
  for (size_t sent = 0; sent < req.size();) {
    const ssize_t n = send(fd_, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return 0;
    sent += static_cast<size_t>(n);
  }
  size_t header_end;
  while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return 0;
  }
  const int status = std::atoi(buffer_.c_str() + 9);
  size_t length = 0;
  const size_t cl = buffer_.find("Content-Length: ");
  if (cl != std::string::npos && cl < header_end) length = std::strtoul(buffer_.c_str() + cl + 16, nullptr, 10);
  const size_t cl2 = buffer_.find("content-length: ");
  if (cl2 != std::string::npos && cl2 < header_end) length = std::strtoul(buffer_.c_str() + cl2 + 16, nullptr, 10);
  while (buffer_.size() < header_end + 4 + length) {
    if (!fill()) return 0;
  }
  if (body) *body = buffer_.substr(header_end + 4, length);
  buffer_.erase(0, header_end + 4 + length);
  return status;
}

bool HttpClient::fill() {
  char buf[65536];
  const ssize_t n = recv(fd_, buf, sizeof buf, 0);
  if (n <= 0) return false;
  buffer_.append(buf, static_cast<size_t>(n));
  return true;
}

LiveServer::LiveServer(const fs::path& dir, const std::string& database, bool join) {
  server::tune_allocator_for_server();  // as rapidesk-server's main does
  auto storage = server::open_storage(dir / "server", database);
  if (!storage) {
    std::fprintf(stderr, "%s\n", storage.status().message().en.c_str());
    return;
  }
  server::ServerConfig config;
  config.data_dir = dir / "server";
  config.database = database;
  config.listen_port = 0;
  state = std::make_unique<server::ServerState>(config, std::move(*storage), nullptr);
  if (!state->start_sync()) return;
  if (!join && state->sync->ops_merged() != 0) {
    std::fprintf(stderr, "--database: the store already holds a sync log; give an empty database or schema\n");
    return;
  }
  (void)state->storage->add_team({"BENCH", "Benchmark", std::nullopt});  // kConflict when joining
  (void)state->storage->add_user(server::UserRecord{"bench", "Bench", Role::kCoordinator, "BENCH", {}, "x", true, 0});
  token = server::make_token();
  state->storage->add_token(server::TokenRecord{server::hash_token(token), "bench", "bench", 0,
                                                server::system_now() + kMsPerDay, false});
  net = std::make_unique<server::Server>(*state);
  auto address = net->start();
  if (!address) return;
  port = std::stoi(address->substr(address->rfind(':') + 1));
  runner = std::thread([this] { net->run(false); });
}

LiveServer::~LiveServer() {
  if (net) net->stop();
  if (runner.joinable()) runner.join();
}

double LiveServer::writers_per_commit() {
  const std::uint64_t commits = state->metrics.commits(), writers = state->metrics.commit_writers();
  const double per = commits > commits_seen ? static_cast<double>(writers - writers_seen) /
                                                  static_cast<double>(commits - commits_seen)
                                            : 0.0;
  commits_seen = commits;
  writers_seen = writers;
  return per;
}

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void wait_until_settled(LiveServer& live) {
  std::uint64_t last = live.state->sync->durable_cursor();
  for (int quiet = 0, rounds = 0; quiet < 5 && rounds < 600; ++rounds) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const std::uint64_t now = live.state->sync->durable_cursor();
    const auto due = live.state->sla->next_due();
    quiet = now == last && (!due || *due > wall_ms()) ? quiet + 1 : 0;
    last = now;
  }
}

BenchDir::BenchDir(const char* name)
    : path_(fs::temp_directory_path() / (std::string("rapidesk-bench-") + name + "-" + std::to_string(getpid()))) {
  fs::remove_all(path_);
  fs::create_directories(path_);
}

BenchDir::~BenchDir() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

}  // namespace rapidesk::bench
