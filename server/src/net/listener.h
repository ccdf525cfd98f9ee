// Accepts TCP connections and starts an HttpSession (plain or TLS) for each, on its own strand.
// Refuses (closes at once) a connection over max_connections, or over
// max_connections_per_address for its address group. When accepting fails (out of file
// descriptors), waits before trying again: the pending connection keeps the socket
// readable, and retrying at once would spin an I/O thread while nothing can be accepted.
// Thread-safe via its strand: stop() may be called from any thread.
#pragma once

#include <chrono>
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
  // Closes `socket` at once if a limit is reached; logs why.
  bool refuse_over_limit(tcp::socket& socket, const std::string& group);

  static constexpr auto kFirstRetryDelay = std::chrono::milliseconds(10);
  static constexpr auto kMaxRetryDelay = std::chrono::milliseconds(1000);

  asio::io_context& ioc_;
  NetContext& ctx_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_;                                 // the wait after a failed accept
  std::chrono::milliseconds retry_delay_ = kFirstRetryDelay;  // doubles while accepting fails
};

}  // namespace rapidesk::server::net
