// The fixture of the tests of the real server on PostgreSQL: each test gets its own schema
// on the tools/postgres-test-server database (RAPIDESK_TEST_PG_URL), dropped afterwards.
#pragma once

#include <pqxx/pqxx>

#include <cstdlib>

#include "harness.h"
#include "rapidesk/sync/client_replica.h"
#include "rapidesk/sync/codec.h"

namespace rapidesk_pg_it {

using namespace rapidesk_it;
namespace sync = rapidesk::sync;

inline std::string base_url() {
  const char* env = std::getenv("RAPIDESK_TEST_PG_URL");
  return env != nullptr && *env != '\0' ? env : "postgresql://postgres@127.0.0.1:55432/rapidesk_test";
}

inline std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class PostgresServerTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    std::random_device rd;
    schema_ = "rapidesk_it_" + std::to_string(rd()) + std::to_string(rd());
    try {
      pqxx::connection c(base_url());
      pqxx::nontransaction tx(c);
      tx.exec("CREATE SCHEMA " + schema_);
      created_ = true;
    } catch (const std::exception& e) {
      FAIL() << "cannot prepare a schema on the PostgreSQL test server at " << base_url() << ": " << e.what()
             << "\nStart it with tools/postgres-test-server (tools/test does), or point RAPIDESK_TEST_PG_URL at "
                "another server.";
    }
    url_ = base_url() + (base_url().find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema_;
  }

  void TearDown() override {
    ServerTest::TearDown();
    server_.reset();
    if (!created_) return;
    try {
      pqxx::connection c(base_url());
      pqxx::nontransaction tx(c);
      tx.exec("DROP SCHEMA " + schema_ + " CASCADE");
    } catch (const std::exception& e) {
      ADD_FAILURE() << "dropping " << schema_ << ": " << e.what();
    }
  }

  // `rapidesk-server --data DIR --database URL ARGS...`
  CliResult admin(std::vector<std::string> args, const std::string& input = {}) {
    args.insert(args.begin(), {"--database", url_});
    return run_cli(data_, args, input, log_);
  }

  long long count(const std::string& table) {
    pqxx::connection c(url_);
    pqxx::nontransaction tx(c);
    return tx.exec1("SELECT COUNT(*) FROM " + table)[0].as<long long>();
  }

  // Pulls everything from cursor 0 into `replica`; returns how many entries arrived.
  size_t pull_all(sync::ClientReplica& replica, const std::string& token) {
    size_t total = 0;
    for (;;) {
      Response r = http(port(), "GET", "/api/v1/sync/pull?cursor=" + std::to_string(replica.cursor()) + "&limit=500",
                        {}, {"Authorization: Bearer " + token});
      EXPECT_EQ(r.status, 200) << r.body;
      auto page = sync::decode_pull(r.body);
      EXPECT_TRUE(page.ok());
      if (r.status != 200 || !page.ok()) return total;
      total += page.entries.size();
      EXPECT_TRUE(replica.on_pull(page.entries, page.cursor));
      if (!page.more) return total;
    }
  }

  std::string schema_;
  std::string url_;
  bool created_ = false;
};

inline sync::ClientReplica make_replica(const std::string& device, const std::string& user) {
  return sync::ClientReplica(sync::ClientOptions{device, user, 1}, [] { return wall_ms(); },
                             [state = std::make_shared<std::mt19937_64>(std::hash<std::string>{}(device))] {
                               return (*state)();
                             });
}

inline std::vector<sync::FieldEdit> request_fields(const std::string& title) {
  return {{"customer", sync::Value::string("宁波港口服务")},
          {"title", sync::Value::string(title)},
          {"category", sync::Value::string("tech_support")},
          {"channel", sync::Value::string("visit")}};
}

}  // namespace rapidesk_pg_it
