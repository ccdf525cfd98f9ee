// CursorStream: keeps a WebSocket to the server's /api/v1/stream on a background thread and
// reports each cursor the server announces, so the sync worker pulls as soon as there is
// something new instead of polling.
//
// The token goes in the Authorization header. Messages {"type":"cursor","cursor":N} call
// on_cursor(N); anything else the server sends is ignored. Beast answers the server's
// pings, and the client pings a silent server itself (Options::idle_timeout), so a dead
// link is noticed even without TCP errors.
//
// Reconnection: after a lost connection or a failed attempt, on_state(kDisconnected,
// reason, retry_in) is called and the next attempt waits retry_in (ReconnectBackoff:
// initial_backoff doubling up to max_backoff, with jitter; back to initial_backoff after
// a connection that lasted 10 s, so one dropped right after its handshake keeps backing off). Errors that retrying cannot fix end the thread instead
// (retry_in = 0, running() turns false): kUnauthorized (token expired or revoked: sign in,
// set_token(), start() again), kForbidden and kUpgradeRequired.
//
// Threading: callbacks run on the stream's own thread, one at a time; keep them short
// (post to your own queue). start(), stop(), set_token() and running() are thread-safe.
// stop() returns promptly (well under a second) whatever the thread is doing — connecting,
// in a TLS handshake, blocked reading, waiting to retry — except a DNS lookup of a host
// name, which the system resolver finishes first. After stop() returns no callback runs;
// if the stream was connected, on_state(kDisconnected, ok) is the last call. stop() from
// inside a callback only asks the thread to end (the next stop() or the destructor joins).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "rapidesk/client/server_address.h"
#include "rapidesk/shared/status.h"
#include "rapidesk/sync/protocol.h"

namespace rapidesk::client {

enum class StreamState { kConnected, kDisconnected };

struct StreamEvent {
  StreamState state = StreamState::kDisconnected;
  Status reason;                          // why it disconnected; ok when stopped by its owner
  std::chrono::milliseconds retry_in{0};  // next attempt after this long; 0: no further attempt
};

class CursorStream {
 public:
  using CursorHandler = std::function<void(std::uint64_t cursor)>;
  using StateHandler = std::function<void(const StreamEvent& event)>;

  struct Options {
    // Name lookup + TCP + TLS + WebSocket handshake.
    std::chrono::milliseconds connect_timeout{5'000};
    // With no traffic for half of this the client pings; no answer by the end: reconnect.
    std::chrono::milliseconds idle_timeout{60'000};
    std::chrono::milliseconds initial_backoff{500};
    std::chrono::milliseconds max_backoff{30'000};
    std::string ca_file;       // as HttpOptions::ca_file
    int protocol_version = sync::kProtocolVersion;  // as HttpOptions::protocol_version
    std::string user_agent = "rapidesk-client/0.1";
  };

  CursorStream(ServerAddress address, std::string token, CursorHandler on_cursor, StateHandler on_state);
  CursorStream(ServerAddress address, std::string token, CursorHandler on_cursor, StateHandler on_state,
               Options options);
  ~CursorStream();  // stop()
  CursorStream(const CursorStream&) = delete;
  CursorStream& operator=(const CursorStream&) = delete;

  // Starts the thread; no-op while it runs.
  void start();
  // Ends the connection and the thread; see the contract above.
  void stop();
  // False before start(), after stop(), and once the thread gave up (see above).
  bool running() const;
  // The token for the next connection attempt (the current connection keeps its own).
  void set_token(std::string token);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rapidesk::client
