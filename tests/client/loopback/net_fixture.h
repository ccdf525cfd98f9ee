// Shared by the client networking suites: the real rapidesk-server on loopback (harness.h),
// plus peers that misbehave in ways a real network does — a closed port and a listener
// that never answers.
#pragma once

#include "harness.h"
#include "rapidesk/client/server_address.h"
#include "rapidesk/sync/client_replica.h"

namespace rapidesk_client_it {

using namespace rapidesk_it;
namespace client = rapidesk::client;
namespace sync = rapidesk::sync;

inline client::ServerAddress loopback_address(int port, bool tls = false) {
  auto address = client::ServerAddress::parse(std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port));
  EXPECT_TRUE(address);
  return *address;
}

inline client::ServerAddress localhost_address(int port, bool tls) {
  auto address = client::ServerAddress::parse(std::string(tls ? "https" : "http") + "://localhost:" + std::to_string(port));
  EXPECT_TRUE(address);
  return *address;
}

// A loopback port nothing listens on (bound, then released): connections are refused.
inline int closed_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// Listens but never accepts nor answers: the kernel completes the TCP handshake, then
// nothing — what a hung server or a black-holing middlebox looks like.
class SilentPeer {
 public:
  SilentPeer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(fd_, 16);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentPeer() { close(fd_); }
  SilentPeer(const SilentPeer&) = delete;
  SilentPeer& operator=(const SilentPeer&) = delete;
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

inline std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A device replica whose ops are exactly what the desktop client pushes.
inline sync::ClientReplica make_replica(const std::string& device, const std::string& user) {
  return sync::ClientReplica(sync::ClientOptions{device, user, 1}, [] { return wall_ms(); },
                             [state = std::make_shared<std::mt19937_64>(std::hash<std::string>{}(device))] {
                               return (*state)();
                             });
}

// Queues a new request (five fields) on the replica; returns its row id.
inline std::string new_request(sync::ClientReplica& replica, const std::string& customer, const std::string& title) {
  const std::string row = replica.new_row_id();
  std::vector<sync::FieldEdit> edits = {{"customer", sync::Value::string(customer)},
                                        {"title", sync::Value::string(title)},
                                        {"category", sync::Value::string("tech_support")},
                                        {"channel", sync::Value::string("phone")},
                                        {"description", sync::Value::string("打印机无法连接网络")}};
  auto ops = replica.edit("request", row, edits);
  EXPECT_TRUE(ops) << ops.status().message().en;
  return row;
}

template <class Predicate>
bool eventually(Predicate done, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return done();
}

inline std::chrono::milliseconds elapsed_since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

// ServerTest with two accounts and a way to restart the server on the same port.
class ClientServerTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    add_user("alice", "alice-pass-1", "agent", "NORTH");
    add_user("carol", "carol-pass-1", "coordinator", "HQ");
  }
  void restart_on_same_port(std::vector<std::string> extra = {}) {
    const int old_port = port();
    ASSERT_EQ(server_->terminate_and_wait(15s), 0);
    extra.push_back("--listen");
    extra.push_back("127.0.0.1:" + std::to_string(old_port));
    server_ = std::make_unique<ServerProcess>(data_, log_, extra);
    ASSERT_EQ(server_->port(), old_port);
  }
};

}  // namespace rapidesk_client_it
