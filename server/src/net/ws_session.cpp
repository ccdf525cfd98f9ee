#include "net/ws_session.h"

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <nlohmann/json.hpp>

#include "rapidesk/server/protocol.h"
#include "rapidesk/server/server_state.h"

namespace rapidesk::server::net {

namespace {
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
constexpr auto kCloseTimeout = std::chrono::seconds(2);
constexpr std::size_t kMaxIncomingMessage = 4096;  // clients have nothing large to say

std::string cursor_message(std::int64_t cursor) {
  return nlohmann::json{{"type", "cursor"}, {"cursor", cursor}}.dump();
}
}  // namespace

template <class Stream>
WsSession<Stream>::WsSession(Stream&& stream, NetContext& ctx, AuthContext auth, StreamSlots::Slot slot,
                             std::string group)
    : ctx_(ctx),
      ws_(std::move(stream)),
      auth_(std::move(auth)),
      slot_(std::move(slot)),
      group_(std::move(group)),
      recheck_(ws_.get_executor()) {
  beast::error_code ec;
  const auto endpoint = beast::get_lowest_layer(ws_).socket().remote_endpoint(ec);
  if (!ec) remote_ = endpoint.address().to_string();
}

template <class Stream>
WsSession<Stream>::~WsSession() {
  if (accepted_) ctx_.state.metrics.ws_client_disconnected();
  if (id_ != 0) ctx_.connections.remove(id_);
}

template <class Stream>
void WsSession<Stream>::run(http::request<http::string_body> upgrade) {
  id_ = ctx_.connections.add(this->weak_from_this(), group_);
  // The websocket stream keeps its own timeouts; the TCP-level one would cut idle clients.
  beast::get_lowest_layer(ws_).expires_never();
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = kHandshakeTimeout;
  // Pings go out after half the idle time without traffic; no answer by the end: dropped.
  timeouts.idle_timeout = std::chrono::seconds(ctx_.state.config.ws_idle_timeout_s);
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(http::field::server, "rapidesk-server/" + std::string(server_version()));
    res.set("X-Rapidesk-Protocol", std::to_string(kProtocolVersion));
  }));
  ws_.read_message_max(kMaxIncomingMessage);
  ws_.async_accept(upgrade, beast::bind_front_handler(&WsSession::on_accept, this->shared_from_this()));
}

template <class Stream>
void WsSession<Stream>::on_accept(beast::error_code ec) {
  if (ec) return fail(ctx_.state, ec, "websocket accept", remote_);
  accepted_ = true;
  ctx_.state.metrics.ws_client_connected();
  if (ctx_.stopping.load()) return do_close(websocket::close_code::going_away);
  // Subscribe first, then send the latest cursor: an announcement in between is only
  // ever a newer cursor, so the client never misses one.
  ctx_.state.announcer.subscribe(this->weak_from_this());
  send_cursor(ctx_.state.announcer.latest());
  schedule_recheck();
  do_read();
}

template <class Stream>
void WsSession<Stream>::end(beast::error_code ec, std::string_view what) {
  // The client is gone: nothing else may keep the session alive (the sign-in checks hold a
  // reference, and would keep a dead stream registered until its token expired).
  closing_ = true;
  recheck_.cancel();
  fail(ctx_.state, ec, what, remote_);
}

template <class Stream>
void WsSession<Stream>::schedule_recheck() {
  const Instant now = ctx_.state.clock();
  const auto every = std::chrono::milliseconds(std::int64_t{ctx_.state.config.ws_auth_recheck_s} * 1000);
  // At the expiry itself if it comes first (and at least a moment from now).
  const auto until_expiry = std::chrono::milliseconds(std::max<Instant>(auth_.expires_at - now, 1));
  recheck_.expires_after(std::min<std::chrono::milliseconds>(every, until_expiry));
  recheck_.async_wait(beast::bind_front_handler(&WsSession::on_recheck_due, this->shared_from_this()));
}

template <class Stream>
void WsSession<Stream>::on_recheck_due(beast::error_code ec) {
  if (ec || closing_) return;
  // Storage is read on the worker pool, as for any request; the answer comes back here.
  asio::post(ctx_.workers, [self = this->shared_from_this()] {
    Status signed_in = still_signed_in(self->auth_, self->ctx_.state);
    asio::post(self->ws_.get_executor(), [self, signed_in = std::move(signed_in)] { self->on_rechecked(signed_in); });
  });
}

template <class Stream>
void WsSession<Stream>::on_rechecked(const Status& signed_in) {
  if (closing_) return;
  if (signed_in.code() == ErrorCode::kUnauthorized) {
    ctx_.state.log.event("info", "ws_signed_out",
                         {{"user", auth_.user}, {"remote", remote_}, {"reason", signed_in.message().en}});
    return do_close(websocket::close_code::policy_error);
  }
  // Storage failing says nothing about the sign-in: keep the stream, ask again later.
  schedule_recheck();
}

template <class Stream>
void WsSession<Stream>::do_read() {
  ws_.async_read(buffer_, beast::bind_front_handler(&WsSession::on_read, this->shared_from_this()));
}

template <class Stream>
void WsSession<Stream>::on_read(beast::error_code ec, std::size_t) {
  if (ec) return end(ec, "websocket read");
  // Clients have nothing to tell the server over the stream yet; discard.
  buffer_.consume(buffer_.size());
  do_read();
}

template <class Stream>
void WsSession<Stream>::on_cursor(std::int64_t cursor) {
  asio::post(ws_.get_executor(), [self = this->shared_from_this(), cursor] { self->send_cursor(cursor); });
}

template <class Stream>
void WsSession<Stream>::send_cursor(std::int64_t cursor) {
  if (!accepted_ || closing_) return;
  // A cursor still waiting to be written is stale: replace it instead of queueing.
  if (!queue_.empty() && queue_.back().is_cursor && !(writing_ && queue_.size() == 1)) {
    queue_.back().text = cursor_message(cursor);
    return;
  }
  if (queue_.size() >= ctx_.state.config.ws_max_queue) {
    ctx_.state.log.event("warn", "ws_client_too_slow", {{"user", auth_.user}, {"remote", remote_}});
    return do_close(websocket::close_code::policy_error);
  }
  queue_.push_back(Outgoing{cursor_message(cursor), true});
  if (!writing_) do_write();
}

template <class Stream>
void WsSession<Stream>::do_write() {
  writing_ = true;
  ws_.text(true);
  ws_.async_write(asio::buffer(queue_.front().text),
                  beast::bind_front_handler(&WsSession::on_write, this->shared_from_this()));
}

template <class Stream>
void WsSession<Stream>::on_write(beast::error_code ec, std::size_t) {
  writing_ = false;
  if (ec) return end(ec, "websocket write");
  queue_.pop_front();
  if (!queue_.empty() && !closing_) do_write();
}

template <class Stream>
void WsSession<Stream>::shutdown() {
  asio::post(ws_.get_executor(),
             [self = this->shared_from_this()] { self->do_close(websocket::close_code::going_away); });
}

template <class Stream>
void WsSession<Stream>::do_close(websocket::close_code code) {
  if (closing_) return;
  closing_ = true;
  recheck_.cancel();
  if (!accepted_) {
    beast::get_lowest_layer(ws_).close();
    return;
  }
  // Bound the close handshake tightly: at shutdown a client that never answers must not
  // hold the server up for the full handshake timeout.
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = kCloseTimeout;
  timeouts.idle_timeout = std::chrono::seconds(ctx_.state.config.ws_idle_timeout_s);
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  ws_.async_close(code, beast::bind_front_handler(&WsSession::on_close, this->shared_from_this()));
}

template <class Stream>
void WsSession<Stream>::on_close(beast::error_code ec) {
  if (ec) fail(ctx_.state, ec, "websocket close", remote_);
}

}  // namespace rapidesk::server::net

namespace rapidesk::server::net {
template class WsSession<PlainStream>;
template class WsSession<TlsStream>;
}  // namespace rapidesk::server::net
