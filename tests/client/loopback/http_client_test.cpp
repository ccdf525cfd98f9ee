// HttpClient when the network is not kind: a closed port, a peer that never answers, a call
// cancelled from another thread, and TLS with certificate and host name verification
// against the real server's HTTPS mode.
#include <gtest/gtest.h>

#include <future>

#include "net_fixture.h"
#include "rapidesk/client/http_client.h"
#include "rapidesk/client/server_api.h"

namespace {

using namespace rapidesk_client_it;
using rapidesk::ErrorCode;
using client::HttpClient;
using client::HttpOptions;

TEST(HttpClientNetworkTest, ClosedPortIsUnavailableAtOnce) {
  const int port = closed_port();
  HttpClient http(loopback_address(port));
  const auto start = Clock::now();
  auto r = http.get("/healthz");
  EXPECT_LT(elapsed_since(start), 1000ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), ErrorCode::kUnavailable);
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  EXPECT_EQ(r.status().message().en.rfind("cannot reach the server at " + url + ": connection refused", 0), 0u)
      << r.status().message().en;
  EXPECT_NE(r.status().message().zh.find("无法连接服务器 " + url), std::string::npos) << r.status().message().zh;
  EXPECT_EQ(http.last_failure().http_status, 0);
}

TEST(HttpClientNetworkTest, SilentServerTimesOutAfterTheRequestTimeout) {
  SilentPeer peer;
  HttpOptions options;
  options.request_timeout = 300ms;
  HttpClient http(loopback_address(peer.port()), options);
  const auto start = Clock::now();
  auto r = http.get("/healthz");
  const auto took = elapsed_since(start);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(r.status().message().en.find("no answer within 0.3 s"), std::string::npos) << r.status().message().en;
  EXPECT_GE(took, 280ms);
  EXPECT_LT(took, 1500ms);
}

TEST(HttpClientNetworkTest, CancelEndsTheCallInFlightPromptly) {
  SilentPeer peer;
  HttpClient http(loopback_address(peer.port()));  // 30 s request timeout
  auto call = std::async(std::launch::async, [&http] { return http.get("/healthz"); });
  std::this_thread::sleep_for(200ms);
  const auto start = Clock::now();
  http.cancel();
  ASSERT_EQ(call.wait_for(1s), std::future_status::ready);
  EXPECT_LT(elapsed_since(start), 1000ms);
  auto r = call.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(r.status().message().en.find("cancelled"), std::string::npos) << r.status().message().en;
}

TEST(HttpClientNetworkTest, BadTargetsAreRefusedWithoutSending) {
  HttpClient http(loopback_address(closed_port()));
  for (const char* target : {"", "api/v1/me", "/api/v1/me HTTP/1.1\r\nX: y", "/a b"}) {
    auto r = http.get(target);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalid) << target;
  }
  EXPECT_EQ(http.connections_opened(), 0u);
}

// The server in HTTPS mode with a self-signed certificate for CN=localhost.
class TlsTest : public ClientServerTest {
 protected:
  void SetUp() override {
    ClientServerTest::SetUp();
    cert_ = dir_.path() / "cert.pem";
    key_ = dir_.path() / "key.pem";
    ASSERT_TRUE(write_test_certificate(cert_, key_));
    start({"--tls-cert", cert_.string(), "--tls-key", key_.string()});
  }
  std::filesystem::path cert_;
  std::filesystem::path key_;
};

TEST_F(TlsTest, HttpsWithTrustedCertificateWorks) {
  HttpOptions options;
  options.ca_file = cert_.string();
  client::ServerApi api(localhost_address(port(), true), options);
  auto login = api.login("alice", "alice-pass-1", "laptop-1");
  ASSERT_TRUE(login) << login.status().message().en;
  ASSERT_TRUE(api.me());
  EXPECT_EQ(api.http().connections_opened(), 1u);
}

TEST_F(TlsTest, UntrustedCertificateIsRefused) {
  HttpClient http(localhost_address(port(), true));  // the system's CAs do not know it
  auto r = http.get("/healthz");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(r.status().message().en.find("TLS certificate cannot be trusted"), std::string::npos)
      << r.status().message().en;
}

TEST_F(TlsTest, CertificateForAnotherHostIsRefused) {
  HttpOptions options;
  options.ca_file = cert_.string();
  HttpClient http(loopback_address(port(), true), options);  // 127.0.0.1, certificate says localhost
  auto r = http.get("/healthz");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(r.status().message().en.find("not valid for \"127.0.0.1\""), std::string::npos) << r.status().message().en;
}

TEST_F(TlsTest, MissingCaFileIsAClearError) {
  HttpOptions options;
  options.ca_file = (dir_.path() / "no-such.pem").string();
  HttpClient http(localhost_address(port(), true), options);
  auto r = http.get("/healthz");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalid);
  EXPECT_NE(r.status().message().en.find("no-such.pem"), std::string::npos) << r.status().message().en;
}

TEST_F(TlsTest, PlainHttpToTheTlsPortFailsWithinTheTimeout) {
  HttpOptions options;
  options.request_timeout = 500ms;
  HttpClient http(loopback_address(port()), options);
  const auto start = Clock::now();
  auto r = http.get("/healthz");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), ErrorCode::kUnavailable);
  EXPECT_LT(elapsed_since(start), 3000ms);
}

}  // namespace
