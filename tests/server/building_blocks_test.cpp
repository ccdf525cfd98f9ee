// The small parts: JSON body checks, targets, the router, the rate limiter, the cursor
// announcer, config and command line.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "rapidesk/server/config.h"
#include "rapidesk/server/cursor_announcer.h"
#include "rapidesk/server/forwarded.h"
#include "rapidesk/server/json_body.h"
#include "rapidesk/server/options.h"
#include "rapidesk/server/rate_limiter.h"
#include "rapidesk/server/router.h"
#include "rapidesk/server/stream_slots.h"
#include "rapidesk/server/yielding_mutex.h"
#include "test_support.h"

namespace rapidesk::server {
namespace {

TEST(JsonBody, DepthIsCountedOutsideStringsOnly) {
  EXPECT_EQ(json_nesting_depth("{}", 100), 1);
  EXPECT_EQ(json_nesting_depth("{\"a\":[1,{\"b\":2}]}", 100), 3);
  EXPECT_EQ(json_nesting_depth("{\"a\":\"[[[[\\\"[[[[\"}", 100), 1);
  EXPECT_EQ(json_nesting_depth(std::string(10'000, '['), 32), 33);  // stops early
  EXPECT_TRUE(parse_json_body(std::string(32, '[') + std::string(32, ']')).is_ok());
  EXPECT_FALSE(parse_json_body(std::string(33, '[') + std::string(33, ']')).is_ok());
}

TEST(JsonBody, StrictFields) {
  auto v = nlohmann::json::parse(R"({"a":"x","b":1})");
  EXPECT_TRUE(expect_object_with_fields(v, {"a", "b", "c"}));
  Status s = expect_object_with_fields(v, {"a"});
  EXPECT_EQ(s.field(), "b");
  auto a = string_field(v, "a", 10, true);
  ASSERT_TRUE(a.is_ok());
  EXPECT_EQ(**a, "x");
  EXPECT_FALSE(string_field(v, "b", 10, true).is_ok());
  auto missing = string_field(v, "c", 10, false);
  ASSERT_TRUE(missing.is_ok());
  EXPECT_FALSE(missing->has_value());
}

TEST(Target, SplitsPathAndDecodesQuery) {
  std::string path;
  std::map<std::string, std::string, std::less<>> query;
  ASSERT_TRUE(parse_target("/api/v1/sync/pull?cursor=12&limit=5&q=a%20b+c&flag", path, query));
  EXPECT_EQ(path, "/api/v1/sync/pull");
  EXPECT_EQ(query["cursor"], "12");
  EXPECT_EQ(query["limit"], "5");
  EXPECT_EQ(query["q"], "a b c");
  EXPECT_EQ(query["flag"], "");
  EXPECT_FALSE(parse_target("http://example.com/", path, query));
  EXPECT_FALSE(parse_target("/x?a=%g0", path, query));
  const Status twice = parse_target("/api/v1/reports/summary?from=2026-01-01&from=2026-06-01", path, query);
  EXPECT_EQ(twice.code(), ErrorCode::kInvalid);
  EXPECT_NE(twice.message().en.find("\"from\" is given more than once"), std::string::npos) << twice.message().en;
}

TEST(RouterTable, LiteralsCapturesAndMethods) {
  Router router;
  int hit = 0;
  router.add("GET", "/api/v1/requests", [&](const HttpRequest&, ServerState&) { hit = 1; return HttpResponse{}; });
  router.add("GET", "/api/v1/requests/{id}", [&](const HttpRequest&, ServerState&) { hit = 2; return HttpResponse{}; });
  router.add("POST", "/api/v1/requests/{id}", [&](const HttpRequest&, ServerState&) { hit = 3; return HttpResponse{}; });

  auto list = router.find("GET", "/api/v1/requests");
  ASSERT_EQ(list.kind, Router::Lookup::Kind::kFound);
  EXPECT_EQ(list.pattern, "/api/v1/requests");

  auto one = router.find("GET", "/api/v1/requests/0190f0a4-7c4e%2D7");
  ASSERT_EQ(one.kind, Router::Lookup::Kind::kFound);
  EXPECT_EQ(one.params["id"], "0190f0a4-7c4e-7");
  EXPECT_EQ(one.pattern, "/api/v1/requests/{id}");

  auto wrong = router.find("DELETE", "/api/v1/requests/x");
  EXPECT_EQ(wrong.kind, Router::Lookup::Kind::kMethodNotAllowed);
  EXPECT_EQ(wrong.allowed, (std::vector<std::string>{"GET", "POST"}));

  EXPECT_EQ(router.find("GET", "/api/v1/requests/").kind, Router::Lookup::Kind::kNotFound);
  EXPECT_EQ(router.find("GET", "/api/v1/requests/a/b").kind, Router::Lookup::Kind::kNotFound);
  EXPECT_EQ(router.find("GET", "/api/v1").kind, Router::Lookup::Kind::kNotFound);
}

TEST(RateLimiter, SlidingWindowPerUserAndAddress) {
  LoginRateLimiter limiter({3, 5, 1000});
  const Instant t = 10'000;
  // An attempt that is allowed is reserved until it ends; these end as failures.
  auto attempt = [&](const char* user, const char* address, Instant at) {
    auto wait = limiter.begin_attempt(user, address, at);
    if (!wait) limiter.end_attempt(user, address);
    return wait;
  };
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(attempt("alice", "a1", t + i));
    limiter.record_failure("alice", "a1", t + i);
  }
  auto wait = attempt("alice", "a2", t + 10);
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, 990);  // the first failure leaves the window at t + 1000
  EXPECT_FALSE(attempt("alice", "a2", t + 1000));
  EXPECT_FALSE(attempt("bob", "a1", t + 10));  // address a1 has 3 of 5
  limiter.record_failure("bob", "a1", t + 20);
  limiter.record_failure("carol", "a1", t + 20);
  EXPECT_TRUE(attempt("dave", "a1", t + 30));
  limiter.record_success("alice");
  EXPECT_FALSE(attempt("alice", "a9", t + 30));
}

TEST(RateLimiter, AttemptsUnderWayCountSoParallelGuessesCannotAllPass) {
  LoginRateLimiter limiter({3, 5, 1000});
  const Instant t = 10'000;
  // Three guesses sent at once are all being checked: a fourth must wait, although no
  // failure is recorded yet. Before, all sixteen of a burst passed the check.
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(limiter.begin_attempt("alice", "a1", t)) << i;
  auto wait = limiter.begin_attempt("alice", "a2", t);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 1000);
  // They fail: the window is full now.
  for (int i = 0; i < 3; ++i) {
    limiter.record_failure("alice", "a1", t);
    limiter.end_attempt("alice", "a1");
  }
  EXPECT_TRUE(limiter.begin_attempt("alice", "a2", t + 1));
  // An attempt that ends without an outcome (the server was too busy to check) frees its place.
  EXPECT_FALSE(limiter.begin_attempt("bob", "a3", t));
  limiter.end_attempt("bob", "a3");
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(limiter.begin_attempt("bob", "a3", t)) << i;
}

TEST(RateLimiter, AnIpv6ClientIsCountedByItsSlash64) {
  LoginRateLimiter limiter({100, 2, 1000});
  const Instant t = 10'000;
  for (const char* address : {"2001:db8:1:2::1", "2001:db8:1:2::ffff"}) {
    ASSERT_FALSE(limiter.begin_attempt("x", address, t));
    limiter.record_failure("x", address, t);
    limiter.end_attempt("x", address);
  }
  EXPECT_TRUE(limiter.begin_attempt("y", "2001:db8:1:2:dead::beef", t)) << "same /64";
  EXPECT_FALSE(limiter.begin_attempt("y", "2001:db8:1:3::1", t)) << "another /64";
}

struct RecordingListener : CursorListener {
  std::vector<std::int64_t> seen;
  void on_cursor(std::int64_t cursor) override { seen.push_back(cursor); }
};

TEST(CursorAnnouncerTest, FansOutForwardOnlyAndForgetsDeadListeners) {
  CursorAnnouncer announcer;
  auto a = std::make_shared<RecordingListener>();
  auto b = std::make_shared<RecordingListener>();
  announcer.subscribe(a);
  announcer.subscribe(b);
  EXPECT_EQ(announcer.listener_count(), 2u);
  announcer.announce(5);
  announcer.announce(4);  // stale: a commit that finished late
  announcer.announce(5);
  b.reset();
  announcer.announce(9);
  EXPECT_EQ(a->seen, (std::vector<std::int64_t>{5, 9}));
  EXPECT_EQ(announcer.latest(), 9);
  EXPECT_EQ(announcer.listener_count(), 1u);
}

TEST(CursorAnnouncerTest, ConcurrentAnnouncementsAreSafe) {
  CursorAnnouncer announcer;
  auto a = std::make_shared<RecordingListener>();
  std::mutex m;
  struct Locked : CursorListener {
    std::mutex* m;
    std::int64_t max = 0;
    void on_cursor(std::int64_t c) override {
      std::lock_guard lock(*m);
      max = std::max(max, c);
    }
  };
  auto l = std::make_shared<Locked>();
  l->m = &m;
  announcer.subscribe(l);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 1; i <= 1000; ++i) announcer.announce(i * 4 + t);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(announcer.latest(), 4003);
  EXPECT_EQ(l->max, 4003);
}

// The order in which threads got a YieldingMutex: a push (lock()) or a reader between slices
// (lock_after_waiters()) notes its name once it holds the mutex.
struct EntryOrder {
  std::mutex mutex;
  std::string names;
  std::thread push(YieldingMutex& m, char name) {
    return std::thread([&m, this, name] {
      m.lock();
      note(name);
      m.unlock();
    });
  }
  std::thread reader(YieldingMutex& m, char name) {
    return std::thread([&m, this, name] {
      m.lock_after_waiters();
      note(name);
      m.unlock();
    });
  }
  void note(char name) {
    std::lock_guard lock(mutex);
    names += name;
  }
};

// A reader taking the merge lock between two slices lets a push already waiting for it go
// first, though the push was woken no earlier than the reader.
TEST(YieldingMutexTest, AReaderBetweenSlicesLetsTheWaitingThreadInFirst) {
  YieldingMutex m;
  EntryOrder order;
  m.lock();
  std::thread push = order.push(m, 'P');
  while (m.waiting() == 0) std::this_thread::yield();
  std::thread reader = order.reader(m, 'R');
  while (m.readers_looking() == 0) std::this_thread::yield();  // the reader counted the push
  m.unlock();
  push.join();
  reader.join();
  EXPECT_EQ(order.names, "PR");
  // With no one waiting, the reader takes it at once (and holds it).
  m.lock_after_waiters();
  EXPECT_FALSE(std::async(std::launch::async, [&] { return m.try_lock(); }).get());
  m.unlock();
}

// Two readers between slices both let a waiting push in first, whatever a reader that came
// before the push (and saw no one waiting) does meanwhile.
TEST(YieldingMutexTest, TwoReadersBetweenSlicesBothLetAWaitingPushInFirst) {
  YieldingMutex m;
  EntryOrder order;
  m.lock();
  std::thread early = order.reader(m, 'E');  // sees no one waiting: goes straight to the mutex
  std::thread push = order.push(m, 'P');
  while (m.waiting() == 0) std::this_thread::yield();
  std::thread a = order.reader(m, 'A');
  std::thread b = order.reader(m, 'B');
  while (m.readers_looking() < 2) std::this_thread::yield();  // both readers counted the push
  m.unlock();
  for (std::thread* t : {&push, &early, &a, &b}) t->join();
  ASSERT_EQ(order.names.size(), 4u);
  EXPECT_LT(order.names.find('P'), order.names.find('A')) << order.names;
  EXPECT_LT(order.names.find('P'), order.names.find('B')) << order.names;
}

TEST(Config, FileKeysAndErrors) {
  testing::TempDir dir;
  const auto file = dir.path() / "server.json";
  std::ofstream(file) << R"({"listen": "0.0.0.0:9000", "threads": 3, "token_ttl_days": 7, "max_body_bytes": 4096})";
  ServerConfig c;
  ASSERT_TRUE(apply_config_file(file, c));
  EXPECT_EQ(c.listen_host, "0.0.0.0");
  EXPECT_EQ(c.listen_port, 9000);
  EXPECT_EQ(c.io_threads, 3);
  EXPECT_EQ(c.token_ttl_days, 7);
  EXPECT_EQ(c.max_body_bytes, 4096u);

  Status unknown = apply_config_json(nlohmann::json{{"thread", 2}}, c);
  EXPECT_EQ(unknown.code(), ErrorCode::kInvalid);
  EXPECT_NE(unknown.message().en.find("thread"), std::string::npos);
  EXPECT_FALSE(apply_config_json(nlohmann::json{{"threads", "2"}}, c));
  EXPECT_FALSE(apply_config_json(nlohmann::json{{"threads", 0}}, c));
  EXPECT_FALSE(apply_config_json(nlohmann::json::array(), c));
  EXPECT_EQ(apply_config_file(dir.path() / "missing.json", c).code(), ErrorCode::kIo);

  EXPECT_EQ(c.attachment_disk_reserve_bytes, std::uint64_t{1} << 30);
  ASSERT_TRUE(apply_config_json(nlohmann::json{{"attachment_disk_reserve_bytes", 0}}, c));
  EXPECT_EQ(c.attachment_disk_reserve_bytes, 0u);
  EXPECT_FALSE(apply_config_json(nlohmann::json{{"attachment_disk_reserve_bytes", -1}}, c));
}

TEST(Config, AWebhookNamesATeamCodeOrEveryTeam) {
  ServerConfig c;
  auto hook = [](const char* team) {
    return nlohmann::json{{"webhooks", {{{"url", "https://hooks.example/x"}, {"team", team}}}}};
  };
  ASSERT_TRUE(apply_config_json(hook("north"), c));
  ASSERT_EQ(c.webhooks.size(), 1u);
  EXPECT_EQ(c.webhooks[0].team, "NORTH") << "compared with request teams, which are upper case";
  ASSERT_TRUE(apply_config_json(hook("*"), c));
  Status typo = apply_config_json(hook("NORTH-1"), c);
  EXPECT_EQ(typo.code(), ErrorCode::kInvalid);
  EXPECT_NE(typo.message().en.find("NORTH-1"), std::string::npos) << typo.message().en;
}

TEST(Config, TrustedProxiesAreIpAddresses) {
  ServerConfig c;
  ASSERT_TRUE(apply_config_json(nlohmann::json{{"trusted_proxies", {"10.0.0.5", "::1"}}}, c));
  EXPECT_EQ(c.trusted_proxies, (std::vector<std::string>{"10.0.0.5", "::1"}));
  Status bad = apply_config_json(nlohmann::json{{"trusted_proxies", {"10.0.0.5", "proxy.internal"}}}, c);
  EXPECT_EQ(bad.code(), ErrorCode::kInvalid);
  EXPECT_NE(bad.message().en.find("trusted_proxies"), std::string::npos);
  EXPECT_EQ(c.trusted_proxies.size(), 2u) << "a refused value changes nothing";
  EXPECT_FALSE(apply_config_json(nlohmann::json{{"trusted_proxies", "10.0.0.5"}}, c));
}

TEST(Forwarded, ClientAddressBelievesOnlyTrustedProxies) {
  const std::vector<std::string> proxies = {"10.0.0.5", "10.0.0.6"};
  // No proxies configured, or the peer is not one: the header is ignored (it may be forged).
  EXPECT_EQ(client_address("10.0.0.5", "203.0.113.9", {}), "10.0.0.5");
  EXPECT_EQ(client_address("198.51.100.1", "203.0.113.9", proxies), "198.51.100.1");
  // Through our proxy: the client it saw.
  EXPECT_EQ(client_address("10.0.0.5", "203.0.113.9", proxies), "203.0.113.9");
  // The rightmost untrusted hop wins; what the client wrote on the left is not believed.
  EXPECT_EQ(client_address("10.0.0.5", "1.2.3.4, 203.0.113.9", proxies), "203.0.113.9");
  EXPECT_EQ(client_address("10.0.0.5", "203.0.113.9, 10.0.0.6", proxies), "203.0.113.9");
  EXPECT_EQ(client_address("10.0.0.5", " 2001:db8::7 ", proxies), "2001:db8::7");
  // Malformed or only proxies: the peer.
  EXPECT_EQ(client_address("10.0.0.5", "203.0.113.9, not-an-ip", proxies), "10.0.0.5");
  EXPECT_EQ(client_address("10.0.0.5", "10.0.0.6", proxies), "10.0.0.5");
  EXPECT_EQ(client_address("10.0.0.5", "", proxies), "10.0.0.5");
  // Listening on [::], an IPv4 proxy's address arrives mapped: still the trusted proxy.
  EXPECT_EQ(client_address("::ffff:10.0.0.5", "203.0.113.9", proxies), "203.0.113.9");
  EXPECT_EQ(client_address("::ffff:198.51.100.1", "203.0.113.9", proxies), "198.51.100.1");
  EXPECT_EQ(client_address("2001:DB8:0::7", "", {}), "2001:db8::7");
  EXPECT_EQ(canonical_ip("not-an-ip"), "not-an-ip");
  EXPECT_TRUE(is_ip_address("127.0.0.1"));
  EXPECT_FALSE(is_ip_address("127.0.0.1:80"));
}

TEST(Forwarded, AddressGroupsCountAnIpv6SubscriberOnce) {
  EXPECT_EQ(address_group("203.0.113.9"), "203.0.113.9");
  EXPECT_EQ(address_group("::ffff:203.0.113.9"), "203.0.113.9") << "mapped IPv4 is the IPv4 address";
  EXPECT_EQ(address_group("2001:db8:1:2:dead::beef"), "2001:db8:1:2::/64");
  EXPECT_EQ(address_group("2001:DB8:1:2::1"), "2001:db8:1:2::/64");
  EXPECT_NE(address_group("2001:db8:1:3::1"), address_group("2001:db8:1:2::1"));
  EXPECT_EQ(address_group(std::string(500, 'x')).size(), 128u) << "not an address: bounded";
  EXPECT_TRUE(is_trusted_proxy("::ffff:10.0.0.5", {"10.0.0.5"}));
  EXPECT_FALSE(is_trusted_proxy("10.0.0.6", {"10.0.0.5"}));
}

TEST(StreamSlots, EachUserHoldsAtMostTheLimitAndGetsPlacesBack) {
  StreamSlots slots(2);
  auto a1 = slots.take("alice");
  auto a2 = slots.take("alice");
  ASSERT_TRUE(a1 && a2);
  EXPECT_FALSE(slots.take("alice")) << "a third stream is over the limit";
  EXPECT_TRUE(slots.take("bob")) << "other users are not affected";
  EXPECT_EQ(slots.held_by("bob"), 0u) << "a slot not kept is given back";
  {
    StreamSlots::Slot moved = std::move(*a1);
    a1.reset();
    EXPECT_EQ(slots.held_by("alice"), 2u) << "moving a slot does not give it back";
  }
  EXPECT_EQ(slots.held_by("alice"), 1u);
  EXPECT_TRUE(slots.take("alice"));
  StreamSlots unlimited(0);
  std::vector<StreamSlots::Slot> many;
  for (int i = 0; i < 100; ++i) many.push_back(*unlimited.take("alice"));
  EXPECT_EQ(unlimited.held_by("alice"), 100u);
}

TEST(Config, ListenAddresses) {
  std::string host;
  std::uint16_t port = 1;
  ASSERT_TRUE(parse_listen("127.0.0.1:0", host, port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 0);
  ASSERT_TRUE(parse_listen("[::1]:8080", host, port));
  EXPECT_EQ(host, "::1");
  ASSERT_TRUE(parse_listen(":8080", host, port));
  EXPECT_EQ(host, "0.0.0.0");
  EXPECT_FALSE(parse_listen("localhost", host, port));
  EXPECT_FALSE(parse_listen("host:99999", host, port));
  EXPECT_FALSE(parse_listen("host:8x", host, port));
}

TEST(CommandLine, FlagsOverrideTheConfigFileWhateverTheOrder) {
  testing::TempDir dir;
  const auto file = dir.path() / "server.json";
  std::ofstream(file) << R"({"threads": 3, "workers": 4, "data": "/from/file"})";
  auto cl = parse_command_line({"--threads", "5", "--config", file.string(), "--listen=127.0.0.1:0"});
  ASSERT_TRUE(cl.is_ok()) << cl.status().message().en;
  EXPECT_EQ(cl->config.io_threads, 5);
  EXPECT_EQ(cl->config.worker_threads, 4);
  EXPECT_EQ(cl->config.data_dir, "/from/file");
  EXPECT_EQ(cl->config.listen_port, 0);
  EXPECT_TRUE(cl->admin_args.empty());
}

TEST(CommandLine, AConfigFileErrorSaysWhereAndWhy) {
  testing::TempDir dir;
  const auto file = dir.path() / "server.json";
  std::ofstream(file) << "{\n  \"threads\": 3,\n  \"workers\": 4,,\n}\n";
  auto broken = parse_command_line({"--config", file.string()});
  ASSERT_FALSE(broken.is_ok());
  const std::string en = broken.status().message().en;
  EXPECT_NE(en.find("the file is not well-formed JSON (line 3, column"), std::string::npos) << en;
  EXPECT_EQ(en.find("request body"), std::string::npos) << en;
  // A number too large for a double is no parse_error with a position: said, not thrown.
  std::ofstream(file, std::ios::trunc) << R"({"threads": 1e400})";
  auto huge = parse_command_line({"--config", file.string()});
  ASSERT_FALSE(huge.is_ok());
  EXPECT_NE(huge.status().message().en.find("not well-formed JSON"), std::string::npos) << huge.status().message().en;
  auto missing = parse_command_line({"--config", (dir.path() / "nope.json").string()});
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kIo);
  EXPECT_NE(missing.status().message().en.find("No such file"), std::string::npos) << missing.status().message().en;
}

TEST(CommandLine, AdminCommandsAndErrors) {
  auto cl = parse_command_line({"--data", "/d", "user", "add", "alice", "--role", "field"});
  ASSERT_TRUE(cl.is_ok());
  EXPECT_EQ(cl->config.data_dir, "/d");
  EXPECT_EQ(cl->admin_args, (std::vector<std::string>{"user", "add", "alice", "--role", "field"}));
  EXPECT_FALSE(parse_command_line({"--threads"}).is_ok());
  EXPECT_FALSE(parse_command_line({"--threads", "0"}).is_ok());
  EXPECT_FALSE(parse_command_line({"--frobnicate"}).is_ok());
  EXPECT_FALSE(parse_command_line({"serve"}).is_ok());
  EXPECT_TRUE(parse_command_line({"--help"})->help);
  // A switch given a value is refused: --test-hooks=false must not turn the test hooks on.
  auto hooks = parse_command_line({"--test-hooks=false"});
  ASSERT_FALSE(hooks.is_ok());
  EXPECT_NE(hooks.status().message().en.find("takes no value"), std::string::npos) << hooks.status().message().en;
  EXPECT_NE(usage_text().find("--password-stdin"), std::string::npos);
}

}  // namespace
}  // namespace rapidesk::server
