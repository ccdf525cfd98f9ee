// Accepts TCP connections and starts an HttpSession (plain or TLS) for each, on its own strand.
// Thread-safe via its strand: stop() may be called from any thread.
#pragma once

#include <memory>
#include <string>

#include "net/net_common.h"
#include "rapidesk/shared/status.h"

namespace rapidesk::server::net {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& ioc, NetContext& ctx);

  // Opens, binds and listens. kIo with the reason (address in use, permission) on failure.
  Status open(const tcp::endpoint& endpoint);
  tcp::endpoint local_endpoint() const;
  void run();
  void stop();

 private:
  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);

  asio::io_context& ioc_;
  NetContext& ctx_;
  tcp::acceptor acceptor_;
};

}  // namespace rapidesk::server::net
