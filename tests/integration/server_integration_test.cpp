// The real rapidesk-server binary on 127.0.0.1:0 with a temp data dir: accounts made with the
// admin CLI, sign-in over HTTP, the WebSocket stream, hostile input, slow clients, SIGTERM.
// Plain POSIX sockets with poll() timeouts, so a misbehaving server fails a test instead of
// hanging it.
#include <sys/resource.h>

#include "harness.h"

namespace {

using namespace rapidesk_it;

TEST_F(ServerTest, AdminCliUserSignsInOverHttp) {
  add_user("alice", "correct horse");
  CliResult list = run_cli(data_, {"user", "list", "--json"}, "", log_);
  ASSERT_EQ(list.code, 0);
  EXPECT_EQ(nlohmann::json::parse(list.out)[0]["name"], "alice");
  start();

  Response health = http(port(), "GET", "/healthz");
  ASSERT_EQ(health.status, 200);
  EXPECT_EQ(health.json()["status"], "ok");
  EXPECT_GE(health.json()["schema"].get<int>(), 1);

  Response login = http(port(), "POST", "/api/v1/auth/login",
                        R"({"username":"alice","password":"correct horse","device":"laptop-1"})",
                        {"X-Rapidesk-Protocol: 1"});
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string token = login.json()["token"];
  EXPECT_EQ(login.json()["user"]["role"], "agent");

  // Keep-alive: several requests on one connection.
  Connection c(port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.send_all(request_text("GET", "/api/v1/me", "", {"Authorization: Bearer " + token})));
    Response me = read_response(c);
    ASSERT_EQ(me.status, 200) << me.body;
    EXPECT_EQ(me.json()["name"], "alice");
    EXPECT_EQ(me.json()["device"], "laptop-1");
  }

  Response wrong = http(port(), "POST", "/api/v1/auth/login",
                        R"({"username":"alice","password":"nope","device":"laptop-1"})");
  EXPECT_EQ(wrong.status, 401);

  Response out = http(port(), "POST", "/api/v1/auth/logout", "", {"Authorization: Bearer " + token});
  EXPECT_EQ(out.status, 200);
  EXPECT_EQ(http(port(), "GET", "/api/v1/me", "", {"Authorization: Bearer " + token}).status, 401);

  // Disabling a user through the CLI while the server runs cuts their sessions at once.
  const std::string second = this->login("alice", "correct horse");
  ASSERT_FALSE(second.empty());
  ASSERT_EQ(run_cli(data_, {"user", "disable", "alice"}, "", log_).code, 0);
  EXPECT_EQ(http(port(), "GET", "/api/v1/me", "", {"Authorization: Bearer " + second}).status, 401);

  Response metrics = http(port(), "GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(metrics.body.find("rapidesk_http_requests_total{method=\"POST\",path=\"/api/v1/auth/login\",status=\"200\"}"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("rapidesk_http_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(metrics.body.find("rapidesk_ws_clients 0"), std::string::npos);

  // One JSON log line per request, with method, path, status, time and user.
  server_->terminate_and_wait(10s);
  std::ifstream log(log_);
  std::string line;
  bool found = false;
  while (std::getline(log, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.value("event", "") == "request" && j.value("path", "") == "/api/v1/me" &&
        j.value("status", 0) == 200) {
      EXPECT_EQ(j["user"], "alice");
      EXPECT_EQ(j["method"], "GET");
      EXPECT_TRUE(j.contains("ms"));
      EXPECT_TRUE(j.contains("time"));
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(ServerTest, HostileInputIsRefusedWithJsonErrors) {
  add_user("alice", "correct horse");
  start({"--max-body-bytes", "65536"});
  struct Case {
    const char* name;
    std::string body;
    int status;
  };
  const std::vector<Case> cases = {
      {"malformed", "{\"username\":", 400},
      {"200-deep", std::string(200, '[') + std::string(200, ']'), 400},
      {"invalid utf-8", "{\"username\":\"\xff\xfe\",\"password\":\"x\",\"device\":\"d\"}", 400},
      {"wrong types", R"({"username":["alice"],"password":1,"device":true})", 400},
      {"unknown field", R"({"username":"alice","password":"x","device":"d","role":"admin"})", 400},
      {"oversized", std::string(70'000, ' '), 413},
  };
  for (const auto& c : cases) {
    Response r = http(port(), "POST", "/api/v1/auth/login", c.body);
    EXPECT_EQ(r.status, c.status) << c.name << ": " << r.body;
    EXPECT_TRUE(r.json().is_object() && r.json().contains("error")) << c.name;
    EXPECT_TRUE(r.json()["error"].contains("message_zh")) << c.name;
  }
  // A huge declared length is refused from the header alone.
  {
    Connection c(port());
    c.send_all("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 9437184\r\n\r\n");
    Response r = read_response(c);
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(r.error_code(), "too_large");
  }
  // Headers past the limit.
  {
    Response r = http(port(), "GET", "/healthz", "", {"X-Junk: " + std::string(20'000, 'j')});
    EXPECT_EQ(r.status, 413);
  }
  // Not HTTP at all.
  {
    Connection c(port());
    c.send_all("HELLO\x01\x02 WORLD\r\n\r\n");
    Response r = read_response(c);
    EXPECT_EQ(r.status, 400);
  }
  EXPECT_EQ(http(port(), "GET", "/api/v1/me").status, 401);
  EXPECT_EQ(http(port(), "GET", "/api/v1/me", "", {"Authorization: Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}).status,
            401);
  EXPECT_EQ(http(port(), "GET", "/api/v1/nothing").status, 404);
  EXPECT_EQ(http(port(), "PUT", "/healthz").status, 405);
  Response old = http(port(), "GET", "/api/v1/me", "", {"X-Rapidesk-Protocol: 0"});
  EXPECT_EQ(old.status, 426);
  EXPECT_EQ(old.error_code(), "upgrade_required");
  // And the server is still fine.
  EXPECT_FALSE(login("alice", "correct horse").empty());
}

TEST_F(ServerTest, OversizedBodyActuallySentGets413) {
  start();  // default limit: 8 MiB
  Connection c(port());
  const std::string body(9u << 20, 'x');
  c.send_all("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
  // Chunked, so the server only learns the size while reading; it may stop reading early.
  const std::string chunk(1 << 16, 'x');
  char size_line[32];
  std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
  for (size_t sent = 0; sent < body.size(); sent += chunk.size()) {
    if (!c.send_all(std::string(size_line) + chunk + "\r\n")) break;
  }
  c.send_all("0\r\n\r\n");
  Response r = read_response(c);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.error_code(), "too_large");
}

TEST_F(ServerTest, StreamAnnouncesCursors) {
  add_user("alice", "correct horse");
  start();
  const std::string token = login("alice", "correct horse");
  ASSERT_FALSE(token.empty());

  Connection ws(port());
  Response hs = ws_connect(ws, "/api/v1/stream", {"Authorization: Bearer " + token});
  ASSERT_EQ(hs.status, 101) << hs.body;
  auto hello = ws_read_text(ws, 5s);
  ASSERT_TRUE(hello.has_value());
  EXPECT_EQ(nlohmann::json::parse(*hello), (nlohmann::json{{"type", "cursor"}, {"cursor", 0}}));

  // Browsers cannot set headers: ?token= works for the stream.
  Connection ws2(port());
  ASSERT_EQ(ws_connect(ws2, "/api/v1/stream?token=" + token).status, 101);
  ASSERT_TRUE(ws_read_text(ws2, 5s).has_value());

  Response metrics = http(port(), "GET", "/metrics");
  EXPECT_NE(metrics.body.find("rapidesk_ws_clients 2"), std::string::npos);

  const auto before = Clock::now();
  Response announced = http(port(), "POST", "/_test/announce?cursor=42");
  ASSERT_EQ(announced.status, 200) << announced.body;
  EXPECT_EQ(announced.json()["listeners"], 2);
  for (Connection* c : {&ws, &ws2}) {
    auto message = ws_read_text(*c, 2s);
    ASSERT_TRUE(message.has_value());
    EXPECT_EQ(nlohmann::json::parse(*message), (nlohmann::json{{"type", "cursor"}, {"cursor", 42}}));
  }
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - before);
  std::cout << "announce round trip (HTTP request + delivery to 2 clients): " << elapsed.count() << " ms\n";
  EXPECT_LT(elapsed.count(), 1000);

  // Without a token: refused with a JSON 401 instead of an upgrade.
  Connection anonymous(port());
  Response refused = ws_connect(anonymous, "/api/v1/stream");
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.error_code(), "unauthorized");
  Connection forged(port());
  EXPECT_EQ(ws_connect(forged, "/api/v1/stream?token=" + std::string(43, 'A')).status, 401);
}

TEST_F(ServerTest, SlowClientIsCutOffWhileOthersAreServed) {
  start({"--header-timeout", "2"});
  Connection slow(port());
  ASSERT_TRUE(slow.connected());
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: aaaaaaaaaaaaaaaaaaaa\r\n\r\n";
  const auto start_time = Clock::now();
  bool cut = false;
  size_t sent = 0;
  for (; sent < request.size() && !cut; ++sent) {
    if (!slow.send_all(request.substr(sent, 1))) {
      cut = true;
      break;
    }
    // Meanwhile another client is served promptly.
    const auto t0 = Clock::now();
    Response other = http(port(), "GET", "/healthz");
    EXPECT_EQ(other.status, 200);
    EXPECT_LT(Clock::now() - t0, 1s);
    cut = slow.closed_within(1s);  // one byte per second
  }
  const auto elapsed = Clock::now() - start_time;
  EXPECT_TRUE(cut) << "the slow client was never cut off";
  EXPECT_LT(sent, request.size()) << "the whole request trickled through";
  EXPECT_LT(elapsed, 6s);
  EXPECT_GE(elapsed, 1500ms);
}

TEST_F(ServerTest, SigtermFinishesInFlightRequestsAndExitsZero) {
  add_user("alice", "correct horse");
  start();
  const std::string token = login("alice", "correct horse");
  Connection ws(port());
  ASSERT_EQ(ws_connect(ws, "/api/v1/stream", {"Authorization: Bearer " + token}).status, 101);
  ASSERT_TRUE(ws_read_text(ws, 5s).has_value());
  Connection busy(port());
  ASSERT_TRUE(busy.send_all(request_text("GET", "/_test/sleep?ms=1500", "", {})));
  Connection idle(port());  // an idle keep-alive connection must not hold up the exit
  ASSERT_TRUE(idle.connected());
  std::this_thread::sleep_for(300ms);  // the request is in the handler now
  kill(server_->pid(), SIGTERM);
  // Stream clients are told "going away" (close code 1001) at once.
  const auto t0 = Clock::now();
  EXPECT_FALSE(ws_read_text(ws, 3s).has_value());
  EXPECT_LT(Clock::now() - t0, 1s);
  Response r = read_response(busy, 5s);
  EXPECT_EQ(r.status, 200) << "the in-flight request was dropped";
  EXPECT_EQ(r.headers["connection"], "close");
  EXPECT_EQ(server_->terminate_and_wait(10s), 0);
  EXPECT_TRUE(idle.closed_within(1s));
  // New connections are refused once it is gone.
  Connection after(server_->port());
  EXPECT_FALSE(after.connected());
}

TEST_F(ServerTest, RefusesADatabaseFromTheFuture) {
  add_user("alice", "correct horse");
  // Pretend a newer server migrated the database.
  const std::string sql = "INSERT INTO schema_version VALUES (999, 'future', 0);";
  Child c = spawn({"/usr/bin/sqlite3", (data_ / "rapidesk.db").string(), sql}, "", log_);
  read_all(c.out_fd);
  ASSERT_EQ(wait_exit(c.pid, 10s), 0);
  Child server = spawn({RAPIDESK_SERVER_BIN, "--data", data_.string(), "--listen", "127.0.0.1:0"}, "", log_);
  read_all(server.out_fd);
  EXPECT_EQ(wait_exit(server.pid, 10s), 1);
  std::ifstream in(log_);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("newer version"), std::string::npos) << text.str();
}

}  // namespace

namespace {

TEST_F(ServerTest, TlsServesHttpsAndWss) {
  add_user("alice", "correct horse");
  const auto cert = dir_.path() / "cert.pem";
  const auto key = dir_.path() / "key.pem";
  ASSERT_TRUE(write_test_certificate(cert, key));
  start({"--tls-cert", cert.string(), "--tls-key", key.string()});

  Connection c(port());
  ASSERT_TRUE(c.start_tls());
  ASSERT_TRUE(c.send_all(request_text("POST", "/api/v1/auth/login",
                                      R"({"username":"alice","password":"correct horse","device":"d1"})", {})));
  Response login = read_response(c);
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string token = login.json()["token"];
  ASSERT_TRUE(c.send_all(request_text("GET", "/healthz", "", {})));  // same TLS connection
  EXPECT_EQ(read_response(c).status, 200);

  Connection ws(port());
  ASSERT_TRUE(ws.start_tls());
  ASSERT_EQ(ws_connect(ws, "/api/v1/stream", {"Authorization: Bearer " + token}).status, 101);
  ASSERT_TRUE(ws_read_text(ws, 5s).has_value());
  ASSERT_TRUE(c.send_all(request_text("POST", "/_test/announce?cursor=7", "", {})));
  EXPECT_EQ(read_response(c).status, 200);
  auto message = ws_read_text(ws, 2s);
  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(nlohmann::json::parse(*message)["cursor"], 7);

  // Plain HTTP on the TLS port gets no HTTP answer.
  EXPECT_EQ(http(port(), "GET", "/healthz").status, 0);
  EXPECT_EQ(server_->terminate_and_wait(10s), 0);
}

}  // namespace

namespace {

using namespace rapidesk_it;

// An open stream does not outlive its sign-in: signing out or being disabled closes it at the
// next check. Before, the stream went on announcing cursors for as long as it stayed open.
TEST_F(ServerTest, AStreamClosesOnceItsSignInEnds) {
  add_user("alice", "correct horse");
  add_user("bob", "battery staple");
  const auto config = dir_.path() / "server.json";
  std::ofstream(config) << R"({"ws_auth_recheck_seconds": 1})";
  start({"--config", config.string()});
  const std::string alice = login("alice", "correct horse");
  const std::string bob = login("bob", "battery staple");
  Connection a(port()), b(port());
  ASSERT_EQ(ws_connect(a, "/api/v1/stream?token=" + alice).status, 101);
  ASSERT_EQ(ws_connect(b, "/api/v1/stream?token=" + bob).status, 101);
  ASSERT_TRUE(ws_read_text(a, 5s));
  ASSERT_TRUE(ws_read_text(b, 5s));
  // Still signed in: the checks keep the streams open.
  std::this_thread::sleep_for(1500ms);
  ASSERT_EQ(http(port(), "POST", "/_test/announce?cursor=7").status, 200);
  ASSERT_TRUE(ws_read_text(a, 2s));
  ASSERT_TRUE(ws_read_text(b, 2s));
  // A client that goes away is let go at once, although its sign-in still holds (the checks
  // must not keep a dead stream registered until the token expires).
  {
    Connection gone(port());
    ASSERT_EQ(ws_connect(gone, "/api/v1/stream?token=" + alice).status, 101);
    ASSERT_TRUE(ws_read_text(gone, 5s));
    EXPECT_NE(http(port(), "GET", "/metrics").body.find("rapidesk_ws_clients 3"), std::string::npos);
  }
  std::this_thread::sleep_for(2500ms);
  const std::string metrics = http(port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find("rapidesk_ws_clients 2"), std::string::npos) << metrics.substr(0, 2000);

  ASSERT_EQ(http(port(), "POST", "/api/v1/auth/logout", "", {"Authorization: Bearer " + alice}).status, 200);
  ASSERT_EQ(run_cli(data_, {"user", "disable", "bob"}, "", dir_.path() / "cli.err").code, 0);
  for (Connection* c : {&a, &b}) {
    const auto before = Clock::now();
    EXPECT_FALSE(ws_read_text(*c, 5s)) << "closed, not a message";
    EXPECT_LT(Clock::now() - before, 4s) << "by a close frame, not the read's timeout";
  }
  std::stringstream log;
  log << std::ifstream(log_).rdbuf();
  EXPECT_NE(log.str().find("ws_signed_out"), std::string::npos);
}

// Behind a trusted reverse proxy the sign-in limit per address counts the client's address
// from X-Forwarded-For; from anyone else the header is ignored, so it cannot dodge the limit.
TEST_F(ServerTest, SignInLimitPerAddressSeesClientsBehindTrustedProxy) {
  add_user("alice", "correct horse");
  const auto config = dir_.path() / "server.json";
  std::ofstream(config) << R"({"trusted_proxies": ["127.0.0.1"], "login_failures_per_address": 3})";
  start({"--config", config.string()});
  auto attempt = [&](const std::string& user, const std::string& password, const std::string& client) {
    return http(port(), "POST", "/api/v1/auth/login",
                nlohmann::json{{"username", user}, {"password", password}, {"device", "proxy-test"}}.dump(),
                {"X-Forwarded-For: " + client})
        .status;
  };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(attempt("nobody" + std::to_string(i), "x", "203.0.113.5"), 401);
  EXPECT_EQ(attempt("alice", "correct horse", "203.0.113.5"), 429) << "that client used up its attempts";
  EXPECT_EQ(attempt("alice", "correct horse", "203.0.113.6"), 200) << "another client behind the proxy is not affected";

  // Without trusted proxies a forged header changes nothing: the limit counts the peer.
  ASSERT_EQ(server_->terminate_and_wait(10s), 0);
  std::ofstream(config, std::ios::trunc) << R"({"login_failures_per_address": 3})";
  start({"--config", config.string()});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(attempt("nobody" + std::to_string(i), "x", "198.51.100." + std::to_string(i)), 401);
  EXPECT_EQ(attempt("alice", "correct horse", "198.51.100.99"), 429);
}

}  // namespace

namespace {

using namespace rapidesk_it;

// CPU time the process has used (user + system), in clock ticks.
long cpu_ticks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));  // after "pid (name) "
  std::string skip;
  for (int i = 3; i < 14; ++i) fields >> skip;  // fields 3..13
  long utime = 0, stime = 0;
  fields >> utime >> stime;
  return utime + stime;
}

std::size_t count_in_file(const std::filesystem::path& file, const std::string& needle) {
  std::stringstream read;
  read << std::ifstream(file).rdbuf();
  const std::string text = read.str();
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// One host cannot take every connection: past max_connections_per_address its further
// connections are closed at once, while what it holds is still served. Connections from a
// trusted proxy carry many clients and are not counted.
TEST_F(ServerTest, ConnectionsPerAddressAreCapped) {
  start({"--max-connections-per-address", "3"});
  std::vector<std::unique_ptr<Connection>> held;
  for (int i = 0; i < 3; ++i) held.push_back(std::make_unique<Connection>(port()));
  ASSERT_TRUE(held[0]->send_all(request_text("GET", "/healthz", "", {})));
  ASSERT_EQ(read_response(*held[0]).status, 200);  // accepted before the next one is tried
  Connection fourth(port());
  EXPECT_TRUE(fourth.closed_within(2s)) << "a fourth connection from the address was kept";
  for (auto& c : held) {
    ASSERT_TRUE(c->send_all(request_text("GET", "/healthz", "", {})));
    EXPECT_EQ(read_response(*c).status, 200) << "the connections held are still served";
  }
  held.pop_back();  // one closes: its place is free again
  bool served = false;
  for (auto deadline = Clock::now() + 3s; !served && Clock::now() < deadline;) {
    served = http(port(), "GET", "/healthz").status == 200;
    if (!served) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(served);
  EXPECT_GE(count_in_file(log_, "max_connections_per_address"), 1u);
  ASSERT_EQ(server_->terminate_and_wait(10s), 0);

  const auto config = dir_.path() / "server.json";
  std::ofstream(config) << R"({"trusted_proxies": ["127.0.0.1"], "max_connections_per_address": 3})";
  start({"--config", config.string()});
  std::vector<std::unique_ptr<Connection>> proxied;
  for (int i = 0; i < 6; ++i) {
    proxied.push_back(std::make_unique<Connection>(port()));
    ASSERT_TRUE(proxied.back()->send_all(request_text("GET", "/healthz", "", {"X-Forwarded-For: 203.0.113.9"})));
    EXPECT_EQ(read_response(*proxied.back()).status, 200) << "connection " << i << " through the trusted proxy";
  }
}

// Out of file descriptors, accepting fails while a connection waits in the backlog. The
// listener used to retry at once, spinning an I/O thread at 100% (and writing a log line
// per try) until a descriptor came free; it now waits before each retry.
TEST_F(ServerTest, AcceptFailingForLackOfDescriptorsDoesNotSpin) {
  start();
  const pid_t pid = server_->pid();
  rlimit original{};
  ASSERT_EQ(prlimit(pid, RLIMIT_NOFILE, nullptr, &original), 0);
  std::size_t open_fds = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    ++open_fds;
  }
  rlimit tight = original;
  tight.rlim_cur = open_fds + 1;  // room for one connection
  ASSERT_EQ(prlimit(pid, RLIMIT_NOFILE, &tight, nullptr), 0);
  std::vector<std::unique_ptr<Connection>> waiting;
  for (int i = 0; i < 4; ++i) waiting.push_back(std::make_unique<Connection>(port()));
  std::this_thread::sleep_for(300ms);
  const long before = cpu_ticks(pid);
  std::this_thread::sleep_for(1500ms);
  const long used = cpu_ticks(pid) - before;
  const long ticks_per_second = sysconf(_SC_CLK_TCK);
  EXPECT_LT(used, ticks_per_second / 5) << "the server burnt " << used << " ticks in 1.5 s waiting for descriptors";
  EXPECT_GE(count_in_file(log_, "\"during\":\"accept\""), 1u) << "the failure is logged";
  EXPECT_LT(count_in_file(log_, "\"during\":\"accept\""), 40u) << "but not once per spin";

  // Descriptors free again: the waiting clients are served.
  ASSERT_EQ(prlimit(pid, RLIMIT_NOFILE, &original, nullptr), 0);
  for (auto& c : waiting) {
    ASSERT_TRUE(c->send_all(request_text("GET", "/healthz", "", {})));
    EXPECT_EQ(read_response(*c, 5s).status, 200);
  }
  EXPECT_EQ(server_->terminate_and_wait(10s), 0);
}

// A request that outlives the shutdown grace period is abandoned, and the server still exits
// cleanly: the answer it can no longer send is dropped with its connection, after which the
// server's own state goes (not before, as it once could).
TEST_F(ServerTest, ShutdownForcedAfterTheGracePeriodExitsCleanly) {
  start({"--shutdown-grace", "1"});
  Connection busy(port());
  ASSERT_TRUE(busy.send_all(request_text("GET", "/_test/sleep?ms=2500", "", {})));
  std::this_thread::sleep_for(300ms);
  const auto t0 = Clock::now();
  EXPECT_EQ(server_->terminate_and_wait(10s), 0);
  EXPECT_LT(Clock::now() - t0, 6s);
  EXPECT_EQ(count_in_file(log_, "shutdown_forced"), 1u);
  EXPECT_EQ(read_response(busy, 1s).status, 0) << "no answer after the grace period";
}

}  // namespace
