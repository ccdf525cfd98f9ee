// Status: an ok Status is one word (no message, no allocation); an error keeps its code,
// bilingual message and field through every copy and move.
#include "rapidesk/shared/status.h"

#include <gtest/gtest.h>

#include <vector>

namespace rapidesk {
namespace {

TEST(Status, OkHasNoMessageAndIsSmall) {
  const Status ok;
  EXPECT_TRUE(ok.is_ok());
  EXPECT_EQ(ok.code(), ErrorCode::kOk);
  EXPECT_TRUE(ok.message().en.empty());
  EXPECT_TRUE(ok.message().zh.empty());
  EXPECT_TRUE(ok.field().empty());
  EXPECT_LE(sizeof(Status), 2 * sizeof(void*));  // an op's merge result carries one
}

TEST(Status, CopiesAndMovesKeepTheError) {
  const Status error = Status::invalid(Text{"Title is required.", "标题为必填项。"}, "title");
  Status copy = error;
  EXPECT_EQ(copy.code(), ErrorCode::kInvalid);
  EXPECT_EQ(copy.message().en, "Title is required.");
  EXPECT_EQ(copy.message().zh, "标题为必填项。");
  EXPECT_EQ(copy.field(), "title");
  EXPECT_NE(&copy.message(), &error.message());  // a copy, not a shared payload

  Status assigned;
  assigned = copy;
  EXPECT_EQ(assigned.message(), error.message());
  assigned = Status::ok();
  EXPECT_TRUE(assigned.is_ok());
  EXPECT_TRUE(assigned.message().en.empty());

  Status moved = std::move(copy);
  EXPECT_EQ(moved.field(), "title");
  EXPECT_EQ(moved.message().en, "Title is required.");

  std::vector<Status> many(100, error);  // grows and copies through the vector
  many.push_back(Status::io(Text{"disk full", "磁盘已满"}));
  for (std::size_t i = 0; i < 100; ++i) EXPECT_EQ(many[i].message(), error.message());
  EXPECT_EQ(many.back().code(), ErrorCode::kIo);
  EXPECT_TRUE(many.back().field().empty());

  Status again = error;
  const Status& alias = again;
  again = alias;  // self-assignment keeps the error
  EXPECT_EQ(again.field(), "title");
  EXPECT_EQ(again.message(), error.message());
}

TEST(Status, AResultCarriesItsError) {
  Result<int> bad = Status::not_found(Text{"No such request.", "没有该请求。"});
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kNotFound);
  Result<int> copied = bad;
  EXPECT_EQ(copied.status().message().zh, "没有该请求。");
  Result<int> good = 7;
  EXPECT_TRUE(good.status().is_ok());
  EXPECT_EQ(*good, 7);
}

}  // namespace
}  // namespace rapidesk
