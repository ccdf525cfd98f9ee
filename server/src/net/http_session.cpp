#include "net/http_session.h"

#include <algorithm>

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>

#include <nlohmann/json.hpp>

#include "net/ws_session.h"
#include "rapidesk/server/forwarded.h"
#include "rapidesk/server/handlers.h"
#include "rapidesk/server/protocol.h"
#include "rapidesk/server/server_state.h"

namespace rapidesk::server::net {

template <class Stream>
constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

namespace {
constexpr std::size_t kMaxDrainBytes = 64u << 20;  // give up on clients that keep sending
constexpr auto kDrainTimeout = std::chrono::seconds(2);
// Beast reads at most the buffer's free room at a time, and the parser takes each read's
// bytes straight out of it, so the buffer stays at the 4 KiB do_read() first asks for: a
// large push came in 4 KiB reads, each with its own timer. A large body gets room for
// Beast's largest read (64 KiB); the room is given back once the body is in, so idle
// kept-alive connections hold little.
constexpr std::size_t kBodyReadRoomBytes = 64 * 1024;

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}
// Builds the connection's stream: plain TCP, or TLS over it with the server's context.
template <class Stream>
Stream make_stream(tcp::socket&& socket, NetContext& ctx) {
  if constexpr (kIsTls<Stream>) {
    return Stream(std::move(socket), *ctx.tls);
  } else {
    return Stream(std::move(socket));
  }
}

}  // namespace

void fail(ServerState& state, beast::error_code ec, std::string_view what, std::string_view remote) {
  if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::operation_aborted ||
      ec == websocket::error::closed) {
    return;
  }
  state.log.event("info", "connection_error",
                  {{"during", what}, {"error", ec.message()}, {"remote", remote}});
}

template <class Stream>
HttpSession<Stream>::HttpSession(tcp::socket&& socket, NetContext& ctx, std::string group)
    : ctx_(ctx),
      strand_(socket.get_executor()),
      stream_(make_stream<Stream>(std::move(socket), ctx)),
      group_(std::move(group)) {
  beast::error_code ec;
  const auto endpoint = tcp_layer().socket().remote_endpoint(ec);
  if (!ec) remote_ = endpoint.address().to_string();
}

template <class Stream>
HttpSession<Stream>::~HttpSession() {
  if (id_ != 0) ctx_.connections.remove(id_);
}

template <class Stream>
void HttpSession<Stream>::run() {
  id_ = ctx_.connections.add(this->weak_from_this(), group_);
  if constexpr (kIsTls<Stream>) {
    // The TLS handshake counts as the start of the first request.
    tcp_layer().expires_after(std::chrono::seconds(ctx_.state.config.header_timeout_s));
    stream_.async_handshake(asio::ssl::stream_base::server, buffer_.data(),
                            beast::bind_front_handler(&HttpSession::on_handshake, this->shared_from_this()));
  } else {
    asio::dispatch(strand_, beast::bind_front_handler(&HttpSession::do_read, this->shared_from_this()));
  }
}

template <class Stream>
void HttpSession<Stream>::on_handshake(beast::error_code ec, std::size_t bytes_used) {
  if (ec) {
    if (ec != asio::error::operation_aborted) {
      ctx_.state.log.event("info", "tls_handshake_failed", {{"error", ec.message()}, {"remote", remote_}});
    }
    return tcp_layer().close();
  }
  buffer_.consume(bytes_used);
  do_read();
}

template <class Stream>
void HttpSession<Stream>::shutdown() {
  asio::post(strand_, [self = this->shared_from_this()] {
    if (self->handed_off_) return;
    self->stopping_ = true;
    // Idle (or still receiving a request): close now, without a TLS goodbye, since a read
    // is pending. Busy: close after the response.
    if (!self->busy_ && !self->closing_) {
      self->closing_ = true;
      self->tcp_layer().cancel();
      self->tcp_layer().close();
    }
  });
}

// The largest body any route takes; handle_request() applies the matched route's own limit.
template <class Stream>
std::size_t HttpSession<Stream>::read_body_limit() const {
  return std::max(ctx_.state.config.max_body_bytes, ctx_.state.router.largest_body_allowance());
}

template <class Stream>
void HttpSession<Stream>::do_read() {
  if (stopping_ || ctx_.stopping.load()) return do_close();
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(ctx_.state.config.max_header_bytes));
  parser_->body_limit(read_body_limit());
  if (buffer_.size() > 0) return do_read_header();  // pipelined bytes already here
  // Wait for the first byte: a new connection gets the header timeout, a kept-alive one
  // the idle timeout. The header deadline starts once the request begins.
  const int wait_s = first_request_ ? ctx_.state.config.header_timeout_s : ctx_.state.config.idle_timeout_s;
  tcp_layer().expires_after(std::chrono::seconds(wait_s));
  stream_.async_read_some(buffer_.prepare(4096),
                          beast::bind_front_handler(&HttpSession::on_first_bytes, this->shared_from_this()));
}

template <class Stream>
void HttpSession<Stream>::on_first_bytes(beast::error_code ec, std::size_t bytes) {
  if (ec == beast::error::timeout) return do_close();  // idle: a normal ending
  if (ec) return fail(ctx_.state, ec, "read", remote_);
  buffer_.commit(bytes);
  do_read_header();
}

template <class Stream>
void HttpSession<Stream>::do_read_header() {
  request_started_ = std::chrono::steady_clock::now();
  // One deadline for the whole header: a client trickling bytes cannot hold it open.
  tcp_layer().expires_after(std::chrono::seconds(ctx_.state.config.header_timeout_s));
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&HttpSession::on_read_header, this->shared_from_this()));
}

template <class Stream>
void HttpSession<Stream>::on_read_header(beast::error_code ec, std::size_t) {
  first_request_ = false;
  if (ec == http::error::header_limit) {
    return reject(413, "too_large",
                  format_text(Text{"the request headers are larger than the limit of {} bytes",
                                   "请求头超过 {} 字节的上限"},
                              {same_text(std::to_string(ctx_.state.config.max_header_bytes))}));
  }
  if (ec == http::error::body_limit) {
    return reject(413, "too_large",
                  format_text(Text{"the request body is larger than the limit of {} bytes", "请求体超过 {} 字节的上限"},
                              {same_text(std::to_string(read_body_limit()))}));
  }
  if (ec == beast::error::timeout) {
    ctx_.state.log.event("info", "header_timeout", {{"remote", remote_}});
    return do_close();
  }
  if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::operation_aborted) {
    return do_close();
  }
  if (ec) {
    // Unparsable HTTP: say so once, then close (the stream cannot be re-synchronised).
    return reject(400, "invalid", Text{"the request is not valid HTTP/1.1", "请求不是有效的 HTTP/1.1"});
  }
  const auto& header = parser_->get();
  const auto expect = header[http::field::expect];
  if (!parser_->is_done() && lower(expect) == "100-continue") {
    continue_ = http::response<http::empty_body>(http::status::continue_, header.version());
    tcp_layer().expires_after(std::chrono::seconds(ctx_.state.config.write_timeout_s));
    return http::async_write(stream_, continue_,
                             beast::bind_front_handler(&HttpSession::on_continue_sent, this->shared_from_this()));
  }
  do_read_body();
}

template <class Stream>
void HttpSession<Stream>::on_continue_sent(beast::error_code ec, std::size_t) {
  if (ec) return fail(ctx_.state, ec, "write", remote_);
  do_read_body();
}

template <class Stream>
void HttpSession<Stream>::do_read_body() {
  if (parser_->is_done()) return on_request();
  tcp_layer().expires_after(std::chrono::seconds(ctx_.state.config.body_timeout_s));
  if (const auto length = parser_->content_length(); length && *length > buffer_.capacity()) {
    buffer_.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(*length, kBodyReadRoomBytes)));
  }
  http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::on_read_body, this->shared_from_this()));
}

template <class Stream>
void HttpSession<Stream>::on_read_body(beast::error_code ec, std::size_t) {
  if (ec == http::error::body_limit) {
    return reject(413, "too_large",
                  format_text(Text{"the request body is larger than the limit of {} bytes", "请求体超过 {} 字节的上限"},
                              {same_text(std::to_string(read_body_limit()))}));
  }
  if (ec == beast::error::timeout) {
    ctx_.state.log.event("info", "body_timeout", {{"remote", remote_}});
    return do_close();
  }
  if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::operation_aborted) {
    return do_close();
  }
  if (ec) return reject(400, "invalid", Text{"the request is not valid HTTP/1.1", "请求不是有效的 HTTP/1.1"});
  if (buffer_.capacity() > kBodyReadRoomBytes / 4) buffer_.shrink_to_fit();  // keeps pipelined bytes
  on_request();
}

template <class Stream>
HttpRequest HttpSession<Stream>::to_plain_request(bool with_body) {
  auto& message = parser_->get();
  HttpRequest request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  for (const auto& field : message) request.headers[lower(field.name_string())] = std::string(field.value());
  if (with_body) request.body = std::move(message.body());
  const auto forwarded = request.headers.find("x-forwarded-for");
  request.remote_address = forwarded == request.headers.end()
                               ? remote_
                               : client_address(remote_, forwarded->second, ctx_.state.config.trusted_proxies);
  return request;
}

template <class Stream>
void HttpSession<Stream>::on_request() {
  busy_ = true;
  tcp_layer().expires_never();  // the handler may take a while (password hashing); no read is pending
  request_version_ = parser_->get().version();
  request_keep_alive_ = parser_->get().keep_alive();
  const bool upgrade = websocket::is_upgrade(parser_->get());
  HttpRequest request = to_plain_request(!upgrade);
  // Handlers touch SQLite and hash passwords: run them on the worker pool, and keep the
  // io_context alive (tracked work) until the answer is back on this strand.
  auto home = asio::prefer(strand_, asio::execution::outstanding_work.tracked);
  if (upgrade) {
    asio::post(ctx_.workers, [self = this->shared_from_this(), home, request = std::move(request)]() mutable {
      auto admission = std::make_shared<StreamAdmission>(admit_stream(request, self->ctx_.state));
      asio::post(home, [self, admission, request = std::move(request)]() mutable {
        self->on_stream_admission(std::move(request), std::move(admission));
      });
    });
    return;
  }
  asio::post(ctx_.workers, [self = this->shared_from_this(), home, request = std::move(request)]() mutable {
    HttpResponse response = serve_request(std::move(request), self->ctx_.state);
    asio::post(home, [self, response = std::move(response)]() mutable { self->do_write(std::move(response)); });
  });
}

template <class Stream>
void HttpSession<Stream>::on_stream_admission(HttpRequest request, std::shared_ptr<StreamAdmission> admission_ptr) {
  StreamAdmission& admission = *admission_ptr;
  const bool accepted = admission.accepted;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - request_started_).count();
  if (!accepted || stopping_ || ctx_.stopping.load()) {
    HttpResponse refusal = std::move(admission.refusal);
    if (accepted) {
      refusal = error_response(503, "unavailable", Text{"the server is shutting down", "服务器正在关闭"});
    }
    refusal.close = true;
    record_response(request, refusal, seconds, ctx_.state);
    return do_write(std::move(refusal));
  }
  HttpResponse switching;
  switching.status = 101;
  switching.route = std::string(kStreamPath);
  switching.user = admission.auth.user;
  record_response(request, switching, seconds, ctx_.state);
  // The WebSocket session takes the socket (and its strand); this session ends here.
  handed_off_ = true;
  ctx_.connections.remove(id_);
  id_ = 0;
  std::make_shared<WsSession<Stream>>(std::move(stream_), ctx_, std::move(admission.auth), std::move(*admission.slot),
                                     group_)
      ->run(parser_->release());
}

template <class Stream>
void HttpSession<Stream>::reject(int status, std::string_view code, const Text& message) {
  busy_ = true;
  drain_on_close_ = true;
  HttpRequest request;
  if (parser_ && parser_->is_header_done()) {
    request.method = std::string(parser_->get().method_string());
    request.target = std::string(parser_->get().target());
    request_version_ = parser_->get().version();
  }
  request.remote_address = remote_;
  HttpResponse response = error_response(status, code, message);
  response.close = true;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - request_started_).count();
  record_response(request, response, seconds, ctx_.state);
  do_write(std::move(response));
}

template <class Stream>
void HttpSession<Stream>::do_write(HttpResponse response) {
  const bool keep_alive = request_keep_alive_ && !response.close && !stopping_ && !ctx_.stopping.load();
  response_ = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(response.status),
                                                                   request_version_);
  auto& res = *response_;
  res.set(http::field::server, "rapidesk-server/" + std::string(server_version()));
  res.set(http::field::content_type, response.content_type);
  res.set("X-Rapidesk-Protocol", std::to_string(kProtocolVersion));
  for (const auto& [name, value] : response.headers) res.set(name, value);
  res.body() = std::move(response.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  tcp_layer().expires_after(std::chrono::seconds(ctx_.state.config.write_timeout_s));
  http::async_write(stream_, res,
                    beast::bind_front_handler(&HttpSession::on_write, this->shared_from_this(), keep_alive));
}

template <class Stream>
void HttpSession<Stream>::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
  busy_ = false;
  response_.reset();
  if (ec) return fail(ctx_.state, ec, "write", remote_);
  if (!keep_alive) return do_close();
  do_read();
}

template <class Stream>
void HttpSession<Stream>::do_close() {
  if (closing_) {
    tcp_layer().close();
    return;
  }
  closing_ = true;
  if constexpr (kIsTls<Stream>) {
    // Say goodbye with close_notify (bounded), then close the socket.
    tcp_layer().expires_after(kDrainTimeout);
    return stream_.async_shutdown(beast::bind_front_handler(&HttpSession::on_tls_shutdown, this->shared_from_this()));
  }
  beast::error_code ec;
  tcp_layer().socket().shutdown(tcp::socket::shutdown_send, ec);
  if (drain_on_close_ && !ec) {
    // The client may still be sending the body we refused. Closing with unread data
    // would reset the connection and could destroy our answer before the client reads
    // it, so read and discard for a little while first.
    drain_on_close_ = false;
    tcp_layer().expires_after(kDrainTimeout);
    return do_drain();
  }
  tcp_layer().cancel();
  tcp_layer().close();
}

template <class Stream>
void HttpSession<Stream>::on_tls_shutdown(beast::error_code) {
  tcp_layer().close();
}

template <class Stream>
void HttpSession<Stream>::do_drain() {
  stream_.async_read_some(asio::buffer(drain_buffer_),
                          beast::bind_front_handler(&HttpSession::on_drain, this->shared_from_this()));
}

template <class Stream>
void HttpSession<Stream>::on_drain(beast::error_code ec, std::size_t bytes) {
  drained_ += bytes;
  if (ec || drained_ > kMaxDrainBytes) {
    tcp_layer().close();
    return;
  }
  do_drain();
}

}  // namespace rapidesk::server::net

namespace rapidesk::server::net {
template class HttpSession<PlainStream>;
template class HttpSession<TlsStream>;
}  // namespace rapidesk::server::net
