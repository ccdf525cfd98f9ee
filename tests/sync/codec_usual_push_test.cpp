// decode_push's fast path (sync/src/codec_usual_push.h): it decodes the bodies clients
// send, and for every body decode_push answers exactly as the general decoder.
#include "codec_usual_push.h"

#include <gtest/gtest.h>

#include <random>

#include "test_support.h"

namespace rapidesk::sync {
namespace {

using testing::make_op;
using testing::stamp;
using testing::str;

void expect_same(const DecodedPush& a, const DecodedPush& b, const std::string& body) {
  EXPECT_EQ(a.problem, b.problem) << body;
  EXPECT_EQ(a.status.code(), b.status.code()) << body;
  EXPECT_EQ(a.status.message(), b.status.message()) << body;
  EXPECT_EQ(a.protocol, b.protocol) << body;
  EXPECT_EQ(a.device, b.device) << body;
  EXPECT_EQ(a.ops, b.ops) << body;
  ASSERT_EQ(a.errors.size(), b.errors.size()) << body;
  for (std::size_t i = 0; i < a.errors.size(); ++i) {
    EXPECT_EQ(a.errors[i].index, b.errors[i].index) << body;
    EXPECT_EQ(a.errors[i].op, b.errors[i].op) << body;
    EXPECT_EQ(a.errors[i].problem, b.errors[i].problem) << body;
    EXPECT_EQ(a.errors[i].status.message(), b.errors[i].status.message()) << body;
  }
}

// Whether the fast path took `body`; and in every case decode_push == the general decoder.
bool fast_path_takes(const std::string& body, const CodecLimits& limits = {}) {
  DecodedPush fast;
  const bool taken = detail::decode_usual_push(body, limits, fast);
  const DecodedPush general = detail::decode_push_general(body, limits);
  expect_same(decode_push(body, limits), general, body);
  if (taken) {
    EXPECT_TRUE(general.ok() && general.errors.empty()) << body;
    expect_same(fast, general, body);
  }
  return taken;
}

std::vector<FieldOp> varied_ops() {
  const std::string row = testing::row_id(7);
  std::vector<FieldOp> ops = {
      make_op("tab:1", "request", row, "description", str("扫码枪无法连接 \"POS\" 系统\n第二行\t\\ / end"),
              stamp(1000, 0, "tab")),
      make_op("tab:2", "request", row, "customer", str("客户"), stamp(1001, 3, "tab"), stamp(900, 1, "phone")),
      make_op("tab:3", "request", row, "priority", str("urgent"), stamp(1002, 0, "tab")),
      make_op("tab:4", "request", row, "progress", Value::integer(2), stamp(1003, 0, "tab")),
      make_op("tab:5", "request", row, "customer_id", Value::null(), stamp(1004, 0, "tab")),
  };
  for (FieldOp& op : ops) op.author.clear();  // a push carries none
  return ops;
}

TEST(UsualPushDecoding, BodiesAsClientsWriteThemTakeTheFastPath) {
  const std::vector<FieldOp> ops = varied_ops();
  const std::string body = encode_push("tab", ops);
  ASSERT_TRUE(fast_path_takes(body));
  const DecodedPush d = decode_push(body);
  EXPECT_EQ(d.ops, ops);
  EXPECT_EQ(d.device, "tab");
  EXPECT_TRUE(fast_path_takes(encode_push("tab", {})));
}

TEST(UsualPushDecoding, SpacingAndMemberOrderDoNotMatter) {
  const std::string row = testing::row_id(7);
  const std::string body =
      " {\n \"device\" : \"tab\" ,\t\"protocol\":1,\r\n\"ops\":[ {\"base\":null, \"value\" : 42 ,"
      "\"hlc\":\"" +
      format_stamp(stamp(5, 0, "tab")) + "\",\"field\":\"progress\",\"row\":\"" + row +
      "\",\"entity\":\"request\",\"op\":\"tab:9\"} ] } \n";
  EXPECT_TRUE(fast_path_takes(body));
  EXPECT_EQ(decode_push(body).ops.at(0).value, Value::integer(42));
  // Refused ops (a negative progress, a server-owned field) are the general decoder's to explain.
  std::string negative = body;
  negative.replace(negative.find("42"), 2, "-12");
  EXPECT_FALSE(fast_path_takes(negative));
  std::string server_owned = body;
  server_owned.replace(server_owned.find("progress"), 8, "sla_breached");
  EXPECT_FALSE(fast_path_takes(server_owned));
}

TEST(UsualPushDecoding, EverythingElseIsLeftToTheGeneralDecoder) {
  const std::string good = encode_push("tab", varied_ops());
  ASSERT_TRUE(fast_path_takes(good));
  const auto with = [&](std::string_view from, std::string_view to) {
    std::string body = good;
    const std::size_t at = body.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) body.replace(at, from.size(), to);
    return body;
  };
  const std::vector<std::string> others = {
      with("\"op\":\"tab:1\"", "\"op\":\"tab:1\",\"extra\":1"),       // unknown op member
      with("\"op\":\"tab:1\"", "\"op\":\"tab:1\",\"op\":\"tab:8\""),  // a member twice
      with("\"protocol\":1", "\"protocol\":1,\"note\":\"x\""),        // unknown envelope member
      with("\"protocol\":1", "\"protocol\":2"),                       // another protocol
      with("\"protocol\":1", "\"protocol\":1.0"),
      with("\"value\":2", "\"value\":2.5"),  // a double
      with("\"value\":2", "\"value\":1e3"),
      with("\"value\":2", "\"value\":12345678901234567890"),  // beyond int64
      with("\"value\":2", "\"value\":-0"),
      with("\"value\":2", "\"value\":02"),
      with("\"value\":2", "\"value\":[2]"),
      with("\"value\":2", "\"value\":{}"),
      with("\"value\":\"urgent\"", "\"value\":\"\\u0075rgent\""),                            // \u escape
      with("\"value\":\"urgent\"", "\"value\":\"urg\tent\""),                                // raw control character
      with("\"value\":\"urgent\"", "\"value\":\"\\xurgent\""),                               // bad escape
      with("\"field\":\"priority\"", "\"fi\\u0065ld\":\"priority\""),                        // escaped member name
      with(format_stamp(stamp(1002, 0, "tab")), format_stamp(stamp(1002, 0, "tab")) + "x"),  // bad stamp
      with("\"entity\":\"request\"", "\"entity\":\"nothing\""),
      with("\"device\":\"tab\"", "\"device\":\"phone\""),               // ops stamped by another device
      with("{\"protocol\":1,\"device\":\"tab\",", "{\"protocol\":1,"),  // no device
      with("\"ops\":[", "\"ops\":{"),
      good + "x",                                        // trailing bytes
      "\xEF\xBB\xBF" + good,                             // byte order mark
      good.substr(0, good.size() - 1),                   // cut short
      "{\"ops\":[],\"device\":\"tab\",\"protocol\":1}",  // ops before the device
      "{}",
      "",
  };
  for (const std::string& body : others) EXPECT_FALSE(fast_path_takes(body)) << body;
}

TEST(UsualPushDecoding, LimitsAreTheGeneralDecodersOwn) {
  const std::string body = encode_push("tab", varied_ops());
  CodecLimits few_ops;
  few_ops.max_ops = 4;
  EXPECT_FALSE(fast_path_takes(body, few_ops));
  CodecLimits short_strings;
  short_strings.max_string_bytes = 20;
  EXPECT_FALSE(fast_path_takes(body, short_strings));
  CodecLimits small_body;
  small_body.max_body_bytes = body.size() - 1;
  EXPECT_FALSE(fast_path_takes(body, small_body));
  CodecLimits shallow;
  shallow.max_depth = 2;
  EXPECT_FALSE(fast_path_takes(body, shallow));
  std::string bad_utf8 = body;
  bad_utf8.insert(bad_utf8.find("POS"), 1, '\xC3');
  EXPECT_FALSE(fast_path_takes(bad_utf8));
}

// Random damage to usual bodies: whatever the fast path does, decode_push answers as the
// general decoder (the fuzz entry point checks the same on every input it runs).
TEST(UsualPushDecoding, DamagedBodiesAnswerAsTheGeneralDecoder) {
  const std::string good = encode_push("tab", varied_ops());
  std::mt19937 rng(20261205);
  const std::string alphabet = "{}[]\":,\\ 0123456789-.etrufalsn\x01\xE6\x89";
  int taken = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string body = good;
    for (int edits = 1 + static_cast<int>(rng() % 3); edits > 0; --edits) {
      const std::size_t at = rng() % body.size();
      switch (rng() % 3) {
        case 0:
          body[at] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          body.erase(at, 1 + rng() % 4);
          break;
        default:
          body.insert(at, 1, alphabet[rng() % alphabet.size()]);
          break;
      }
    }
    if (fast_path_takes(body)) ++taken;
  }
  // Some damage leaves a valid body (a changed digit or letter inside a string).
  EXPECT_GT(taken, 0);
}

}  // namespace
}  // namespace rapidesk::sync
