#include "rapidesk/shared/utf8.h"

#include <gtest/gtest.h>

#include "rapidesk/shared/validation.h"

namespace rapidesk {
namespace {

TEST(Utf8, DecodesEachSequenceLength) {
  const std::string_view text = "a\xC3\xA9\xE5\x8F\x91\xF0\x9F\x98\x80";  // a é 发 😀
  CodePoint cp = next_code_point(text, 0);
  EXPECT_EQ(cp.value, U'a');
  EXPECT_EQ(cp.length, 1u);
  EXPECT_TRUE(cp.valid);
  cp = next_code_point(text, 1);
  EXPECT_EQ(cp.value, U'\u00E9');
  EXPECT_EQ(cp.length, 2u);
  cp = next_code_point(text, 3);
  EXPECT_EQ(cp.value, U'\u53D1');
  EXPECT_EQ(cp.length, 3u);
  cp = next_code_point(text, 6);
  EXPECT_EQ(cp.value, U'\U0001F600');
  EXPECT_EQ(cp.length, 4u);
  EXPECT_TRUE(cp.valid);
}

TEST(Utf8, InvalidSequencesAreOneReplacedByte) {
  for (const std::string_view bad : {
           std::string_view("\x80"),              // continuation byte first
           std::string_view("\xFF"),              // never valid
           std::string_view("\xC0\xAF"),          // overlong '/'
           std::string_view("\xE0\x80\xAF"),      // overlong '/'
           std::string_view("\xED\xA0\x80"),      // UTF-16 surrogate
           std::string_view("\xF4\x90\x80\x80"),  // past U+10FFFF
           std::string_view("\xE5\x8F"),          // truncated
           std::string_view("\xE5(\x91"),         // broken continuation
       }) {
    const CodePoint cp = next_code_point(bad, 0);
    EXPECT_FALSE(cp.valid) << ::testing::PrintToString(bad);
    EXPECT_EQ(cp.length, 1u);
    EXPECT_EQ(cp.value, kReplacementCharacter);
  }
  EXPECT_FALSE(next_code_point("", 0).valid);  // past the end: a harmless invalid step
}

TEST(Utf8, FirstInvalidByteIsReported) {
  EXPECT_EQ(first_invalid_utf8("发票 invoice"), std::string_view::npos);
  EXPECT_EQ(first_invalid_utf8(""), std::string_view::npos);
  EXPECT_EQ(first_invalid_utf8("ab\xE5\x8F"), 2u);
  EXPECT_EQ(first_invalid_utf8("发\xED\xA0\x80"), 3u);
  EXPECT_TRUE(is_valid_utf8("退款"));
  EXPECT_FALSE(is_valid_utf8("\xC0\x80"));
}

TEST(Utf8, EncodingRoundTrips) {
  std::string out;
  for (const char32_t cp : {U'a', U'\u00E9', U'\u53D1', U'\U0001F600'}) append_utf8(out, cp);
  EXPECT_EQ(out, "a\xC3\xA9\xE5\x8F\x91\xF0\x9F\x98\x80");
  out.clear();
  append_utf8(out, 0xD800);  // not encodable: replaced
  append_utf8(out, 0x110000);
  EXPECT_EQ(out, "\xEF\xBF\xBD\xEF\xBF\xBD");
}

}  // namespace
}  // namespace rapidesk
