// Shared by the connection classes (listener, http_session, ws_session): Beast aliases,
// the per-server context and fail(). Include only from src/net/*.cpp.
#pragma once

#include <atomic>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace boost::asio::ssl {
class context;
}
namespace boost::beast {
template <class NextLayer>
class ssl_stream;
}

#include "net/connection.h"

namespace rapidesk::server::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

// The two kinds of connection stream; sessions are templates over them (instantiated in
// http_session.cpp and ws_session.cpp).
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// Owned by Server::Impl; outlives every connection.
struct NetContext {
  ServerState& state;
  asio::thread_pool& workers;  // runs handlers: SQLite and password hashing stay off I/O threads
  ConnectionRegistry& connections;
  std::atomic<bool>& stopping;
  asio::ssl::context* tls = nullptr;  // non-null: every connection speaks TLS
};

// Logs a connection error unless it is a normal ending (end_of_stream, eof,
// operation_aborted, websocket closed).
void fail(ServerState& state, beast::error_code ec, std::string_view what, std::string_view remote);

}  // namespace rapidesk::server::net
