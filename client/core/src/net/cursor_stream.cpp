#include "rapidesk/client/cursor_stream.h"

#include <atomic>
#include <mutex>
#include <thread>
#include <type_traits>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <nlohmann/json.hpp>

#include "net/transport.h"
#include "rapidesk/client/http_error.h"
#include "rapidesk/client/reconnect_backoff.h"

namespace rapidesk::client {

namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using namespace net;

namespace {

constexpr std::size_t kMaxMessageBytes = 64 * 1024;  // a cursor message is ~30 bytes

// Retrying cannot fix these: the owner must act (sign in again, upgrade, fix settings).
bool is_final(const Status& reason) {
  switch (reason.code()) {
    case ErrorCode::kUnauthorized:
    case ErrorCode::kForbidden:
    case ErrorCode::kUpgradeRequired:
    case ErrorCode::kInvalid: return true;
    default: return false;
  }
}

// The cursor in {"type":"cursor","cursor":N}; nullopt for any other message.
std::optional<std::uint64_t> cursor_of(std::string_view message) {
  const nlohmann::json doc = nlohmann::json::parse(message, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return std::nullopt;
  auto type = doc.find("type");
  auto cursor = doc.find("cursor");
  if (type == doc.end() || !type->is_string() || *type != "cursor") return std::nullopt;
  if (cursor == doc.end() || !cursor->is_number_unsigned()) return std::nullopt;
  return cursor->get<std::uint64_t>();
}

}  // namespace

struct CursorStream::Impl {
  Impl(ServerAddress a, std::string t, CursorHandler cursor_handler, StateHandler state_handler, Options o)
      : address(std::move(a)),
        options(std::move(o)),
        on_cursor(std::move(cursor_handler)),
        on_state(std::move(state_handler)),
        token(std::move(t)),
        backoff(options.initial_backoff, options.max_backoff) {}

  // Constant after construction.
  const ServerAddress address;
  const Options options;
  const CursorHandler on_cursor;
  const StateHandler on_state;

  std::mutex control_mutex;  // serialises start() and stop() (not taken on the stream thread)
  std::thread thread;        // guarded by control_mutex
  std::atomic<std::thread::id> thread_id{};

  mutable std::mutex mutex;
  std::string token;                 // guarded by mutex
  asio::io_context* ioc = nullptr;   // guarded by mutex; set while the thread runs its loop
  bool stop_requested = false;       // guarded by mutex
  std::atomic<bool> running{false};

  // Used only on the stream thread.
  std::shared_ptr<asio::ssl::context> tls_context;
  ReconnectBackoff backoff;
  // How long a connection must last to count as healthy (see loop()).
  static constexpr std::chrono::seconds kHealthyAfter{10};
  std::chrono::steady_clock::time_point connected_at;  // of the current connection (stream thread)
  bool connected = false;

  void request_stop() {
    std::lock_guard lock(mutex);
    stop_requested = true;
    if (ioc != nullptr) ioc->stop();  // run() returns; pending operations are abandoned
  }

  bool stopping() const {
    std::lock_guard lock(mutex);
    return stop_requested;
  }

  // Callbacks are the owner's code: whatever they throw stays out of the stream thread.
  void notify(const StreamEvent& event) {
    if (!on_state) return;
    try {
      on_state(event);
    } catch (...) {
    }
  }
  void notify_cursor(std::uint64_t cursor) {
    if (!on_cursor) return;
    try {
      on_cursor(cursor);
    } catch (...) {
    }
  }

  void thread_main() {
    thread_id.store(std::this_thread::get_id());
    {
      asio::io_context context;
      bool go = false;
      {
        std::lock_guard lock(mutex);
        go = !stop_requested;
        if (go) ioc = &context;
      }
      if (go) {
        asio::co_spawn(context, loop(), asio::detached);
        context.run();
        std::lock_guard lock(mutex);
        ioc = nullptr;
      }
    }  // the io_context goes here, and with it the abandoned connection (sockets closed)
    if (connected) {
      connected = false;
      notify(StreamEvent{StreamState::kDisconnected, Status::ok(), std::chrono::milliseconds(0)});
    }
    running.store(false);
  }

  asio::awaitable<void> loop() {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
      Status reason = co_await session();
      if (stopping()) co_return;
      // A connection that lasted was healthy: the next retry starts from the shortest delay.
      // One dropped right after its handshake (a proxy that closes upgraded connections, a
      // server turning it away) backs off like any failure, or it would be retried at the
      // shortest delay forever.
      if (connected && std::chrono::steady_clock::now() - connected_at >= kHealthyAfter) backoff.reset();
      connected = false;
      const bool give_up = is_final(reason);
      StreamEvent event{StreamState::kDisconnected, std::move(reason),
                        give_up ? std::chrono::milliseconds(0) : backoff.next()};
      notify(event);
      if (give_up) co_return;
      timer.expires_after(event.retry_in);
      co_await timer.async_wait(kAwaitable);
    }
  }

  asio::awaitable<Status> session() {
    auto executor = co_await asio::this_coro::executor;
    if (address.tls) {
      if (!tls_context) {
        auto context = make_tls_context(options.ca_file);
        if (!context) co_return context.status();
        tls_context = *context;
      }
      websocket::stream<TlsStream> ws(executor, *tls_context);
      co_return co_await session_on(ws);
    }
    websocket::stream<beast::tcp_stream> ws(executor);
    co_return co_await session_on(ws);
  }

  template <class NextLayer>
  asio::awaitable<Status> session_on(websocket::stream<NextLayer>& ws) {
    const Deadline deadline = std::chrono::steady_clock::now() + options.connect_timeout;
    Status opened;
    if constexpr (std::is_same_v<NextLayer, TlsStream>) {
      opened = co_await open_tls(ws.next_layer(), address, deadline, options.connect_timeout);
    } else {
      opened = co_await open_tcp(ws.next_layer(), address, deadline, options.connect_timeout);
    }
    if (!opened) co_return opened;

    std::string bearer;
    {
      std::lock_guard lock(mutex);
      bearer = token;
    }
    ws.set_option(websocket::stream_base::decorator(
        [bearer, agent = options.user_agent, version = std::to_string(options.protocol_version)](
            websocket::request_type& request) {
          request.set(http::field::user_agent, agent);
          request.set("X-Rapidesk-Protocol", version);
          if (!bearer.empty()) request.set(http::field::authorization, "Bearer " + bearer);
        }));
    beast::get_lowest_layer(ws).expires_at(deadline);
    websocket::response_type response;
    auto [ec] = co_await ws.async_handshake(response, address.host_header(), address.target("/api/v1/stream"),
                                            kAwaitable);
    if (ec == websocket::error::upgrade_declined) {
      co_return status_from_http_error(static_cast<int>(response.result_int()), response.body());
    }
    if (ec) co_return network_failure(address, ec, Phase::kConnect, options.connect_timeout);

    // From here the WebSocket keeps its own timers: pings after idle_timeout / 2 of
    // silence, the connection dropped when nothing comes back by idle_timeout.
    beast::get_lowest_layer(ws).expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = options.connect_timeout;
    timeouts.idle_timeout = options.idle_timeout;
    timeouts.keep_alive_pings = true;
    ws.set_option(timeouts);
    ws.read_message_max(kMaxMessageBytes);

    connected = true;
    connected_at = std::chrono::steady_clock::now();
    notify(StreamEvent{StreamState::kConnected, Status::ok(), std::chrono::milliseconds(0)});

    beast::flat_buffer buffer;
    for (;;) {
      auto [read_error, bytes] = co_await ws.async_read(buffer, kAwaitable);
      if (read_error == websocket::error::closed) {
        const auto close = ws.reason();
        co_return network_failure(address, format_text(Text{"the server closed the stream (code {})",
                                                            "服务器关闭了推送连接（代码 {}）"},
                                                       {same_text(std::to_string(close.code))}));
      }
      if (read_error) co_return network_failure(address, read_error, Phase::kExchange, options.idle_timeout);
      if (auto cursor = cursor_of(beast::buffers_to_string(buffer.data()))) notify_cursor(*cursor);
      buffer.consume(buffer.size());
    }
  }
};

CursorStream::CursorStream(ServerAddress address, std::string token, CursorHandler on_cursor, StateHandler on_state)
    : CursorStream(std::move(address), std::move(token), std::move(on_cursor), std::move(on_state), Options{}) {}

CursorStream::CursorStream(ServerAddress address, std::string token, CursorHandler on_cursor, StateHandler on_state,
                           Options options)
    : impl_(std::make_unique<Impl>(std::move(address), std::move(token), std::move(on_cursor), std::move(on_state),
                                   std::move(options))) {}

CursorStream::~CursorStream() { stop(); }

void CursorStream::start() {
  std::lock_guard control(impl_->control_mutex);
  if (impl_->running.load()) return;
  if (impl_->thread.joinable()) impl_->thread.join();  // a thread that gave up or was told to stop
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stop_requested = false;
  }
  impl_->running.store(true);
  impl_->thread = std::thread([impl = impl_.get()] { impl->thread_main(); });
}

void CursorStream::stop() {
  // On the stream thread (a callback): joining itself is impossible, so only ask.
  if (std::this_thread::get_id() == impl_->thread_id.load()) {
    impl_->request_stop();
    return;
  }
  std::lock_guard control(impl_->control_mutex);
  impl_->request_stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

bool CursorStream::running() const { return impl_->running.load(); }

void CursorStream::set_token(std::string token) {
  std::lock_guard lock(impl_->mutex);
  impl_->token = std::move(token);
}

}  // namespace rapidesk::client
