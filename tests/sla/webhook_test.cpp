// Webhook delivery against a real HTTP receiver on loopback.
#include "rapidesk/notify/webhook_sender.h"

#include <gtest/gtest.h>

#include "test_certificate.h"
#include "webhook_receiver.h"

#include <atomic>
#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

namespace rapidesk::notify {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

using Receiver = rapidesk_test::WebhookReceiver;

Notification breach() {
  Notification n;
  n.kind = EventKind::kBreach;
  n.team = "TECH";
  n.request_id = "01936f3a-0000-7000-8000-000000000001";
  n.number = "20261123-TECH-0007";
  n.title = "扫码枪离线";
  n.customer = "华东物流";
  n.priority = Priority::kUrgent;
  n.owner = "li.wei";
  n.message = Text{"first response overdue by 15 min", "首次响应已超时 15 分钟"};
  return n;
}

// The sender's delivery reports (its callback runs on the sender's thread).
struct Collector {
  std::vector<DeliveryReport> reports;
  std::mutex m;
  WebhookSender::Callback callback() {
    return [this](const DeliveryReport& r) {
      std::lock_guard l(m);
      reports.push_back(r);
    };
  }
};

RetryPolicy fast_retries() {
  RetryPolicy p;
  p.first_backoff = std::chrono::milliseconds(20);
  p.max_attempts = 4;
  p.timeout = std::chrono::milliseconds(2000);
  return p;
}

TEST(Webhook, RetriesAfterServerErrorsThenDelivers) {
  Receiver receiver({500, 503, 200});
  Collector got;
  WebhookSender sender({{"TECH", "http://127.0.0.1:" + std::to_string(receiver.port()) + "/hook", PayloadTemplate::kGeneric, {}}},
                       fast_retries(), got.callback());
  EXPECT_EQ(sender.send(breach()), 1u);
  ASSERT_TRUE(sender.wait_idle(std::chrono::seconds(10)));
  ASSERT_EQ(got.reports.size(), 1u);
  EXPECT_TRUE(got.reports[0].delivered);
  EXPECT_EQ(got.reports[0].attempts, 3);
  EXPECT_EQ(got.reports[0].last_status, 200);
  const auto bodies = receiver.bodies();
  ASSERT_EQ(bodies.size(), 3u);
  const auto j = nlohmann::json::parse(bodies.back());
  EXPECT_EQ(j["event"], "breach");
  EXPECT_EQ(j["request"]["number"], "20261123-TECH-0007");
  EXPECT_EQ(j["message_zh"], "首次响应已超时 15 分钟");
}

TEST(Webhook, ClientErrorsAreFinalAndAttemptsAreBounded) {
  Receiver rejecting({400});
  Receiver failing({500});
  Collector got;
  WebhookSender sender({{"*", "http://127.0.0.1:" + std::to_string(rejecting.port()) + "/", PayloadTemplate::kSlack, {}},
                        {"*", "http://127.0.0.1:" + std::to_string(failing.port()) + "/", PayloadTemplate::kSlack, {}}},
                       fast_retries(), got.callback());
  EXPECT_EQ(sender.send(breach()), 2u);
  ASSERT_TRUE(sender.wait_idle(std::chrono::seconds(10)));
  ASSERT_EQ(got.reports.size(), 2u);
  for (const auto& r : got.reports) {
    EXPECT_FALSE(r.delivered);
    EXPECT_EQ(r.attempts, r.last_status == 400 ? 1 : 4) << r.url;
  }
}

TEST(Webhook, ARedirectIsNotFollowedAndReportedAsNotDeliveredAfterOneAttempt) {
  Receiver moved({301});
  Collector got;
  WebhookSender sender({{"*", "http://127.0.0.1:" + std::to_string(moved.port()) + "/old", PayloadTemplate::kGeneric, {}}},
                       fast_retries(), got.callback());
  EXPECT_EQ(sender.send(breach()), 1u);
  ASSERT_TRUE(sender.wait_idle(std::chrono::seconds(10)));
  ASSERT_EQ(got.reports.size(), 1u);
  EXPECT_FALSE(got.reports[0].delivered);
  EXPECT_EQ(got.reports[0].attempts, 1);  // the receiver may have acted on it: no copies
  EXPECT_EQ(got.reports[0].last_status, 301);
  EXPECT_EQ(moved.bodies().size(), 1u);
  EXPECT_NE(got.reports[0].error.find("redirect"), std::string::npos) << got.reports[0].error;
  EXPECT_TRUE(worth_retrying(302));
  EXPECT_FALSE(worth_retrying(404));
}

TEST(Webhook, ADeliveryDroppedForRoomIsReportedAsNotDelivered) {
  Receiver receiver({200});
  Collector got;
  const std::string base = "http://127.0.0.1:" + std::to_string(receiver.port());
  // Room for one: the second target's delivery pushes out the first's, queued a moment before.
  WebhookSender sender({{"*", base + "/first", PayloadTemplate::kGeneric, {}},
                        {"*", base + "/second", PayloadTemplate::kGeneric, {}}},
                       fast_retries(), got.callback(),
                       /*max_queue=*/1);
  EXPECT_EQ(sender.send(breach()), 2u);
  ASSERT_TRUE(sender.wait_idle(std::chrono::seconds(10)));
  EXPECT_EQ(sender.dropped(), 1u);
  ASSERT_EQ(got.reports.size(), 2u);
  std::lock_guard l(got.m);
  std::map<std::string, DeliveryReport> by_url;
  for (const auto& r : got.reports) by_url[r.url] = r;
  EXPECT_FALSE(by_url[base + "/first"].delivered);
  EXPECT_NE(by_url[base + "/first"].error.find("dropped"), std::string::npos) << by_url[base + "/first"].error;
  EXPECT_TRUE(by_url[base + "/second"].delivered);
  EXPECT_EQ(receiver.bodies().size(), 1u);
}

// A receiver behind TLS with a self-signed certificate for "localhost": answers 200 to each
// POST it can read and keeps the bodies.
class TlsReceiver {
 public:
  TlsReceiver(const std::filesystem::path& cert, const std::filesystem::path& key)
      : tls_(boost::asio::ssl::context::tls_server), acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    tls_.use_certificate_chain_file(cert.string());
    tls_.use_private_key_file(key.string(), boost::asio::ssl::context::pem);
    thread_ = std::thread([this] { serve(); });
  }
  ~TlsReceiver() {
    stop_ = true;
    beast::error_code ec;
    tcp::socket poke(io_);
    poke.connect({boost::asio::ip::make_address("127.0.0.1"), port()}, ec);
    thread_.join();
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mutex_);
    return bodies_;
  }

 private:
  void serve() {
    while (!stop_) {
      tcp::socket socket(io_);
      beast::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stop_) return;
      beast::ssl_stream<tcp::socket> stream(std::move(socket), tls_);
      stream.handshake(boost::asio::ssl::stream_base::server, ec);
      if (ec) continue;  // the client did not trust the certificate
      beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(stream, buffer, req, ec);
      if (ec) continue;
      {
        std::lock_guard lock(mutex_);
        bodies_.push_back(req.body());
      }
      http::response<http::string_body> res{http::status::ok, 11};
      res.body() = "{}";
      res.prepare_payload();
      http::write(stream, res, ec);
      stream.shutdown(ec);
    }
  }

  boost::asio::io_context io_;
  boost::asio::ssl::context tls_;
  tcp::acceptor acceptor_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<std::string> bodies_;
  std::thread thread_;
};

// Webhooks to https:// verify the receiver's certificate and name: one the system does not
// trust gets nothing; trusted (OpenSSL's SSL_CERT_FILE names it), the event is delivered.
// SSL_CERT_FILE for the test's length, and its files removed, also when an assertion ends it.
struct TrustedCertificateScope {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("rapidesk-webhook-tls-" + std::to_string(std::random_device{}()));
  std::optional<std::string> saved;
  TrustedCertificateScope() {
    std::filesystem::create_directories(dir);
    if (const char* before = std::getenv("SSL_CERT_FILE")) saved = before;
  }
  void trust(const std::filesystem::path& cert) { setenv("SSL_CERT_FILE", cert.c_str(), 1); }
  ~TrustedCertificateScope() {
    if (saved) setenv("SSL_CERT_FILE", saved->c_str(), 1);
    else unsetenv("SSL_CERT_FILE");
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

TEST(Webhook, TlsReceiversAreVerifiedAndDeliveredTo) {
  TrustedCertificateScope scope;
  const std::filesystem::path& dir = scope.dir;
  ASSERT_TRUE(rapidesk_test::write_test_certificate(dir / "cert.pem", dir / "key.pem"));
  TlsReceiver receiver(dir / "cert.pem", dir / "key.pem");
  const std::string url = "https://localhost:" + std::to_string(receiver.port()) + "/hook";
  auto policy = fast_retries();
  policy.max_attempts = 2;
  {
    Collector got;
    WebhookSender sender({{"*", url, PayloadTemplate::kGeneric, {}}}, policy, got.callback());
    sender.send(breach());
    ASSERT_TRUE(sender.wait_idle(std::chrono::seconds(10)));
    ASSERT_EQ(got.reports.size(), 1u);
    EXPECT_FALSE(got.reports[0].delivered);
    EXPECT_EQ(got.reports[0].last_status, 0);
    EXPECT_FALSE(got.reports[0].error.empty());
    EXPECT_TRUE(receiver.bodies().empty()) << "sent to a receiver whose certificate nobody trusts";
  }
  scope.trust(dir / "cert.pem");
  {
    Collector got;
    WebhookSender sender({{"*", url, PayloadTemplate::kGeneric, {}}}, policy, got.callback());
    sender.send(breach());
    ASSERT_TRUE(sender.wait_idle(std::chrono::seconds(10)));
    ASSERT_EQ(got.reports.size(), 1u);
    EXPECT_TRUE(got.reports[0].delivered) << got.reports[0].error;
    ASSERT_EQ(receiver.bodies().size(), 1u);
    EXPECT_EQ(nlohmann::json::parse(receiver.bodies()[0])["event"], "breach");
  }
}

TEST(Webhook, UnreachableReceiverIsRetriedThenReported) {
  Collector got;
  // A port nobody listens on: connection refused each time.
  unsigned short closed_port;
  {
    boost::asio::io_context io;
    tcp::acceptor a(io, {tcp::v4(), 0});
    closed_port = a.local_endpoint().port();
  }
  auto policy = fast_retries();
  policy.max_attempts = 2;
  WebhookSender sender({{"TECH", "http://127.0.0.1:" + std::to_string(closed_port) + "/", PayloadTemplate::kWecom, {}}}, policy,
                       got.callback());
  sender.send(breach());
  ASSERT_TRUE(sender.wait_idle(std::chrono::seconds(10)));
  ASSERT_EQ(got.reports.size(), 1u);
  EXPECT_EQ(got.reports[0].attempts, 2);
  EXPECT_FALSE(got.reports[0].error.empty());
}

TEST(Webhook, AReceiverThatNeverAnswersTimesOutAndHoldsNothingUp) {
  // Listens, so connecting and writing succeed, but never answers. The blocking calls used
  // before ignored the timeout: the sender's one thread waited for ever, the receiver after
  // it never got its event, and the sender could not be destroyed.
  boost::asio::io_context io;
  tcp::acceptor silent(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  Receiver receiver({200});
  Collector got;
  auto policy = fast_retries();
  policy.max_attempts = 1;
  policy.timeout = std::chrono::milliseconds(300);
  const auto started = std::chrono::steady_clock::now();
  {
    WebhookSender sender(
        {{"TECH", "http://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/", PayloadTemplate::kGeneric, {}},
         {"TECH", "http://127.0.0.1:" + std::to_string(receiver.port()) + "/hook", PayloadTemplate::kGeneric, {}}},
        policy, got.callback());
    EXPECT_EQ(sender.send(breach()), 2u);
    ASSERT_TRUE(sender.wait_idle(std::chrono::seconds(10)));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  std::lock_guard l(got.m);
  ASSERT_EQ(got.reports.size(), 2u);
  std::map<bool, DeliveryReport> by_outcome;
  for (const auto& r : got.reports) by_outcome[r.delivered] = r;
  EXPECT_FALSE(by_outcome[false].error.empty());
  EXPECT_EQ(by_outcome[true].last_status, 200);
  EXPECT_EQ(receiver.bodies().size(), 1u);
}

TEST(Webhook, FiltersByTeamAndEvent) {
  WebhookSender sender({{"SVC", "http://127.0.0.1:9/", PayloadTemplate::kGeneric, {}},
                        {"TECH", "http://127.0.0.1:9/", PayloadTemplate::kGeneric, {EventKind::kNewUrgent}}},
                       fast_retries());
  EXPECT_EQ(sender.send(breach()), 0u);
}

TEST(Webhook, ChatBotPayloads) {
  const auto n = breach();
  const auto wecom = nlohmann::json::parse(render_payload(PayloadTemplate::kWecom, n));
  EXPECT_EQ(wecom["msgtype"], "text");
  EXPECT_EQ(wecom["text"]["content"],
            "[SLA 已超时 / SLA breached] 20261123-TECH-0007 扫码枪离线 (华东物流): 首次响应已超时 15 分钟 / first response "
            "overdue by 15 min @li.wei");
  const auto feishu = nlohmann::json::parse(render_payload(PayloadTemplate::kFeishu, n));
  EXPECT_EQ(feishu["msg_type"], "text");
  EXPECT_TRUE(feishu["content"]["text"].is_string());
  EXPECT_TRUE(nlohmann::json::parse(render_payload(PayloadTemplate::kSlack, n))["text"].is_string());
}

TEST(Webhook, LoggedUrlsKeepNoCredentials) {
  EXPECT_EQ(loggable_webhook_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET"),
            "https://qyapi.weixin.qq.com/cgi-bin/…");
  EXPECT_EQ(loggable_webhook_url("https://oapi.dingtalk.com/robot/send?access_token=SECRET"), "https://oapi.dingtalk.com/robot/…");
  EXPECT_EQ(loggable_webhook_url("https://hooks.slack.com/services/T000/B000/SECRET"), "https://hooks.slack.com/services/…");
  EXPECT_EQ(loggable_webhook_url("http://10.0.0.5:8080/hook"), "http://10.0.0.5:8080/hook");
  EXPECT_EQ(loggable_webhook_url("http://ops.example.com/?token=SECRET"), "http://ops.example.com/…");
  EXPECT_EQ(loggable_webhook_url("http://ops.example.com/"), "http://ops.example.com/");
}

TEST(Webhook, UrlsAreCheckedWithClearErrors) {
  auto u = parse_webhook_url("https://qyapi.example.cn/cgi-bin/webhook/send?key=abc");
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->port, "443");
  EXPECT_EQ(u->target, "/cgi-bin/webhook/send?key=abc");
  auto bad = parse_webhook_url("ftp://x/");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.status().message().en.find("http://"), std::string::npos);
  EXPECT_FALSE(parse_webhook_url("http://host:99999999/"));
}

}  // namespace
}  // namespace rapidesk::notify
