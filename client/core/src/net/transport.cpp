#include "net/transport.h"

#include <cstdio>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/error.hpp>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

namespace rapidesk::client::net {

namespace {

Text seconds_text(std::chrono::milliseconds timeout) {
  char buf[32];
  if (timeout.count() % 1000 == 0) {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(timeout.count() / 1000));
  } else {
    std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(timeout.count()) / 1000.0);
  }
  return same_text(buf);
}

bool is_ip_literal(const std::string& host) {
  beast::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

Text describe(beast::error_code ec, Phase phase, std::chrono::milliseconds timeout, const ServerAddress& address) {
  namespace error = asio::error;
  if (ec == beast::error::timeout) {
    return phase == Phase::kConnect
               ? format_text(Text{"no connection within {} s", "{} 秒内未能建立连接"}, {seconds_text(timeout)})
               : format_text(Text{"no answer within {} s", "{} 秒内没有应答"}, {seconds_text(timeout)});
  }
  if (ec == error::operation_aborted) return Text{"cancelled", "已取消"};
  if (ec == error::connection_refused) {
    return Text{"connection refused (is the server running, and is the port right?)",
                "连接被拒绝（服务器是否在运行？端口是否正确？）"};
  }
  if (ec == error::host_not_found || ec == error::host_not_found_try_again || ec == error::no_data ||
      ec == error::no_recovery) {
    return format_text(Text{"the host name \"{}\" could not be found", "找不到主机名“{}”"},
                       {same_text(address.host)});
  }
  if (ec == error::network_unreachable || ec == error::host_unreachable || ec == error::network_down) {
    return Text{"the network or the host is unreachable", "网络或主机不可达"};
  }
  if (ec == error::eof || ec == error::connection_reset || ec == error::connection_aborted ||
      ec == error::broken_pipe || ec == beast::http::error::end_of_stream || ec == asio::ssl::error::stream_truncated ||
      ec == beast::websocket::error::closed) {
    return Text{"the connection was closed", "连接已断开"};
  }
  if (ec.category() == beast::http::make_error_code(beast::http::error::bad_version).category()) {  // HTTP parse errors
    return Text{"the answer is not valid HTTP (is the address right?)", "应答不是有效的 HTTP（地址是否正确？）"};
  }
  const std::string what = ec.message();
  return Text{"network error: " + what, "网络错误：" + what};
}

}  // namespace

Result<std::shared_ptr<asio::ssl::context>> make_tls_context(const std::string& ca_file) {
  std::shared_ptr<asio::ssl::context> ctx;
  try {
    ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  } catch (const std::exception& e) {
    return Status::io(format_text(Text{"TLS is not available: {}", "TLS 不可用：{}"}, {same_text(e.what())}));
  }
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  ctx->set_verify_mode(asio::ssl::verify_peer);
  beast::error_code ec;
  if (ca_file.empty()) {
    ctx->set_default_verify_paths(ec);
  } else {
    ctx->load_verify_file(ca_file, ec);
  }
  if (ec) {
    return Status::invalid(format_text(Text{"cannot load the trusted certificates from \"{}\": {}",
                                            "无法从“{}”加载受信任的证书：{}"},
                                       {same_text(ca_file.empty() ? "(system)" : ca_file), same_text(ec.message())}),
                           "ca_file");
  }
  return ctx;
}

Status network_failure(const ServerAddress& address, const Text& why) {
  return Status(ErrorCode::kUnavailable,
                format_text(Text{"cannot reach the server at {}: {}", "无法连接服务器 {}：{}"},
                            {same_text(address.url()), why}));
}

Status network_failure(const ServerAddress& address, beast::error_code ec, Phase phase,
                       std::chrono::milliseconds timeout) {
  return network_failure(address, describe(ec, phase, timeout, address));
}

asio::awaitable<Status> open_tcp(beast::tcp_stream& stream, const ServerAddress& address, Deadline deadline,
                                 std::chrono::milliseconds timeout) {
  auto executor = co_await asio::this_coro::executor;
  const std::string port = std::to_string(address.port);
  tcp::resolver::results_type endpoints;
  if (is_ip_literal(address.host)) {
    endpoints = tcp::resolver::results_type::create(tcp::endpoint(asio::ip::make_address(address.host), address.port),
                                                    address.host, port);
  } else {
    // Asio resolvers have no per-operation cancellation: a timer cancels the whole
    // resolver. Both live in shared state, so a late timer never touches freed memory.
    auto resolver = std::make_shared<tcp::resolver>(executor);
    auto timer = std::make_shared<asio::steady_timer>(executor, deadline);
    auto timed_out = std::make_shared<bool>(false);
    timer->async_wait([resolver, timed_out](beast::error_code ec) {
      if (!ec) {
        *timed_out = true;
        resolver->cancel();
      }
    });
    auto [ec, results] = co_await resolver->async_resolve(address.host, port, kAwaitable);
    timer->cancel();
    if (*timed_out) ec = beast::error::timeout;
    if (ec) co_return network_failure(address, ec, Phase::kConnect, timeout);
    endpoints = std::move(results);
  }
  stream.expires_at(deadline);
  auto [ec, endpoint] = co_await stream.async_connect(endpoints, kAwaitable);
  if (ec) co_return network_failure(address, ec, Phase::kConnect, timeout);
  stream.socket().set_option(tcp::no_delay(true), ec);  // small JSON requests: no Nagle delay
  co_return Status::ok();
}

asio::awaitable<Status> open_tls(TlsStream& stream, const ServerAddress& address, Deadline deadline,
                                 std::chrono::milliseconds timeout) {
  if (Status s = co_await open_tcp(beast::get_lowest_layer(stream), address, deadline, timeout); !s) co_return s;
  // SNI carries names only, never IP literals (RFC 6066 3).
  if (!is_ip_literal(address.host)) SSL_set_tlsext_host_name(stream.native_handle(), address.host.c_str());
  auto wrong_host = std::make_shared<bool>(false);
  beast::error_code ec;
  stream.set_verify_callback(
      [check = asio::ssl::host_name_verification(address.host), wrong_host](bool preverified,
                                                                          asio::ssl::verify_context& ctx) mutable {
        const bool ok = check(preverified, ctx);
        if (preverified && !ok) *wrong_host = true;
        return ok;
      },
      ec);
  beast::get_lowest_layer(stream).expires_at(deadline);
  std::tie(ec) = co_await stream.async_handshake(asio::ssl::stream_base::client, kAwaitable);
  if (!ec) co_return Status::ok();
  if (*wrong_host) {
    co_return network_failure(address, format_text(Text{"its TLS certificate is not valid for \"{}\"",
                                                        "其 TLS 证书不适用于“{}”"},
                                                   {same_text(address.host)}));
  }
  const long verify = SSL_get_verify_result(stream.native_handle());
  if (verify != X509_V_OK) {
    co_return network_failure(address, format_text(Text{"its TLS certificate cannot be trusted ({})",
                                                        "其 TLS 证书不受信任（{}）"},
                                                   {same_text(X509_verify_cert_error_string(verify))}));
  }
  if (ec == beast::error::timeout || ec == asio::error::operation_aborted) {
    co_return network_failure(address, ec, Phase::kConnect, timeout);
  }
  co_return network_failure(address, format_text(Text{"the TLS handshake failed ({}); is it an https server?",
                                                      "TLS 握手失败（{}）；对方是 https 服务器吗？"},
                                                 {same_text(ec.message())}));
}

}  // namespace rapidesk::client::net
