#include "net/listener.h"

#include <boost/beast/ssl/ssl_stream.hpp>

#include <nlohmann/json.hpp>

#include "net/http_session.h"
#include "rapidesk/server/server_state.h"

namespace rapidesk::server::net {

Listener::Listener(asio::io_context& ioc, NetContext& ctx)
    : ioc_(ioc), ctx_(ctx), acceptor_(asio::make_strand(ioc)) {}

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
    // E.g. out of file descriptors: keep serving the connections we have.
    fail(ctx_.state, ec, "accept", "");
  } else if (ctx_.connections.size() >= static_cast<std::size_t>(ctx_.state.config.max_connections)) {
    ctx_.state.log.event("warn", "connection_refused", {{"reason", "max_connections"}});
    beast::error_code ignored;
    socket.close(ignored);
  } else {
    if (ctx_.tls != nullptr) {
      std::make_shared<HttpSession<TlsStream>>(std::move(socket), ctx_)->run();
    } else {
      std::make_shared<HttpSession<PlainStream>>(std::move(socket), ctx_)->run();
    }
  }
  do_accept();
}

}  // namespace rapidesk::server::net
