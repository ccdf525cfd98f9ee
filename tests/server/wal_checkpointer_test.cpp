// sqlite::Checkpointer: the server's sync log commits leave WAL checkpoints to a thread of
// their own, the WAL stays bounded, nothing committed is lost, and detaching gives the
// writer SQLite's own auto-checkpoint back.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "rapidesk/sqlite/checkpointer.h"
#include "test_support.h"

namespace rapidesk::sqlite {
namespace {

class CheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::open(file());
    ASSERT_TRUE(db) << db.status().message().en;
    writer_ = std::move(*db);
    ASSERT_TRUE(writer_->exec("CREATE TABLE log (seq INTEGER PRIMARY KEY, entry TEXT NOT NULL)", "test table"));
  }
  std::filesystem::path file() const { return dir_.path() / "t.db"; }
  std::uintmax_t wal_bytes() const {
    std::error_code ec;
    const auto n = std::filesystem::file_size(dir_.path() / "t.db-wal", ec);
    return ec ? 0 : n;
  }
  // One transaction of `rows` rows of 1 KB each, continuing from *seq.
  void commit_rows(int rows, int* seq) {
    Transaction tx(*writer_);
    ASSERT_TRUE(tx.status());
    auto insert = writer_->cached("INSERT INTO log (seq, entry) VALUES (?1, ?2)");
    ASSERT_TRUE(insert);
    for (int i = 0; i < rows; ++i) {
      ASSERT_TRUE((*insert)->bind(1, static_cast<std::int64_t>(++*seq)).bind(2, std::string(1000, 'x')).run());
    }
    ASSERT_TRUE(tx.commit());
  }
  long long count() {
    auto q = writer_->prepare("SELECT COUNT(*) FROM log");
    EXPECT_TRUE(q);
    auto row = q->step();
    EXPECT_TRUE(row && *row);
    return q->integer(0);
  }

  server::testing::TempDir dir_;     // declared first: removed after the connection closes
  std::unique_ptr<Database> writer_;
};

TEST_F(CheckpointerTest, TheThreadCheckpointsAndTheWalStaysBounded) {
  auto checkpointer = Checkpointer::attach(*writer_, file(), 50);
  ASSERT_TRUE(checkpointer) << checkpointer.status().message().en;
  int seq = 0;
  // ~2,000 pages in all, 10 at a time: forty times the threshold.
  for (int i = 0; i < 200; ++i) {
    commit_rows(40, &seq);
    if (i % 20 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));  // let the thread run
  }
  EXPECT_GT((*checkpointer)->background_runs(), 0);
  // Bounded by the inline fallback (4 x 50 pages) plus one transaction, far below the 8 MB written.
  EXPECT_LT(wal_bytes(), 4u * 1024 * 1024) << wal_bytes();
  EXPECT_EQ(count(), 8000);
  checkpointer->reset();
  // Reopened from the file alone (the WAL checkpointed on close): everything is there.
  writer_.reset();
  auto again = Database::open(file());
  ASSERT_TRUE(again);
  writer_ = std::move(*again);
  EXPECT_EQ(count(), 8000);
}

TEST_F(CheckpointerTest, AWriterFarAheadCheckpointsInline) {
  auto checkpointer = Checkpointer::attach(*writer_, file(), 2);
  ASSERT_TRUE(checkpointer) << checkpointer.status().message().en;
  int seq = 0;
  commit_rows(200, &seq);  // ~50 pages in one commit: past 4 x 2 at once
  EXPECT_GT((*checkpointer)->inline_runs(), 0);
  EXPECT_EQ(count(), 200);
}

TEST_F(CheckpointerTest, DetachingHandsCheckpointsBackToSqlite) {
  {
    auto checkpointer = Checkpointer::attach(*writer_, file(), 50);
    ASSERT_TRUE(checkpointer);
  }
  // The hook is gone with the checkpointer: commits go on, checkpointed by SQLite itself.
  int seq = 0;
  for (int i = 0; i < 40; ++i) commit_rows(40, &seq);
  EXPECT_EQ(count(), 1600);
  EXPECT_LT(wal_bytes(), 8u * 1024 * 1024);
}

TEST_F(CheckpointerTest, AFileThatCannotOpenIsAClearError) {
  auto checkpointer = Checkpointer::attach(*writer_, dir_.path() / "no such dir" / "t.db", 50);
  ASSERT_FALSE(checkpointer);
  EXPECT_EQ(checkpointer.status().code(), ErrorCode::kIo);
}

}  // namespace
}  // namespace rapidesk::sqlite
