// CursorStream against the real server: cursors arrive promptly after a push, stop() is
// prompt in every state, the stream comes back after a server restart, a refused token
// ends it with a reason, and a connection dropped at once does not reset the backoff.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/websocket.hpp>
#include <mutex>
#include <thread>

#include "net_fixture.h"
#include "rapidesk/client/cursor_stream.h"
#include "rapidesk/client/http_client.h"
#include "rapidesk/client/server_api.h"

namespace {

using namespace rapidesk_client_it;
namespace asio = boost::asio;
namespace beast = boost::beast;
using rapidesk::ErrorCode;
using client::CursorStream;
using client::StreamEvent;
using client::StreamState;

// What the callbacks saw, with when.
class Recorder {
 public:
  void on_cursor(std::uint64_t cursor) {
    std::lock_guard lock(mutex_);
    cursors_.push_back({cursor, Clock::now()});
  }
  void on_state(const StreamEvent& event) {
    std::lock_guard lock(mutex_);
    events_.push_back(event);
  }
  CursorStream::CursorHandler cursor_handler() {
    return [this](std::uint64_t c) { on_cursor(c); };
  }
  CursorStream::StateHandler state_handler() {
    return [this](const StreamEvent& e) { on_state(e); };
  }

  int connects() const {
    std::lock_guard lock(mutex_);
    return static_cast<int>(std::count_if(events_.begin(), events_.end(),
                                          [](const StreamEvent& e) { return e.state == StreamState::kConnected; }));
  }
  int disconnects() const {
    std::lock_guard lock(mutex_);
    return static_cast<int>(events_.size()) - static_cast<int>(std::count_if(events_.begin(), events_.end(), [](const StreamEvent& e) {
             return e.state == StreamState::kConnected;
           }));
  }
  std::vector<StreamEvent> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }
  // When the first cursor >= `at_least` arrived, if it did.
  std::optional<Clock::time_point> cursor_seen(std::uint64_t at_least) const {
    std::lock_guard lock(mutex_);
    for (const auto& [cursor, when] : cursors_) {
      if (cursor >= at_least) return when;
    }
    return std::nullopt;
  }
  std::vector<std::uint64_t> cursors() const {
    std::lock_guard lock(mutex_);
    std::vector<std::uint64_t> out;
    for (const auto& c : cursors_) out.push_back(c.first);
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<std::uint64_t, Clock::time_point>> cursors_;
  std::vector<StreamEvent> events_;
};

CursorStream::Options fast_retry() {
  CursorStream::Options options;
  options.initial_backoff = 100ms;
  options.max_backoff = 1000ms;
  return options;
}

class CursorStreamTest : public ClientServerTest {
 protected:
  void SetUp() override {
    ClientServerTest::SetUp();
    start();
    api_ = std::make_unique<client::ServerApi>(loopback_address(port()));
    auto login = api_->login("alice", "alice-pass-1", "laptop-1");
    ASSERT_TRUE(login) << login.status().message().en;
    token_ = login->token;
  }
  void announce(std::uint64_t cursor) {
    client::HttpClient http(loopback_address(port()));
    auto r = http.post("/_test/announce?cursor=" + std::to_string(cursor), {});
    ASSERT_TRUE(r) << r.status().message().en;
  }

  std::unique_ptr<client::ServerApi> api_;
  std::string token_;
  Recorder recorder_;
};

TEST_F(CursorStreamTest, CursorArrivesWithinOneSecondOfAPush) {
  CursorStream stream(loopback_address(port()), token_, recorder_.cursor_handler(), recorder_.state_handler());
  stream.start();
  ASSERT_TRUE(eventually([&] { return recorder_.connects() == 1; }, 5s));
  // The first message is the latest cursor (nothing pushed yet: 0).
  ASSERT_TRUE(eventually([&] { return !recorder_.cursors().empty(); }, 2s));
  EXPECT_EQ(recorder_.cursors().front(), 0u);

  sync::ClientReplica replica = make_replica("laptop-1", "alice");
  new_request(replica, "北方电力", "Meter readings missing");
  auto pushed = api_->push("laptop-1", replica.next_push());
  ASSERT_TRUE(pushed) << pushed.status().message().en;
  const auto pushed_at = Clock::now();
  ASSERT_GT(pushed->cursor, 0u);
  ASSERT_TRUE(eventually([&] { return recorder_.cursor_seen(pushed->cursor).has_value(); }, 1s))
      << "the pushed cursor did not arrive within 1 s";
  EXPECT_LT(*recorder_.cursor_seen(pushed->cursor) - pushed_at, 1s);
  EXPECT_TRUE(stream.running());
}

TEST_F(CursorStreamTest, AnnouncedCursorsArriveInOrder) {
  CursorStream stream(loopback_address(port()), token_, recorder_.cursor_handler(), recorder_.state_handler());
  stream.start();
  ASSERT_TRUE(eventually([&] { return !recorder_.cursors().empty(); }, 5s));
  announce(5);
  announce(9);
  ASSERT_TRUE(eventually([&] { return recorder_.cursor_seen(9).has_value(); }, 2s));
  const auto cursors = recorder_.cursors();
  EXPECT_TRUE(std::is_sorted(cursors.begin(), cursors.end()));
  EXPECT_NE(std::find(cursors.begin(), cursors.end(), 9u), cursors.end());
}

TEST_F(CursorStreamTest, StopWhileConnectedIsPromptAndLastEventSaysStopped) {
  CursorStream stream(loopback_address(port()), token_, recorder_.cursor_handler(), recorder_.state_handler());
  stream.start();
  ASSERT_TRUE(eventually([&] { return recorder_.connects() == 1; }, 5s));
  std::this_thread::sleep_for(100ms);  // now blocked reading
  const auto start = Clock::now();
  stream.stop();
  EXPECT_LT(elapsed_since(start), 1000ms);
  EXPECT_FALSE(stream.running());
  const auto events = recorder_.events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events.back().state, StreamState::kDisconnected);
  EXPECT_TRUE(events.back().reason.is_ok());
  // No callback after stop() returned, and the stream can start again.
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(recorder_.events().size(), 2u);
  stream.start();
  EXPECT_TRUE(eventually([&] { return recorder_.connects() == 2; }, 5s));
}

TEST_F(CursorStreamTest, ReconnectsAfterServerRestart) {
  CursorStream stream(loopback_address(port()), token_, recorder_.cursor_handler(), recorder_.state_handler(),
                      fast_retry());
  stream.start();
  ASSERT_TRUE(eventually([&] { return recorder_.connects() == 1; }, 5s));
  restart_on_same_port();
  ASSERT_TRUE(eventually([&] { return recorder_.connects() == 2; }, 10s)) << "the stream did not come back";
  const auto events = recorder_.events();
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events[1].state, StreamState::kDisconnected);
  EXPECT_EQ(events[1].reason.code(), ErrorCode::kUnavailable);
  EXPECT_GT(events[1].retry_in.count(), 0);
  EXPECT_LE(events[1].retry_in, 1000ms);
  announce(4242);
  EXPECT_TRUE(eventually([&] { return recorder_.cursor_seen(4242).has_value(); }, 2s));
}

TEST_F(CursorStreamTest, RefusedTokenEndsTheStreamWithUnauthorized) {
  CursorStream stream(loopback_address(port()), "forged-token", recorder_.cursor_handler(), recorder_.state_handler(),
                      fast_retry());
  stream.start();
  ASSERT_TRUE(eventually([&] { return !stream.running(); }, 5s));
  const auto events = recorder_.events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].state, StreamState::kDisconnected);
  EXPECT_EQ(events[0].reason.code(), ErrorCode::kUnauthorized);
  EXPECT_EQ(events[0].retry_in.count(), 0);
  // With a good token it starts again.
  stream.set_token(token_);
  stream.start();
  EXPECT_TRUE(eventually([&] { return recorder_.connects() == 1; }, 5s));
}

TEST(CursorStreamNetworkTest, StopWhileConnectingIsPrompt) {
  SilentPeer peer;  // accepts the TCP connection, never answers the WebSocket handshake
  Recorder recorder;
  CursorStream::Options options;
  options.connect_timeout = 30s;
  CursorStream stream(loopback_address(peer.port()), "token", recorder.cursor_handler(), recorder.state_handler(),
                      options);
  stream.start();
  std::this_thread::sleep_for(200ms);
  const auto start = Clock::now();
  stream.stop();
  EXPECT_LT(elapsed_since(start), 1000ms);
  EXPECT_TRUE(recorder.events().empty());  // never connected: nothing to report
}

TEST(CursorStreamNetworkTest, UnreachableServerRetriesWithBackoffAndStopsPromptly) {
  Recorder recorder;
  CursorStream::Options options;
  options.initial_backoff = 200ms;
  options.max_backoff = 10s;
  CursorStream stream(loopback_address(closed_port()), "token", recorder.cursor_handler(), recorder.state_handler(),
                      options);
  stream.start();
  ASSERT_TRUE(eventually([&] { return recorder.disconnects() >= 3; }, 5s));
  const auto events = recorder.events();
  for (const auto& e : events) {
    EXPECT_EQ(e.state, StreamState::kDisconnected);
    EXPECT_EQ(e.reason.code(), ErrorCode::kUnavailable);
    EXPECT_NE(e.reason.message().en.find("connection refused"), std::string::npos);
  }
  // Delays grow: 100–200 ms, 200–400 ms, 400–800 ms.
  EXPECT_LE(events[0].retry_in, 200ms);
  EXPECT_GE(events[2].retry_in, 400ms);
  EXPECT_TRUE(stream.running());
  const auto start = Clock::now();
  stream.stop();  // while waiting to retry
  EXPECT_LT(elapsed_since(start), 1000ms);
  EXPECT_FALSE(stream.running());
}

// A server (or a proxy in front of it) that completes every WebSocket handshake and closes
// the connection at once.
class FlappingPeer {
 public:
  FlappingPeer() : acceptor_(context_, {asio::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
  }
  ~FlappingPeer() {
    stop_.store(true);
    boost::system::error_code ec;
    asio::ip::tcp::socket wake(context_);
    wake.connect({asio::ip::make_address("127.0.0.1"), port_}, ec);  // ends the blocked accept
    thread_.join();
  }
  FlappingPeer(const FlappingPeer&) = delete;
  FlappingPeer& operator=(const FlappingPeer&) = delete;
  unsigned short port() const { return port_; }

 private:
  void serve() {
    while (!stop_.load()) {
      boost::system::error_code ec;
      asio::ip::tcp::socket socket(context_);
      acceptor_.accept(socket, ec);
      if (ec || stop_.load()) return;
      beast::websocket::stream<asio::ip::tcp::socket> ws(std::move(socket));
      ws.accept(ec);
      if (!ec) ws.close(beast::websocket::close_code::going_away, ec);
    }
  }

  asio::io_context context_;
  asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Each connection closed right after its handshake used to reset the backoff, so the client
// came back at the shortest delay forever. Now the delays grow as for a server not there.
TEST(CursorStreamNetworkTest, AConnectionDroppedAtOnceStillBacksOff) {
  FlappingPeer peer;
  Recorder recorder;
  CursorStream::Options options;
  options.initial_backoff = 100ms;
  options.max_backoff = 10s;
  CursorStream stream(loopback_address(peer.port()), "token", recorder.cursor_handler(), recorder.state_handler(),
                      options);
  stream.start();
  ASSERT_TRUE(eventually([&] { return recorder.disconnects() >= 4; }, 5s));
  stream.stop();
  EXPECT_GE(recorder.connects(), 4);
  std::vector<std::chrono::milliseconds> delays;
  for (const auto& e : recorder.events()) {
    if (e.state == StreamState::kDisconnected && e.retry_in > 0ms) delays.push_back(e.retry_in);
  }
  ASSERT_GE(delays.size(), 4u);
  // 50–100 ms, 100–200 ms, 200–400 ms, 400–800 ms.
  EXPECT_LE(delays[0], 100ms);
  EXPECT_GE(delays[3], 400ms);
}

}  // namespace
