// What HttpClient and CursorStream share: Asio/Beast aliases, opening a TCP or TLS
// connection within a deadline, and turning network errors into Status a person can act
// on. Include only from src/net/*.cpp (it pulls in Beast and OpenSSL).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "rapidesk/client/server_address.h"
#include "rapidesk/shared/status.h"

namespace rapidesk::client::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using Deadline = std::chrono::steady_clock::time_point;

// Completion token for coroutines that want error codes, not exceptions.
inline constexpr auto kAwaitable = asio::as_tuple(asio::use_awaitable);

// A client TLS context: TLS 1.2 or newer, peer verification on, trusting the CAs in
// `ca_file` (PEM) or, when empty, the system's default verify paths. kInvalid when the
// file cannot be loaded.
Result<std::shared_ptr<asio::ssl::context>> make_tls_context(const std::string& ca_file);

// What the client was doing when the network failed; it chooses the words.
enum class Phase { kConnect, kExchange };

// "cannot reach the server at URL: <why>" (kUnavailable), why from the error code.
Status network_failure(const ServerAddress& address, beast::error_code ec, Phase phase,
                       std::chrono::milliseconds timeout);
Status network_failure(const ServerAddress& address, const Text& why);

// Opens the TCP connection: name lookup (skipped for IP literals) and connect, both within
// the deadline. Ok, or kUnavailable saying why.
asio::awaitable<Status> open_tcp(beast::tcp_stream& stream, const ServerAddress& address, Deadline deadline,
                                 std::chrono::milliseconds timeout);

// open_tcp, then the TLS handshake with SNI and host name verification, within the same
// deadline. A certificate that does not verify gives a message naming the reason.
asio::awaitable<Status> open_tls(TlsStream& stream, const ServerAddress& address, Deadline deadline,
                                 std::chrono::milliseconds timeout);

}  // namespace rapidesk::client::net
