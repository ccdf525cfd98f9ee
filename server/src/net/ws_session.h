// One WebSocket client of /api/v1/stream. Sends {"type":"cursor","cursor":N} on connect
// (the latest cursor) and whenever the CursorAnnouncer announces a new one; pings idle
// clients and drops those that stop answering. Outgoing messages wait in a bounded queue
// (cursor messages coalesce); a client that falls further behind is disconnected. The
// sign-in is checked again every ws_auth_recheck_s and when the token expires (on the
// worker pool, as a request would be): signed out, disabled or expired, the stream closes.
// Stream is PlainStream or TlsStream (already handshaken).
// All members are used only on the connection's strand; on_cursor() and shutdown() post.
#pragma once

#include <deque>
#include <memory>
#include <string>

#include "net/net_common.h"
#include "rapidesk/server/auth.h"
#include "rapidesk/server/cursor_announcer.h"
#include "rapidesk/server/stream_slots.h"

namespace rapidesk::server::net {

template <class Stream>
class WsSession : public Connection,
                  public CursorListener,
                  public std::enable_shared_from_this<WsSession<Stream>> {
 public:
  // Takes over the stream of the HttpSession that read the upgrade request, the user's
  // stream slot (given back when the session ends) and the peer's address group.
  WsSession(Stream&& stream, NetContext& ctx, AuthContext auth, StreamSlots::Slot slot, std::string group);
  ~WsSession() override;

  // Completes the handshake for the upgrade request the HttpSession read.
  void run(http::request<http::string_body> upgrade);
  void on_cursor(std::int64_t cursor) override;
  void shutdown() override;

 private:
  struct Outgoing {
    std::string text;
    bool is_cursor = false;
  };

  void on_accept(beast::error_code ec);
  void do_read();
  void on_read(beast::error_code ec, std::size_t bytes);
  void send_cursor(std::int64_t cursor);
  void do_write();
  void on_write(beast::error_code ec, std::size_t bytes);
  void do_close(websocket::close_code code);
  void on_close(beast::error_code ec);
  // After a failed read or write: logs it and stops everything that would go on.
  void end(beast::error_code ec, std::string_view what);
  void schedule_recheck();
  void on_recheck_due(beast::error_code ec);
  void on_rechecked(const Status& signed_in);

  NetContext& ctx_;
  websocket::stream<Stream> ws_;
  beast::flat_buffer buffer_;
  std::deque<Outgoing> queue_;  // front() is being written while writing_
  AuthContext auth_;
  StreamSlots::Slot slot_;
  std::string group_;
  asio::steady_timer recheck_;
  std::string remote_;
  std::uint64_t id_ = 0;
  bool accepted_ = false;
  bool writing_ = false;
  bool closing_ = false;
};

}  // namespace rapidesk::server::net
