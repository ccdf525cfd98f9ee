#include <gtest/gtest.h>

#include "rapidesk/sync/field_op.h"
#include "rapidesk/sync/uuid.h"
#include "rapidesk/sync/value.h"
#include "test_support.h"

namespace rapidesk::sync {
namespace {

TEST(UuidV7, HasTimeVersionAndVariantAndUsesTheRandomSource) {
  testing::SplitMix rng(1);
  const std::string a = make_uuid_v7(testing::kT0, [&] { return rng(); });
  const std::string b = make_uuid_v7(testing::kT0, [&] { return rng(); });
  EXPECT_TRUE(is_uuid_v7(a)) << a;
  EXPECT_NE(a, b);
  EXPECT_EQ(a.size(), 36u);
  EXPECT_EQ(a[14], '7');
  EXPECT_NE(std::string("89ab").find(a[19]), std::string::npos);
  EXPECT_EQ(uuid_v7_time(a), testing::kT0);
  EXPECT_EQ(a.substr(0, 13), "019b76da-a800");  // 2026-01-01T00:00:00Z = 0x019b76daa800
  // Same inputs, same id: deterministic given the random source.
  testing::SplitMix r1(9), r2(9);
  EXPECT_EQ(make_uuid_v7(5, [&] { return r1(); }), make_uuid_v7(5, [&] { return r2(); }));
  // Later time sorts later.
  EXPECT_LT(make_uuid_v7(testing::kT0, [&] { return rng(); }), make_uuid_v7(testing::kT0 + 1, [&] { return rng(); }));
}

TEST(UuidV7, RejectsOtherForms) {
  EXPECT_FALSE(is_uuid_v7("019b7700-f800-4000-8000-000000000000"));  // version 4
  EXPECT_FALSE(is_uuid_v7("019b7700-f800-7000-c000-000000000000"));  // variant
  EXPECT_FALSE(is_uuid_v7("019B7700-F800-7000-8000-000000000000"));  // upper case
  EXPECT_FALSE(is_uuid_v7("019b7700f80070008000000000000000"));      // no dashes
  EXPECT_FALSE(is_uuid_v7(""));
  EXPECT_TRUE(is_uuid_v7("019b7700-f800-7000-8000-000000000000"));
}

TEST(Value, KindsCompareAndPrintCanonically) {
  EXPECT_EQ(Value::null().canonical(), "null");
  EXPECT_EQ(Value::boolean(true).canonical(), "true");
  EXPECT_EQ(Value::integer(-42).canonical(), "-42");
  EXPECT_EQ(Value::real(1.0).canonical(), "1.0");
  EXPECT_EQ(Value::real(0.1).canonical(), "0.1");
  EXPECT_EQ(Value::string("a\"b\n\x01").canonical(), "\"a\\\"b\\n\\u0001\"");
  // Escapes at either end and back to back, plain runs between them, UTF-8 passed through.
  EXPECT_EQ(Value::string("\\\t\r\x1f客户 12\"").canonical(), "\"\\\\\\t\\r\\u001f客户 12\\\"\"");
  EXPECT_EQ(Value::string("").canonical(), "\"\"");
  EXPECT_NE(Value::integer(1), Value::real(1.0));
  EXPECT_NE(Value::integer(0), Value::null());
  EXPECT_NE(Value::boolean(false), Value::null());
  EXPECT_EQ(Value::string("x"), Value::string("x"));
}

TEST(OpIds, FormatAndConflictIds) {
  EXPECT_EQ(make_op_id("laptop-li", 42), "laptop-li:42");
  EXPECT_TRUE(is_valid_op_id("laptop-li:42"));
  EXPECT_FALSE(is_valid_op_id(""));
  EXPECT_FALSE(is_valid_op_id("a b"));
  EXPECT_FALSE(is_valid_op_id(std::string(101, 'a')));
  EXPECT_EQ(conflict_id_for("laptop-li:42"), "cf:laptop-li:42");
  EXPECT_TRUE(is_conflict_id("cf:laptop-li:42"));
  EXPECT_EQ(loser_op_of("cf:laptop-li:42"), "laptop-li:42");
  EXPECT_FALSE(is_conflict_id("cf:"));
  EXPECT_FALSE(is_conflict_id("laptop-li:42"));
}

}  // namespace
}  // namespace rapidesk::sync
