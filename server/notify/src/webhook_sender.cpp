#include "rapidesk/notify/webhook_sender.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace rapidesk::notify {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// The operations are asynchronous because only those honour the stream's deadline: blocking
// Beast calls ignore expires_after, and one receiver that accepted and never answered held
// the sender's only thread, every later delivery, and the server's shutdown.
template <typename Stream>
asio::awaitable<int> exchange(Stream& stream, const WebhookUrl& url, const std::string& body) {
  http::request<http::string_body> req{http::verb::post, url.target, 11};
  req.set(http::field::host, url.host);
  req.set(http::field::user_agent, "Rapidesk-Webhook/1");
  req.set(http::field::content_type, "application/json; charset=utf-8");
  req.body() = body;
  req.prepare_payload();
  co_await http::async_write(stream, req, asio::use_awaitable);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1 << 20);
  co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
  co_return static_cast<int>(parser.get().result_int());
}

// One POST: the HTTP status. The stream's deadline covers connecting, TLS, writing and
// reading together; the caller's covers the name lookup too.
asio::awaitable<int> post(const WebhookUrl& url, const std::string& body, std::chrono::milliseconds timeout) {
  const auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  const auto endpoints = co_await resolver.async_resolve(url.host, url.port, asio::use_awaitable);
  if (!url.tls) {
    beast::tcp_stream stream(executor);
    stream.expires_after(timeout);
    co_await stream.async_connect(endpoints, asio::use_awaitable);
    const int status = co_await exchange(stream, url, body);
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    co_return status;
  }
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.set_default_verify_paths();
  ctx.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(executor, ctx);
  if (!SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())) {
    throw std::runtime_error("cannot set TLS server name");
  }
  stream.set_verify_callback(asio::ssl::host_name_verification(url.host));
  beast::get_lowest_layer(stream).expires_after(timeout);
  co_await beast::get_lowest_layer(stream).async_connect(endpoints, asio::use_awaitable);
  co_await stream.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
  const int status = co_await exchange(stream, url, body);
  beast::error_code ec;
  co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));  // its failure changes nothing
  co_return status;
}

// A redirect is not followed (the receiver's URL is configured as the final one).
bool is_redirect(int http_status) { return http_status >= 300 && http_status < 400; }

}  // namespace

bool worth_retrying(int http_status) {
  return http_status == 0 || is_redirect(http_status) || http_status == 429 || http_status >= 500;
}

WebhookSender::WebhookSender(std::vector<WebhookTarget> targets, RetryPolicy policy, Callback on_report,
                             size_t max_queue)
    : targets_(std::move(targets)), policy_(policy), on_report_(std::move(on_report)), max_queue_(max_queue) {
  worker_ = std::thread([this] { run(); });
}

WebhookSender::~WebhookSender() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

size_t WebhookSender::send(const Notification& n) {
  size_t queued = 0;
  std::vector<DeliveryReport> unsent;  // unparseable URLs, and deliveries dropped for room
  {
    std::lock_guard lock(mutex_);
    for (const auto& t : targets_) {
      if (t.team != "*" && t.team != n.team) continue;
      if (!t.events.empty() && std::find(t.events.begin(), t.events.end(), n.kind) == t.events.end()) continue;
      auto url = parse_webhook_url(t.url);
      if (!url) {
        unsent.push_back(DeliveryReport{t.url, n.kind, 0, 0, false, url.status().message().en});
        continue;
      }
      if (queue_.size() >= max_queue_) {
        const Delivery& oldest = queue_.front();
        unsent.push_back(DeliveryReport{oldest.url_text, oldest.kind, oldest.attempts, 0, false,
                                        "dropped: " + std::to_string(max_queue_) +
                                            " deliveries were waiting (receivers down or slow)"});
        queue_.pop_front();
        ++dropped_;
      }
      queue_.push_back(Delivery{*url, t.url, render_payload(t.format, n), n.kind, 0, std::chrono::steady_clock::now()});
      ++queued;
    }
  }
  wake_.notify_all();
  if (on_report_) {
    for (const auto& r : unsent) on_report_(r);
  }
  return queued;
}

bool WebhookSender::wait_idle(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::unique_lock lock(mutex_);
  while (!queue_.empty() || in_flight_) {
    if (wake_.wait_until(lock, deadline) == std::cv_status::timeout) return queue_.empty() && !in_flight_;
  }
  return true;
}

size_t WebhookSender::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

int WebhookSender::post_once(const Delivery& d, std::string& error) const {
  asio::io_context io;
  std::optional<int> status;
  asio::co_spawn(io, post(d.url, d.body, policy_.timeout), [&](std::exception_ptr failed, int answered) {
    status = answered;
    if (!failed) return;
    status = 0;
    try {
      std::rethrow_exception(failed);
    } catch (const std::exception& e) {
      error = e.what();
    }
  });
  // The name lookup has no deadline of its own: the attempt as a whole gets twice the
  // exchange's, and whatever is still running then is abandoned.
  io.run_for(2 * policy_.timeout);
  if (status) return *status;
  io.stop();
  error = "no answer within " + std::to_string(2 * policy_.timeout.count()) + " ms";
  return 0;
}

void WebhookSender::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    if (stopping_) return;
    if (queue_.empty()) {
      wake_.wait(lock);
      continue;
    }
    // The earliest-due delivery goes next; backoff never blocks deliveries behind it.
    auto next = std::min_element(queue_.begin(), queue_.end(),
                                 [](const Delivery& a, const Delivery& b) { return a.not_before < b.not_before; });
    if (next->not_before > std::chrono::steady_clock::now()) {
      wake_.wait_until(lock, next->not_before);
      continue;
    }
    Delivery d = std::move(*next);
    queue_.erase(next);
    in_flight_ = true;
    lock.unlock();

    std::string error;
    ++d.attempts;
    const int status = post_once(d, error);
    const bool ok = status >= 200 && status < 300;
    const bool redirect = is_redirect(status);
    if (!ok && error.empty()) {
      error = "HTTP " + std::to_string(status);
      if (redirect) error += " (a redirect, not followed: configure the final URL)";
    }
    const bool again = !ok && !redirect && worth_retrying(status) && d.attempts < policy_.max_attempts;
    if (!again && on_report_) on_report_(DeliveryReport{d.url_text, d.kind, d.attempts, status, ok, ok ? "" : error});

    lock.lock();
    in_flight_ = false;
    if (again) {
      auto backoff = std::chrono::duration<double, std::milli>(policy_.first_backoff) *
                     std::pow(policy_.factor, d.attempts - 1);
      const auto capped = std::min(std::chrono::duration_cast<std::chrono::milliseconds>(backoff), policy_.max_backoff);
      d.not_before = std::chrono::steady_clock::now() + capped;
      queue_.push_back(std::move(d));
    }
    wake_.notify_all();
  }
}

}  // namespace rapidesk::notify
