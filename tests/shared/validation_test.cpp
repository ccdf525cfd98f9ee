#include "rapidesk/shared/validation.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace rapidesk {
namespace {

using testing::at;

Request valid_request() {
  Request r;
  r.customer = "华东物流";
  r.category = Category::kComplaint;
  r.channel = Channel::kVisit;
  r.description = "仓库扫码枪连不上系统";
  r.contacted_at = at("2026-11-23T09:00:00+08:00");
  return r;
}

TEST(Validation, AValidIntakePasses) {
  EXPECT_TRUE(validate_intake(valid_request(), at("2026-11-23T09:10:00+08:00")).empty());
}

TEST(Validation, EveryMissingRequiredFieldIsNamed) {
  const auto errors = validate_intake(Request{}, at("2026-11-23T09:10:00+08:00"));
  std::vector<std::string> fields;
  for (const auto& e : errors) fields.push_back(e.field());
  EXPECT_EQ(fields, (std::vector<std::string>{"customer", "category", "description", "channel", "contacted_at"}));
  EXPECT_EQ(errors[2].message().en, "Description is required.");
  EXPECT_EQ(errors[2].message().zh, "问题描述为必填项。");
}

TEST(Validation, EmptyDescriptionIsRejected) {
  auto r = valid_request();
  r.description = "  \n ";
  const auto errors = validate_intake(r, at("2026-11-23T09:10:00+08:00"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field(), "description");
}

TEST(Validation, SatisfactionSevenIsOutOfRange) {
  auto s = validate_satisfaction(7);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.message().en, "Satisfaction must be a whole number from 1 to 5, not 7.");
  EXPECT_EQ(s.message().zh, "满意度必须是 1 到 5 的整数，而不是 7。");
  auto r = valid_request();
  r.satisfaction = 7;
  EXPECT_EQ(validate_intake(r, at("2026-11-23T09:10:00+08:00")).at(0).field(), "satisfaction");
  EXPECT_TRUE(validate_satisfaction(1));
  EXPECT_TRUE(validate_satisfaction(5));
  EXPECT_FALSE(validate_satisfaction(0));
}

TEST(Validation, UnknownCategoryListsTheKnownOnes) {
  auto c = parse_enum_field<Category>("category", "gripe");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.status().field(), "category");
  EXPECT_EQ(c.status().message().en,
            "Unknown category \"gripe\"; use one of: consultation, complaint, suggestion, feature, service, tech_support, other.");
  EXPECT_NE(c.status().message().zh.find("未知的"), std::string::npos);
  EXPECT_EQ(*parse_enum_field<Category>("category", "tech_support"), Category::kTechSupport);
}

TEST(Validation, TimesMustMakeSense) {
  auto r = valid_request();
  r.contacted_at = at("2026-11-23T12:00:00+08:00");
  EXPECT_EQ(validate_intake(r, at("2026-11-23T09:10:00+08:00")).at(0).field(), "contacted_at");
  r = valid_request();
  r.expected_at = at("2026-11-22T12:00:00+08:00");
  EXPECT_EQ(validate_intake(r, at("2026-11-23T09:10:00+08:00")).at(0).field(), "expected_at");
}

TEST(Validation, LengthAndEncoding) {
  auto r = valid_request();
  r.title = std::string(kMaxTitleChars, 'x');
  EXPECT_TRUE(validate_intake(r, at("2026-11-23T09:10:00+08:00")).empty());
  r.title += "长";
  EXPECT_EQ(validate_intake(r, at("2026-11-23T09:10:00+08:00")).at(0).field(), "title");
  r = valid_request();
  r.description = "bad \xC3\x28 bytes";
  EXPECT_EQ(validate_intake(r, at("2026-11-23T09:10:00+08:00")).at(0).field(), "description");
  EXPECT_TRUE(is_valid_utf8("满意度 ok"));
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));  // surrogate
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));      // overlong '/'
  EXPECT_EQ(utf8_length("满意度"), 3u);
}

TEST(Validation, ProgressRange) {
  EXPECT_TRUE(validate_progress(0));
  EXPECT_TRUE(validate_progress(100));
  EXPECT_FALSE(validate_progress(101));
  EXPECT_FALSE(validate_progress(-1));
}

}  // namespace
}  // namespace rapidesk
