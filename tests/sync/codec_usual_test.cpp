// The decoders' fast paths (sync/src/codec_usual.h): they decode the bodies Rapidesk writes
// (pushes, pull pages), and for every body decode_push and decode_pull answer exactly as the
// general decoders.
#include "codec_usual.h"

#include <gtest/gtest.h>

#include <random>

#include "test_support.h"

namespace rapidesk::sync {
namespace {

using testing::make_op;
using testing::stamp;
using testing::str;

// What every decoded body answers besides its own members: the problem and each op's error.
template <typename Decoded>
void expect_same_answer(const Decoded& a, const Decoded& b, const std::string& body) {
  EXPECT_EQ(a.problem, b.problem) << body;
  EXPECT_EQ(a.status.code(), b.status.code()) << body;
  EXPECT_EQ(a.status.message(), b.status.message()) << body;
  ASSERT_EQ(a.errors.size(), b.errors.size()) << body;
  for (std::size_t i = 0; i < a.errors.size(); ++i) {
    EXPECT_EQ(a.errors[i].index, b.errors[i].index) << body;
    EXPECT_EQ(a.errors[i].op, b.errors[i].op) << body;
    EXPECT_EQ(a.errors[i].problem, b.errors[i].problem) << body;
    EXPECT_EQ(a.errors[i].status.message(), b.errors[i].status.message()) << body;
  }
}

void expect_same(const DecodedPush& a, const DecodedPush& b, const std::string& body) {
  expect_same_answer(a, b, body);
  EXPECT_EQ(a.protocol, b.protocol) << body;
  EXPECT_EQ(a.device, b.device) << body;
  EXPECT_EQ(a.ops, b.ops) << body;
}

void expect_same(const DecodedPull& a, const DecodedPull& b, const std::string& body) {
  expect_same_answer(a, b, body);
  EXPECT_EQ(a.entries, b.entries) << body;
  EXPECT_EQ(a.cursor, b.cursor) << body;
  EXPECT_EQ(a.more, b.more) << body;
}

// Whether a fast path took `body`; and in every case the decoder's answer is the general
// decoder's.
template <typename Decoded>
bool takes(const std::string& body, const CodecLimits& limits,
           bool (*fast_path)(std::string_view, const CodecLimits&, Decoded&),
           Decoded (*general_decoder)(std::string_view, const CodecLimits&),
           Decoded (*decoder)(std::string_view, const CodecLimits&)) {
  Decoded fast;
  const bool taken = fast_path(body, limits, fast);
  const Decoded general = general_decoder(body, limits);
  expect_same(decoder(body, limits), general, body);
  if (taken) {
    EXPECT_TRUE(general.ok() && general.errors.empty()) << body;
    expect_same(fast, general, body);
  }
  return taken;
}

bool fast_path_takes(const std::string& body, const CodecLimits& limits = {}) {
  return takes(body, limits, &detail::decode_usual_push, &detail::decode_push_general, &decode_push);
}

bool pull_fast_path_takes(const std::string& body, const CodecLimits& limits = {}) {
  return takes(body, limits, &detail::decode_usual_pull, &detail::decode_pull_general, &decode_pull);
}

// Limits each one step too tight for a body of five ops with strings over 20 bytes: fewer
// ops, shorter strings, a byte less of body, nesting less deep than a batch needs.
std::vector<CodecLimits> limits_too_tight_for(const std::string& body) {
  std::vector<CodecLimits> out(4);
  out[0].max_ops = 4;
  out[1].max_string_bytes = 20;
  out[2].max_body_bytes = body.size() - 1;
  out[3].max_depth = 2;
  return out;
}

// `body` with the first `from` replaced by `to` (a failed expectation if there is none).
std::string replaced(std::string body, std::string_view from, std::string_view to) {
  const std::size_t at = body.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) body.replace(at, from.size(), to);
  return body;
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
  const auto with = [&](std::string_view from, std::string_view to) { return replaced(good, from, to); };
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
  for (const CodecLimits& tight : limits_too_tight_for(body)) EXPECT_FALSE(fast_path_takes(body, tight));
  std::string bad_utf8 = body;
  bad_utf8.insert(bad_utf8.find("POS"), 1, '\xC3');
  EXPECT_FALSE(fast_path_takes(bad_utf8));
}

// `good` with one to three random edits: a byte replaced, a few removed, or one inserted.
std::string damaged(std::string body, std::mt19937& rng) {
  static const std::string alphabet = "{}[]\":,\\ 0123456789-.etrufalsn\x01\xE6\x89";
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
    if (body.empty()) break;
  }
  return body;
}

// Random damage to usual bodies: whatever the fast path does, decode_push answers as the
// general decoder (the fuzz entry point checks the same on every input it runs).
TEST(UsualPushDecoding, DamagedBodiesAnswerAsTheGeneralDecoder) {
  const std::string good = encode_push("tab", varied_ops());
  std::mt19937 rng(20261205);
  int taken = 0;
  for (int round = 0; round < 3000; ++round) {
    const std::string body = damaged(good, rng);
    if (fast_path_takes(body)) ++taken;
  }
  // Some damage leaves a valid body (a changed digit or letter inside a string).
  EXPECT_GT(taken, 0);
}

// A page as a server writes it: authors, a server-made op, every outcome a log may hold.
std::vector<LogEntry> varied_entries() {
  std::vector<LogEntry> entries;
  const Outcome outcomes[] = {Outcome::kApplied, Outcome::kAppliedWithConflict, Outcome::kConflictRecorded,
                              Outcome::kIgnoredOlder, Outcome::kDuplicate};
  std::uint64_t seq = 41;
  for (FieldOp op : varied_ops()) {
    op.author = seq % 2 == 0 ? "li.na" : "王伟";
    if (seq == 43) op.origin = Origin::kServer;
    entries.push_back(LogEntry{seq, std::move(op), outcomes[seq % std::size(outcomes)]});
    ++seq;
  }
  return entries;
}

TEST(UsualPullDecoding, PagesAsServersWriteThemTakeTheFastPath) {
  const std::vector<LogEntry> entries = varied_entries();
  const std::string body = encode_pull(entries, 45, true);
  ASSERT_TRUE(pull_fast_path_takes(body));
  const DecodedPull d = decode_pull(body);
  EXPECT_EQ(d.entries, entries);
  EXPECT_EQ(d.cursor, 45u);
  EXPECT_TRUE(d.more);
  EXPECT_EQ(d.entries.at(2).op.origin, Origin::kServer);
  EXPECT_TRUE(pull_fast_path_takes(encode_pull({}, 0, false)));
  // Author and origin may be left out, members come in any order.
  const std::string row = testing::row_id(7);
  const std::string bare = "{\"more\":false,\"cursor\":9,\"ops\":[{\"outcome\":\"applied\",\"seq\":9,\"op\":\"tab:9\","
                           "\"entity\":\"request\",\"row\":\"" + row + "\",\"field\":\"progress\",\"value\":3,\"hlc\":\"" +
                           format_stamp(stamp(5, 0, "tab")) + "\"}],\"protocol\":1}";
  ASSERT_TRUE(pull_fast_path_takes(bare));
  EXPECT_EQ(decode_pull(bare).entries.at(0).op.author, "");
  EXPECT_EQ(decode_pull(bare).entries.at(0).op.origin, Origin::kClient);
}

TEST(UsualPullDecoding, EverythingElseIsLeftToTheGeneralDecoder) {
  const std::string good = encode_pull(varied_entries(), 45, true);
  ASSERT_TRUE(pull_fast_path_takes(good));
  const auto with = [&](std::string_view from, std::string_view to) { return replaced(good, from, to); };
  const std::vector<std::string> others = {
      with("\"seq\":41", "\"seq\":41,\"extra\":1"),     // unknown entry member
      with("\"seq\":41", "\"seq\":41,\"seq\":42"),      // a member twice
      with("\"seq\":41", "\"seq\":0"),                  // seq numbers from 1
      with("\"seq\":41", "\"seq\":-41"),
      with("\"seq\":41", "\"seq\":41.0"),
      with("\"seq\":41", "\"seq\":\"41\""),
      with(",\"seq\":41", ""),                          // no seq
      with("\"outcome\":\"applied_with_conflict\"", "\"outcome\":\"rejected\""),  // never in a log
      with("\"outcome\":\"applied_with_conflict\"", "\"outcome\":\"won\""),
      with("\"origin\":\"server\"", "\"origin\":\"elsewhere\""),
      with("\"origin\":\"server\"", "\"origin\":null"),
      with("\"author\":\"li.na\"", "\"author\":7"),
      with("\"more\":true", "\"more\":1"),               // the general decoder reads this as false
      with("\"more\":true", "\"more\":null"),
      with("\"cursor\":45", "\"cursor\":-1"),
      with("\"cursor\":45", "\"cursor\":4.5"),
      with(",\"cursor\":45", ""),                        // no cursor
      with("\"protocol\":1", "\"protocol\":2"),
      with("\"protocol\":1", "\"protocol\":1,\"note\":\"x\""),  // unknown envelope member
      with("\"value\":2", "\"value\":2.5"),              // a double
      with("\"value\":\"urgent\"", "\"value\":\"\\u0075rgent\""),
      with("\"entity\":\"request\"", "\"entity\":\"nothing\""),
      with("\"ops\":[", "\"ops\":{"),
      good + "x",
      good.substr(0, good.size() - 1),
      "{}",
      "",
  };
  for (const std::string& body : others) EXPECT_FALSE(pull_fast_path_takes(body)) << body;
  for (const CodecLimits& tight : limits_too_tight_for(good)) EXPECT_FALSE(pull_fast_path_takes(good, tight));
}

TEST(UsualPullDecoding, DamagedPagesAnswerAsTheGeneralDecoder) {
  const std::string good = encode_pull(varied_entries(), 45, true);
  std::mt19937 rng(20261207);
  int taken = 0;
  for (int round = 0; round < 3000; ++round) {
    const std::string body = damaged(good, rng);
    if (pull_fast_path_takes(body)) ++taken;
  }
  EXPECT_GT(taken, 0);
}

}  // namespace
}  // namespace rapidesk::sync
