// The PostgreSQL side of test_stores.h: each store is a schema of its own in the test
// server's database (so tests run in parallel), made with a random name and dropped after.
#include <pqxx/pqxx>

#include <cstdlib>
#include <random>

#include "test_stores.h"

namespace rapidesk::server::testing {

namespace {

class PostgresTestStore final : public TestStore {
 public:
  PostgresTestStore() : base_url_(test_postgres_url()) {
    std::random_device rd;
    std::mt19937_64 random(static_cast<std::uint64_t>(rd()) << 32 | rd());
    char name[32];
    std::snprintf(name, sizeof name, "rapidesk_t_%016llx", static_cast<unsigned long long>(random()));
    schema_ = name;
    try {
      pqxx::connection c(base_url_);
      pqxx::nontransaction tx(c);
      tx.exec("CREATE SCHEMA " + schema_);
      created_ = true;
    } catch (const std::exception& e) {
      unusable_ = "cannot prepare a schema on the PostgreSQL test server at " + base_url_ + ": " + e.what() +
                  "\nStart it with tools/postgres-test-server (tools/test does), or point RAPIDESK_TEST_PG_URL at "
                  "another server.";
    }
  }

  ~PostgresTestStore() override {
    if (!created_) return;
    try {
      pqxx::connection c(base_url_);
      pqxx::nontransaction tx(c);
      tx.exec("DROP SCHEMA " + schema_ + " CASCADE");
    } catch (const std::exception& e) {
      ADD_FAILURE() << "dropping test schema " << schema_ << ": " << e.what();
    }
  }

  std::string unusable() const override { return unusable_; }

  Result<std::unique_ptr<Storage>> open() override {
    return open_postgres_storage(url_with_schema(base_url_, schema_) + "&application_name=" + schema_);
  }

  void exec(const std::string& sql) override {
    try {
      pqxx::connection c(url_with_schema(base_url_, schema_));
      pqxx::nontransaction tx(c);
      tx.exec(sql);
    } catch (const std::exception& e) {
      ADD_FAILURE() << sql << ": " << e.what();
    }
  }

  long long number(const std::string& sql) override {
    try {
      pqxx::connection c(url_with_schema(base_url_, schema_));
      pqxx::nontransaction tx(c);
      const pqxx::result r = tx.exec(sql);
      if (r.empty() || r[0][0].is_null()) return -1;
      return r[0][0].as<long long>();
    } catch (const std::exception& e) {
      ADD_FAILURE() << sql << ": " << e.what();
      return -1;
    }
  }

  // Every row of every table in the schema, as PostgreSQL prints it.
  std::string stored_bytes() override {
    std::string bytes;
    try {
      pqxx::connection c(base_url_);
      pqxx::nontransaction tx(c);
      const pqxx::result tables = tx.exec_params(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = $1", schema_);
      for (const auto& t : tables) {
        const std::string table = tx.quote_name(schema_) + "." + tx.quote_name(t[0].as<std::string>());
        for (const auto& row : tx.exec("SELECT x::text FROM " + table + " x")) bytes += row[0].as<std::string>() + "\n";
      }
    } catch (const std::exception& e) {
      ADD_FAILURE() << "reading schema " << schema_ << ": " << e.what();
    }
    return bytes;
  }

  std::string empty_version_table_sql() const override {
    return "CREATE TABLE schema_version (version INTEGER PRIMARY KEY NOT NULL, name TEXT NOT NULL, applied_at "
           "BIGINT NOT NULL)";
  }

  const std::string& schema() const { return schema_; }

 private:
  std::string base_url_;
  std::string schema_;
  bool created_ = false;
  std::string unusable_;
};

}  // namespace

std::string test_postgres_url() {
  const char* env = std::getenv("RAPIDESK_TEST_PG_URL");
  return env != nullptr && *env != '\0' ? env : "postgresql://postgres@127.0.0.1:55432/rapidesk_test";
}

std::string url_with_schema(const std::string& base, const std::string& schema) {
  return base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema;
}

std::string postgres_store_application_name(const TestStore& store) {
  return dynamic_cast<const PostgresTestStore&>(store).schema();
}

std::string postgres_store_schema(const TestStore& store) {
  return dynamic_cast<const PostgresTestStore&>(store).schema();
}

std::unique_ptr<TestStore> make_postgres_store() { return std::make_unique<PostgresTestStore>(); }

}  // namespace rapidesk::server::testing
