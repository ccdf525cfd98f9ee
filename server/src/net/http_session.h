// One HTTP/1.1 connection: reads requests with a timeout and size limit on every read,
// hands each to the worker pool (serve_request), writes the answer, keeps the connection
// alive, and hands WebSocket upgrades on /api/v1/stream to a WsSession.
// Stream is PlainStream or TlsStream (TLS adds a handshake first and close_notify last).
// All members are used only on the connection's strand; shutdown() posts onto it.
#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "net/net_common.h"
#include "rapidesk/server/http_types.h"

namespace rapidesk::server {
struct StreamAdmission;
}

namespace rapidesk::server::net {

template <class Stream>
class HttpSession : public Connection, public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  // `group`: the peer's address group for the per-address connection count (empty: not
  // counted); see ConnectionRegistry.
  HttpSession(tcp::socket&& socket, NetContext& ctx, std::string group);
  ~HttpSession() override;

  void run();
  void shutdown() override;

 private:
  void on_handshake(beast::error_code ec, std::size_t bytes_used);
  void do_read();
  void on_first_bytes(beast::error_code ec, std::size_t bytes);
  void do_read_header();
  void on_read_header(beast::error_code ec, std::size_t bytes);
  void on_continue_sent(beast::error_code ec, std::size_t bytes);
  void do_read_body();
  void on_read_body(beast::error_code ec, std::size_t bytes);
  void on_request();
  void on_stream_admission(HttpRequest request, std::shared_ptr<StreamAdmission> admission);
  // Answers with a response the session made itself (limits, malformed HTTP) and closes.
  void reject(int status, std::string_view code, const Text& message);
  void do_write(HttpResponse response);
  void on_write(bool keep_alive, beast::error_code ec, std::size_t bytes);
  void do_close();
  void on_tls_shutdown(beast::error_code ec);
  void do_drain();
  void on_drain(beast::error_code ec, std::size_t bytes);

  HttpRequest to_plain_request(bool with_body);
  std::size_t read_body_limit() const;
  auto& tcp_layer() { return beast::get_lowest_layer(stream_); }

  NetContext& ctx_;
  asio::any_io_executor strand_;  // the connection's strand; outlives a handed-off stream_
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<http::response<http::string_body>> response_;  // alive until written
  http::response<http::empty_body> continue_;                     // "100 Continue"
  std::string remote_;
  std::string group_;
  std::uint64_t id_ = 0;
  std::chrono::steady_clock::time_point request_started_;
  unsigned request_version_ = 11;
  bool request_keep_alive_ = true;
  bool first_request_ = true;
  bool busy_ = false;            // a request is being handled or answered
  bool stopping_ = false;        // close after the current response
  bool closing_ = false;         // do_close() ran
  bool handed_off_ = false;      // stream_ now belongs to a WsSession
  bool drain_on_close_ = false;  // unread request bytes may follow: read them before closing
  std::size_t drained_ = 0;
  std::array<char, 8192> drain_buffer_{};
};

}  // namespace rapidesk::server::net
