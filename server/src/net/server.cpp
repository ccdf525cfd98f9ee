#include "rapidesk/server/server.h"

#include <condition_variable>
#include <csignal>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <nlohmann/json.hpp>

#include "net/listener.h"
#include "net/net_common.h"
#include "rapidesk/server/server_state.h"

namespace rapidesk::server {

using namespace net;  // NOLINT: Beast aliases, private to this file

class Server::Impl {
 public:
  explicit Impl(ServerState& state)
      : state_(state),
        ctx_{state, workers_, connections_, stopping_},
        ioc_(state.config.io_threads),
        workers_(static_cast<std::size_t>(state.config.worker_threads)),
        signals_(ioc_) {}

  Result<std::string> start() {
    if (!state_.config.tls_cert.empty()) {
      if (Status s = load_tls(); !s) return s;
    }
    beast::error_code ec;
    auto address = asio::ip::make_address(state_.config.listen_host, ec);
    if (ec) {
      // A host name: resolve it.
      tcp::resolver resolver(ioc_);
      auto results = resolver.resolve(state_.config.listen_host, std::to_string(state_.config.listen_port), ec);
      if (ec || results.empty()) {
        return Status::invalid(format_text(Text{"cannot resolve the listen host \"{}\"", "无法解析监听主机“{}”"},
                                           {same_text(state_.config.listen_host)}));
      }
      address = results.begin()->endpoint().address();
    }
    listener_ = std::make_shared<Listener>(ioc_, ctx_);
    if (Status s = listener_->open(tcp::endpoint(address, state_.config.listen_port)); !s) return s;
    listener_->run();
    const auto bound = listener_->local_endpoint();
    const std::string host = bound.address().is_v6() ? "[" + bound.address().to_string() + "]" : bound.address().to_string();
    return host + ":" + std::to_string(bound.port());
  }

  void run(bool handle_signals) {
    if (handle_signals) {
      signals_.add(SIGINT);
      signals_.add(SIGTERM);
      signals_.async_wait([this](beast::error_code ec, int signal) {
        if (ec) return;
        state_.log.event("info", "shutdown", {{"signal", signal == SIGINT ? "SIGINT" : "SIGTERM"}});
        stop();
      });
    }
    std::vector<std::thread> threads;
    for (int i = 1; i < state_.config.io_threads; ++i) threads.emplace_back([this] { ioc_.run(); });
    ioc_.run();
    for (auto& t : threads) t.join();
    // Handlers still running on workers finish here; their answers have nowhere to go.
    workers_.join();
    {
      std::lock_guard lock(mutex_);
      finished_ = true;
    }
    finished_cv_.notify_all();
    if (watchdog_.joinable()) watchdog_.join();
  }

  void stop() {
    if (stopping_.exchange(true)) return;
    asio::post(ioc_, [this] {
      beast::error_code ignored;
      signals_.cancel(ignored);
      if (listener_) listener_->stop();
      connections_.shutdown_all();
    });
    // In-flight requests get the grace period; after it, the I/O loop is stopped hard.
    watchdog_ = std::thread([this] {
      std::unique_lock lock(mutex_);
      if (!finished_cv_.wait_for(lock, std::chrono::seconds(state_.config.shutdown_grace_s),
                                 [this] { return finished_; })) {
        state_.log.event("warn", "shutdown_forced", {{"grace_seconds", state_.config.shutdown_grace_s}});
        ioc_.stop();
      }
    });
  }

  ~Impl() {
    if (watchdog_.joinable()) {
      {
        std::lock_guard lock(mutex_);
        finished_ = true;
      }
      finished_cv_.notify_all();
      watchdog_.join();
    }
  }

 private:
  // TLS 1.2+ with the configured PEM certificate chain and private key.
  Status load_tls() {
    tls_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    beast::error_code ec;
    tls_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                          asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                          asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use,
                      ec);
    auto failed = [&](const std::string& file) {
      return Status::io(format_text(Text{"cannot load the TLS file {}: {}", "无法加载 TLS 文件 {}：{}"},
                                    {same_text(file), same_text(ec.message())}));
    };
    tls_->use_certificate_chain_file(state_.config.tls_cert, ec);
    if (ec) return failed(state_.config.tls_cert);
    tls_->use_private_key_file(state_.config.tls_key, asio::ssl::context::pem, ec);
    if (ec) return failed(state_.config.tls_key);
    ctx_.tls = tls_.get();
    return Status::ok();
  }

  // Declaration order is destruction order, reversed. A shutdown forced after the grace
  // period leaves handlers queued in workers_ and ioc_; destroying them destroys their
  // sessions, which still use ctx_, connections_ and the TLS context, and their sockets,
  // which need ioc_. So: what sessions use first, then ioc_, then the queues that hold
  // sessions (workers_), emptied while ioc_ still exists.
  ServerState& state_;
  ConnectionRegistry connections_;
  std::atomic<bool> stopping_{false};
  std::unique_ptr<asio::ssl::context> tls_;  // set when serving TLS
  NetContext ctx_;                           // refers to workers_ before it is built; used only after
  asio::io_context ioc_;
  asio::thread_pool workers_;
  asio::signal_set signals_;
  std::shared_ptr<Listener> listener_;

  std::mutex mutex_;
  std::condition_variable finished_cv_;
  bool finished_ = false;  // guarded by mutex_
  std::thread watchdog_;
};

Server::Server(ServerState& state) : impl_(std::make_unique<Impl>(state)) {}
Server::~Server() = default;
Result<std::string> Server::start() { return impl_->start(); }
void Server::run(bool handle_signals) { impl_->run(handle_signals); }
void Server::stop() { impl_->stop(); }

}  // namespace rapidesk::server
