// The network server: a listener, HTTP and WebSocket sessions on a fixed pool of I/O
// threads, handlers on a separate worker pool. Beast stays behind this interface.
#pragma once

#include <memory>
#include <string>

#include "rapidesk/shared/status.h"

namespace rapidesk::server {

struct ServerState;

class Server {
 public:
  // `state` must outlive the server.
  explicit Server(ServerState& state);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens on config.listen_host:listen_port. Returns "HOST:PORT" actually bound
  // (the port resolved when 0 was asked for).
  Result<std::string> start();
  // Serves until stop() or, when `handle_signals`, SIGINT/SIGTERM; then stops accepting,
  // lets in-flight requests finish (at most config.shutdown_grace_s) and returns.
  // REQUIRES: start() succeeded.
  void run(bool handle_signals);
  // Begins the graceful stop. Thread-safe; idempotent.
  void stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rapidesk::server
