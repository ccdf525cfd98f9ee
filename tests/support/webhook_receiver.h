// A webhook receiver on loopback for the notifier tests (SLA events, scheduled reports):
// answers each POST with the next status of `script` (the last one repeats) and keeps
// every body with the status it was answered with. Header-only; needs Boost.Beast.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

namespace rapidesk_test {

class WebhookReceiver {
 public:
  explicit WebhookReceiver(std::vector<int> script = {200})
      : script_(std::move(script)), acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    thread_ = std::thread([this] { serve(); });
  }
  ~WebhookReceiver() {
    stop_ = true;
    boost::beast::error_code ec;
    tcp::socket poke(io_);
    poke.connect({boost::asio::ip::make_address("127.0.0.1"), port()}, ec);
    thread_.join();
  }
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()) + "/hook"; }
  std::size_t posts() {
    std::lock_guard lock(mutex_);
    return received_.size();
  }
  // Every body received, in order.
  std::vector<std::string> bodies() {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& [body, status] : received_) out.push_back(body);
    return out;
  }
  // The bodies answered with 2xx, parsed.
  std::vector<nlohmann::json> accepted() {
    std::lock_guard lock(mutex_);
    std::vector<nlohmann::json> out;
    for (const auto& [body, status] : received_) {
      if (status >= 200 && status < 300) out.push_back(nlohmann::json::parse(body, nullptr, false));
    }
    return out;
  }
  // Waits up to 5 s for `n` bodies; returns what arrived.
  std::vector<std::string> wait_for(std::size_t n) {
    for (int i = 0; i < 500 && posts() < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return bodies();
  }

 private:
  using tcp = boost::asio::ip::tcp;

  void serve() {
    namespace http = boost::beast::http;
    while (!stop_) {
      tcp::socket socket(io_);
      boost::beast::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stop_) return;
      boost::beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(socket, buffer, req, ec);
      if (ec) continue;
      int status = 0;
      {
        std::lock_guard lock(mutex_);
        status = script_[std::min(received_.size(), script_.size() - 1)];
        received_.emplace_back(req.body(), status);
      }
      http::response<http::string_body> res{static_cast<http::status>(status), 11};
      res.body() = "{}";
      res.prepare_payload();
      http::write(socket, res, ec);
    }
  }

  std::vector<int> script_;
  boost::asio::io_context io_;
  tcp::acceptor acceptor_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<std::pair<std::string, int>> received_;
  std::thread thread_;
};

}  // namespace rapidesk_test
