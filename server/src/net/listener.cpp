#include "net/listener.h"

#include <boost/beast/ssl/ssl_stream.hpp>

#include <nlohmann/json.hpp>

#include "net/http_session.h"
#include "rapidesk/server/forwarded.h"
#include "rapidesk/server/server_state.h"

namespace rapidesk::server::net {

Listener::Listener(asio::io_context& ioc, NetContext& ctx)
    : ioc_(ioc), ctx_(ctx), acceptor_(asio::make_strand(ioc)), retry_(acceptor_.get_executor()) {}

Status Listener::open(const tcp::endpoint& endpoint) {
  beast::error_code ec;
  auto failed = [&](std::string_view step) {
    return Status::io(format_text(Text{"cannot listen on {} ({}): {}", "无法监听 {}（{}）：{}"},
                                  {same_text(endpoint.address().to_string() + ":" + std::to_string(endpoint.port())),
                                   same_text(step), same_text(ec.message())}));
  };
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return failed("open");
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return failed("set_option");
  acceptor_.bind(endpoint, ec);
  if (ec) return failed("bind");
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return failed("listen");
  return Status::ok();
}

tcp::endpoint Listener::local_endpoint() const {
  beast::error_code ec;
  return acceptor_.local_endpoint(ec);
}

void Listener::run() { asio::dispatch(acceptor_.get_executor(), beast::bind_front_handler(&Listener::do_accept, shared_from_this())); }

void Listener::stop() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    beast::error_code ignored;
    self->acceptor_.close(ignored);
    self->retry_.cancel();
  });
}

void Listener::do_accept() {
  if (!acceptor_.is_open()) return;
  // Each connection gets its own strand, so its handlers never run concurrently.
  acceptor_.async_accept(asio::make_strand(ioc_), beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || ctx_.stopping.load()) return;
  if (ec) {
    // E.g. out of file descriptors: keep serving the connections we have, and try again
    // once some may have closed.
    fail(ctx_.state, ec, "accept", "");
    retry_.expires_after(retry_delay_);
    retry_delay_ = std::min(retry_delay_ * 2, std::chrono::milliseconds(kMaxRetryDelay));
    retry_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (!wait_ec) self->do_accept();
    });
    return;
  }
  retry_delay_ = kFirstRetryDelay;
  beast::error_code peer_ec;
  const auto peer = socket.remote_endpoint(peer_ec);
  const std::string address = peer_ec ? std::string() : peer.address().to_string();
  // A trusted proxy carries many clients: its connections are not counted per address.
  const std::string group = address.empty() || is_trusted_proxy(address, ctx_.state.config.trusted_proxies)
                                ? std::string()
                                : address_group(address);
  if (!refuse_over_limit(socket, group)) {
    if (ctx_.tls != nullptr) {
      std::make_shared<HttpSession<TlsStream>>(std::move(socket), ctx_, group)->run();
    } else {
      std::make_shared<HttpSession<PlainStream>>(std::move(socket), ctx_, group)->run();
    }
  }
  do_accept();
}

bool Listener::refuse_over_limit(tcp::socket& socket, const std::string& group) {
  const auto& config = ctx_.state.config;
  const char* reason = nullptr;
  if (ctx_.connections.size() >= static_cast<std::size_t>(config.max_connections)) {
    reason = "max_connections";
  } else if (config.max_connections_per_address > 0 && !group.empty() &&
             ctx_.connections.count_in(group) >= static_cast<std::size_t>(config.max_connections_per_address)) {
    reason = "max_connections_per_address";
  }
  if (reason == nullptr) return false;
  nlohmann::json fields = {{"reason", reason}};
  if (!group.empty()) fields["remote"] = group;
  ctx_.state.log.event("warn", "connection_refused", fields);
  beast::error_code ignored;
  socket.close(ignored);
  return true;
}

}  // namespace rapidesk::server::net
