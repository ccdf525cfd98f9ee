#include "rapidesk/notify/webhook_sender.h"

#include <algorithm>
#include <cmath>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
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

template <typename Stream>
int exchange(Stream& stream, const WebhookUrl& url, const std::string& body) {
  http::request<http::string_body> req{http::verb::post, url.target, 11};
  req.set(http::field::host, url.host);
  req.set(http::field::user_agent, "Rapidesk-Webhook/1");
  req.set(http::field::content_type, "application/json; charset=utf-8");
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1 << 20);
  http::read(stream, buffer, parser);
  return static_cast<int>(parser.get().result_int());
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
  try {
    asio::io_context io;
    tcp::resolver resolver(io);
    const auto endpoints = resolver.resolve(d.url.host, d.url.port);
    if (!d.url.tls) {
      beast::tcp_stream stream(io);
      stream.expires_after(policy_.timeout);
      stream.connect(endpoints);
      const int status = exchange(stream, d.url, d.body);
      beast::error_code ec;
      stream.socket().shutdown(tcp::socket::shutdown_both, ec);
      return status;
    }
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_default_verify_paths();
    ctx.set_verify_mode(asio::ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
    if (!SSL_set_tlsext_host_name(stream.native_handle(), d.url.host.c_str())) {
      error = "cannot set TLS server name";
      return 0;
    }
    stream.set_verify_callback(asio::ssl::host_name_verification(d.url.host));
    beast::get_lowest_layer(stream).expires_after(policy_.timeout);
    beast::get_lowest_layer(stream).connect(endpoints);
    stream.handshake(asio::ssl::stream_base::client);
    const int status = exchange(stream, d.url, d.body);
    beast::error_code ec;
    stream.shutdown(ec);
    return status;
  } catch (const std::exception& e) {
    error = e.what();
    return 0;
  }
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
