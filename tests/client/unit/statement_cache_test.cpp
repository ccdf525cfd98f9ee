// sqlite::Database::cached: the statements a profile runs over and over (outbox inserts,
// meta upserts, view writes) are prepared once and handed back reset.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "rapidesk/sqlite/database.h"

namespace rapidesk::sqlite {
namespace {

class StatementCache : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("rapidesk-cache-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
    auto db = Database::open(dir_ / "t.db");
    ASSERT_TRUE(db) << db.status().message().en;
    db_ = std::move(*db);
    ASSERT_TRUE(db_->exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a'), (2, 'b');",
                          "test table"));
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(StatementCache, TheSameSqlGivesTheSameStatementResetForTheNextUse) {
  auto first = db_->cached("SELECT v FROM t ORDER BY k");
  ASSERT_TRUE(first);
  auto row = (*first)->step();
  ASSERT_TRUE(row && *row);
  EXPECT_EQ((*first)->text(0), "a");
  // Left mid-way (one row read): handed back from the start.
  auto again = db_->cached("SELECT v FROM t ORDER BY k");
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *first);
  row = (*again)->step();
  ASSERT_TRUE(row && *row);
  EXPECT_EQ((*again)->text(0), "a");
  auto other = db_->cached("SELECT v FROM t WHERE k = ?1");
  ASSERT_TRUE(other);
  EXPECT_NE(*other, *first);
}

TEST_F(StatementCache, BadSqlIsAnErrorAndNothingIsKept) {
  auto bad = db_->cached("SELEC v FROM t");
  EXPECT_FALSE(bad);
  auto still_bad = db_->cached("SELEC v FROM t");
  EXPECT_FALSE(still_bad);
}

TEST_F(StatementCache, CachedWritesWorkInsideTransactions) {
  {
    Transaction tx(*db_);
    ASSERT_TRUE(tx.status());
    for (int k = 3; k < 6; ++k) {
      auto insert = db_->cached("INSERT INTO t (k, v) VALUES (?1, ?2)");
      ASSERT_TRUE(insert);
      ASSERT_TRUE((*insert)->bind(1, std::int64_t{k}).bind(2, std::string("x")).run());
    }
    ASSERT_TRUE(tx.commit());
  }
  auto count = db_->cached("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(count);
  auto row = (*count)->step();
  ASSERT_TRUE(row && *row);
  EXPECT_EQ((*count)->integer(0), 5);
}

}  // namespace
}  // namespace rapidesk::sqlite
