#include "rapidesk/sync/codec.h"

#include <gtest/gtest.h>

#include "rapidesk/shared/utf8.h"
#include "test_support.h"

namespace rapidesk::sync {
namespace {

using testing::make_op;
using testing::stamp;
using testing::str;

const std::string kRow = testing::row_id(1);

// One valid op in JSON with `member` replaced (or removed when replacement is empty).
std::string op_json(std::string_view member = {}, std::string_view replacement = {}, std::string_view id = "tab:1") {
  std::vector<std::pair<std::string, std::string>> m = {
      {"op", "\"" + std::string(id) + "\""},
      {"entity", "\"request\""},
      {"row", "\"" + kRow + "\""},
      {"field", "\"title\""},
      {"value", "\"Printer offline\""},
      {"hlc", "\"1767225600000-0000-tab\""},
      {"base", "null"},
  };
  std::string out = "{";
  for (auto& [k, v] : m) {
    if (k == member) {
      if (replacement.empty()) continue;
      v = replacement;
    }
    if (out.size() > 1) out += ',';
    out += "\"" + k + "\":" + v;
  }
  return out + "}";
}

std::string batch(const std::vector<std::string>& ops, std::string_view protocol = "1") {
  std::string out = "{\"protocol\":" + std::string(protocol) + ",\"device\":\"tab\",\"ops\":[";
  for (std::size_t i = 0; i < ops.size(); ++i) out += (i ? "," : "") + ops[i];
  return out + "]}";
}

// Decodes a batch of one op that must fail; returns its error.
OpError single_error(const std::string& op) {
  const DecodedPush d = decode_push(batch({op}));
  EXPECT_TRUE(d.ok()) << d.status.message().en;
  EXPECT_TRUE(d.ops.empty());
  if (d.errors.size() != 1) {
    ADD_FAILURE() << "expected one op error";
    return {};
  }
  EXPECT_FALSE(d.errors[0].status.message().en.empty());
  EXPECT_FALSE(d.errors[0].status.message().zh.empty());
  return d.errors[0];
}

TEST(Codec, PushRoundTrip) {
  std::vector<FieldOp> ops = {
      make_op("tab:1", "request", kRow, "title", str("打印机 \"offline\"\n"), stamp(0, 0, "tab")),
      make_op("tab:2", "request", kRow, "progress", Value::integer(40), stamp(1, 0, "tab"), stamp(0, 0, "tab")),
      make_op("tab:3", "request", kRow, "expected_at", Value::null(), stamp(2, 0x1f, "tab"), stamp(0, 0, "srv")),
      make_op("tab:4", "request", kRow, "sla_breached", Value::boolean(false), stamp(3, 0, "tab")),
  };
  for (FieldOp& op : ops) op.author.clear();
  const std::string json = encode_push("tab", ops);
  const DecodedPush d = decode_push(json);
  ASSERT_TRUE(d.ok()) << d.status.message().en;
  EXPECT_EQ(d.protocol, kProtocolVersion);
  EXPECT_EQ(d.device, "tab");
  EXPECT_TRUE(d.errors.empty());
  EXPECT_EQ(d.ops, ops);
}

TEST(Codec, PushNeverTrustsAuthorOrOrigin) {
  const DecodedPush d = decode_push(batch({op_json("base", "null,\"author\":\"boss\",\"origin\":\"server\"")}));
  ASSERT_EQ(d.ops.size(), 1u);
  EXPECT_EQ(d.ops[0].author, "");
  EXPECT_EQ(d.ops[0].origin, Origin::kClient);
}

TEST(Codec, PullRoundTripKeepsAuthorOriginSeqAndOutcome) {
  FieldOp a = make_op("srv:1", "request", kRow, "number", str("20260101-TECH-0001"), stamp(0, 0, "srv"), std::nullopt, "server");
  a.origin = Origin::kServer;
  FieldOp b = make_op("tab:9", "request", kRow, "tags", str("-vip"), stamp(1, 0, "tab"), std::nullopt, "li.wei");
  const std::vector<LogEntry> entries = {{7, a, Outcome::kApplied}, {8, b, Outcome::kConflictRecorded}};
  const DecodedPull d = decode_pull(encode_pull(entries, 8, true));
  ASSERT_TRUE(d.ok()) << d.status.message().en;
  EXPECT_TRUE(d.errors.empty());
  EXPECT_EQ(d.entries, entries);
  EXPECT_EQ(d.cursor, 8u);
  EXPECT_TRUE(d.more);
}

TEST(Codec, StoredLogEntriesReadBackThroughDecodePull) {
  const LogEntry e{3, make_op("tab:3", "request", kRow, "title", str("x"), stamp(0, 0, "tab"), std::nullopt, "li.wei"),
                   Outcome::kIgnoredOlder};
  const std::string page = "{\"protocol\":1,\"ops\":[" + encode_log_entry(e) + "],\"cursor\":3}";
  const DecodedPull d = decode_pull(page);
  ASSERT_TRUE(d.ok()) << d.status.message().en;
  ASSERT_EQ(d.entries.size(), 1u);
  EXPECT_EQ(d.entries[0], e);
  EXPECT_EQ(encode_pull(std::vector<LogEntry>{e}, 3, false), page.substr(0, page.size() - 1) + ",\"more\":false}");
}

// A log entry's wire form is also what names a server's log: SyncService::log_id hashes the
// first entry's form, and every replica compares that id with the one its copy came from. A
// change to the form of existing entries would make every server look like another one to its
// replicas after an upgrade; new members must leave the old ones' bytes as they are.
TEST(Codec, ALogEntrysWireFormStaysAsLogIdsWereMadeFromIt) {
  FieldOp op = make_op("tab:1", "request", kRow, "title", str("x"), stamp(0, 0, "tab"), std::nullopt, "li.wei");
  EXPECT_EQ(encode_log_entry(LogEntry{1, op, Outcome::kApplied}),
            R"({"op":"tab:1","entity":"request","row":")" + kRow +
                R"(","field":"title","value":"x","hlc":"1767225600000-0000-tab","base":null,"author":"li.wei",)"
                R"("origin":"client","seq":1,"outcome":"applied"})");
}

TEST(Codec, PushResultRoundTrip) {
  PushResult r;
  r.cursor = 12;
  r.results.push_back(OpResult{"tab:1", Outcome::kAppliedWithConflict, Problem::kNone, {}, {"cf:pc:3"}});
  r.results.push_back(OpResult{"tab:2", Outcome::kRejected, Problem::kServerOwned,
                               Status(ErrorCode::kForbidden, Text{"no", "不"}, "number"), {}});
  const std::string json = encode_push_result(r);
  EXPECT_NE(json.find(R"("acked":["tab:1"])"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("code":"forbidden")"), std::string::npos) << json;
  const DecodedPushResult d = decode_push_result(json);
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d.result.results.size(), 2u);
  EXPECT_EQ(d.result.cursor, 12u);
  EXPECT_EQ(d.result.results[0].outcome, Outcome::kAppliedWithConflict);
  EXPECT_EQ(d.result.results[0].conflicts, std::vector<std::string>{"cf:pc:3"});
  EXPECT_EQ(d.result.results[1].outcome, Outcome::kRejected);
  EXPECT_EQ(d.result.results[1].problem, Problem::kServerOwned);
  EXPECT_EQ(d.result.results[1].status.code(), ErrorCode::kForbidden);
  EXPECT_EQ(d.result.results[1].status.message().zh, "不");
}

TEST(CodecLimits, BatchTooLarge) {
  std::vector<std::string> ops;
  for (int i = 0; i < 1001; ++i) ops.push_back(op_json("op", "\"tab:" + std::to_string(i) + "\""));
  const DecodedPush d = decode_push(batch(ops));
  EXPECT_EQ(d.problem, Problem::kTooManyOps);
  EXPECT_EQ(d.status.code(), ErrorCode::kTooLarge);
  EXPECT_NE(d.status.message().en.find("1001 operations; at most 1000"), std::string::npos) << d.status.message().en;
  EXPECT_NE(d.status.message().zh.find("1001"), std::string::npos);
  ops.pop_back();
  EXPECT_TRUE(decode_push(batch(ops)).ok());
  CodecLimits small;
  small.max_ops = 10;
  EXPECT_EQ(decode_push(batch(std::vector<std::string>(11, op_json())), small).problem, Problem::kTooManyOps);
}

TEST(CodecLimits, BodyTooLarge) {
  CodecLimits limits;
  limits.max_body_bytes = 100;
  const DecodedPush d = decode_push(batch({op_json()}), limits);
  EXPECT_EQ(d.problem, Problem::kBodyTooLarge);
  EXPECT_EQ(d.status.code(), ErrorCode::kTooLarge);
}

TEST(CodecLimits, StringTooLongIsAPerOpErrorNamingTheField) {
  const std::string big = "\"" + std::string(64 * 1024 + 1, 'a') + "\"";
  const DecodedPush d = decode_push(batch({op_json("value", big), op_json("op", "\"tab:2\"")}));
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d.errors.size(), 1u);
  ASSERT_EQ(d.ops.size(), 1u);  // the other op still decodes
  EXPECT_EQ(d.ops[0].op, "tab:2");
  const OpError& e = d.errors[0];
  EXPECT_EQ(e.index, 0u);
  EXPECT_EQ(e.op, "tab:1");
  EXPECT_EQ(e.problem, Problem::kStringTooLong);
  EXPECT_EQ(e.status.code(), ErrorCode::kTooLarge);
  EXPECT_EQ(e.status.field(), "title");
  EXPECT_EQ(e.status.message().en, "\"title\" is longer than 65536 bytes.");
  // Exactly at the limit the codec accepts it (the schema then limits titles to 200 chars).
  const OpError at_limit = single_error(op_json("value", "\"" + std::string(64 * 1024, 'a') + "\""));
  EXPECT_EQ(at_limit.problem, Problem::kTextTooLong);
}

TEST(CodecLimits, TooDeepNesting) {
  const DecodedPush d = decode_push(batch({op_json("value", "[[[[[[[[1]]]]]]]]")}));
  EXPECT_EQ(d.problem, Problem::kTooDeep);
  EXPECT_EQ(d.status.code(), ErrorCode::kInvalid);
  EXPECT_NE(d.status.message().en.find("deeper than 8 levels"), std::string::npos) << d.status.message().en;
  // Brackets inside strings do not count.
  EXPECT_TRUE(decode_push(batch({op_json("value", "\"[[[[[[[[[[[[[[[[\"")})).ok());
  // A nested but shallow value is a per-op type error instead.
  EXPECT_EQ(single_error(op_json("value", "[1]")).problem, Problem::kWrongType);
}

TEST(CodecLimits, InvalidUtf8Bytes) {
  std::string body = batch({op_json("value", std::string("\"caf\xC3\x28\""))});
  const DecodedPush d = decode_push(body);
  EXPECT_EQ(d.problem, Problem::kInvalidUtf8);
  EXPECT_EQ(d.status.code(), ErrorCode::kInvalid);
  const std::size_t at = body.find('\xC3');
  EXPECT_NE(d.status.message().en.find("offset " + std::to_string(at)), std::string::npos) << d.status.message().en;
  EXPECT_EQ(decode_push(batch({op_json("value", std::string("\"\xED\xA0\x80\""))})).problem, Problem::kInvalidUtf8);
  EXPECT_EQ(decode_push(batch({op_json("value", std::string("\"\xC0\xAF\""))})).problem, Problem::kInvalidUtf8);
  // A lone surrogate written as an escape is not JSON text either.
  EXPECT_EQ(decode_push(batch({op_json("value", "\"\\ud800\"")})).problem, Problem::kNotJson);
}

TEST(CodecLimits, UnknownEntity) {
  const OpError e = single_error(op_json("entity", "\"invoice\""));
  EXPECT_EQ(e.problem, Problem::kUnknownEntity);
  EXPECT_EQ(e.op, "tab:1");
  EXPECT_EQ(e.status.message().en, "Unknown entity \"invoice\".");
}

TEST(CodecLimits, UnknownField) {
  const OpError e = single_error(op_json("field", "\"titel\""));
  EXPECT_EQ(e.problem, Problem::kUnknownField);
  EXPECT_EQ(e.status.message().en, "Entity \"request\" has no field \"titel\".");
  EXPECT_EQ(e.status.message().zh, "实体“request”没有字段 \"titel\"。");
}

// A long Chinese field name was cut at 80 bytes inside a character: the refusal's message
// was invalid UTF-8, so the push answer carrying it (with the acks of the good ops beside
// it) could not be read back by the client, nor restored by the server after a restart.
TEST(CodecLimits, QuotedUserTextIsCutBetweenCharacters) {
  std::string name;
  for (int i = 0; i < 27; ++i) name += "字";  // 81 bytes
  const OpError e = single_error(op_json("field", "\"" + name + "\""));
  EXPECT_EQ(e.problem, Problem::kUnknownField);
  EXPECT_EQ(first_invalid_utf8(e.status.message().en), std::string_view::npos) << e.status.message().en;
  EXPECT_EQ(first_invalid_utf8(e.status.field()), std::string_view::npos);
  PushResult r;
  r.results.push_back(OpResult{"tab:0", Outcome::kApplied, Problem::kNone, {}, {}});
  r.results.push_back(OpResult{e.op, Outcome::kRejected, e.problem, e.status, {}});
  const DecodedPushResult d = decode_push_result(encode_push_result(r));
  ASSERT_TRUE(d.ok()) << d.status.message().en;
  EXPECT_EQ(d.result.results.size(), 2u);
  EXPECT_EQ(utf8_prefix("字字", 4), "字");
  EXPECT_EQ(utf8_prefix("ab字", 4), "ab");
  EXPECT_EQ(utf8_prefix("abc", 4), "abc");
}

TEST(CodecLimits, WrongType) {
  const OpError e = single_error(op_json("value", "42"));
  EXPECT_EQ(e.problem, Problem::kWrongType);
  EXPECT_EQ(e.status.field(), "title");
  EXPECT_EQ(e.status.message().en, "request.title must be a string, not an integer.");
  const OpError p = single_error(op_json("field", "\"progress\""));
  EXPECT_EQ(p.problem, Problem::kWrongType);  // "Printer offline" is not an integer
  EXPECT_EQ(single_error(op_json("value", "{\"a\":1}")).problem, Problem::kWrongType);
  EXPECT_EQ(single_error(op_json("entity", "7")).problem, Problem::kWrongType);
}

TEST(CodecLimits, BadEnumValue) {
  std::string op = op_json("field", "\"priority\"");
  op = op.replace(op.find("\"Printer offline\""), 17, "\"asap\"");
  const OpError e = single_error(op);
  EXPECT_EQ(e.problem, Problem::kBadEnum);
  EXPECT_EQ(e.status.message().en, "request.priority cannot be \"asap\"; allowed: urgent, high, medium, low.");
}

TEST(CodecLimits, BadProtocolVersionIsUpgradeRequired) {
  for (const char* v : {"2", "0", "\"1\""}) {
    const DecodedPush d = decode_push(batch({op_json()}, v));
    EXPECT_EQ(d.problem, Problem::kUpgradeRequired) << v;
    EXPECT_EQ(d.status.code(), ErrorCode::kUpgradeRequired) << v;
    EXPECT_EQ(error_code_name(d.status.code()), "upgrade_required");
    EXPECT_NE(d.status.message().en.find("pgrade"), std::string::npos) << d.status.message().en;
    EXPECT_NE(d.status.message().zh.find("升级"), std::string::npos);
  }
  const DecodedPush newer = decode_push(batch({op_json()}, "2"));
  EXPECT_NE(newer.status.message().en.find("newer than this program's version 1"), std::string::npos);
  const DecodedPush missing = decode_push(R"({"device":"tab","ops":[]})");
  EXPECT_EQ(missing.problem, Problem::kUpgradeRequired);
  EXPECT_EQ(decode_pull(R"({"protocol":3,"ops":[],"cursor":0})").problem, Problem::kUpgradeRequired);
}

TEST(CodecLimits, OtherOpProblemsAreNamedPrecisely) {
  EXPECT_EQ(single_error(op_json("hlc", "\"yesterday\"")).problem, Problem::kBadStamp);
  EXPECT_EQ(single_error(op_json("base", "\"1767225600000-0000-tab\"")).problem, Problem::kBadBase);  // == hlc
  EXPECT_EQ(single_error(op_json("base", "5")).problem, Problem::kBadBase);
  EXPECT_EQ(single_error(op_json("hlc", "\"1767225600000-0000-other\"")).problem, Problem::kDeviceMismatch);
  EXPECT_EQ(single_error(op_json("row", "\"42\"")).problem, Problem::kBadRow);
  EXPECT_EQ(single_error(op_json("value", "")).problem, Problem::kMissingMember);
  const OpError no_id = single_error(op_json("op", ""));
  EXPECT_EQ(no_id.problem, Problem::kMissingMember);
  EXPECT_EQ(no_id.op, "");
  EXPECT_EQ(single_error(op_json("op", "\"a b\"")).problem, Problem::kBadOpId);
  EXPECT_EQ(single_error("17").problem, Problem::kNotAnObject);
}

TEST(CodecLimits, EnvelopeProblems) {
  EXPECT_EQ(decode_push("").problem, Problem::kNotJson);
  EXPECT_EQ(decode_push("{\"protocol\":1,").problem, Problem::kNotJson);
  EXPECT_EQ(decode_push("[1]").problem, Problem::kBadEnvelope);
  EXPECT_EQ(decode_push(R"({"protocol":1,"device":"a b","ops":[]})").problem, Problem::kBadEnvelope);
  EXPECT_EQ(decode_push(R"({"protocol":1,"device":"tab","ops":{}})").problem, Problem::kBadEnvelope);
  const DecodedPush bad_json = decode_push(R"({"protocol":1,"device":"tab","ops":[}])");
  EXPECT_EQ(bad_json.problem, Problem::kNotJson);
  EXPECT_NE(bad_json.status.message().en.find("near byte"), std::string::npos);
}

TEST(Codec, PullPageWithoutSeqIsRefused) {
  const DecodedPull d = decode_pull("{\"protocol\":1,\"ops\":[" + op_json() + "],\"cursor\":1}");
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].problem, Problem::kBadFormat);
  EXPECT_EQ(d.errors[0].status.field(), "seq");
}

TEST(Codec, NeverThrowsOrCrashesOnGarbage) {
  testing::SplitMix rng(77);
  const std::string valid = batch({op_json(), op_json("op", "\"tab:2\"")});
  for (int i = 0; i < 3000; ++i) {
    std::string s = valid;
    const int edits = 1 + static_cast<int>(rng.below(6));
    for (int k = 0; k < edits; ++k) {
      const std::size_t at = rng.below(s.size());
      switch (rng.below(3)) {
        case 0: s[at] = static_cast<char>(rng.below(256)); break;
        case 1: s.erase(at, 1 + rng.below(8)); break;
        default: s.insert(at, 1, "{}[]\",:\\0e-9"[rng.below(12)]); break;
      }
      if (s.empty()) s.push_back('{');
    }
    EXPECT_NO_THROW({
      (void)decode_push(s);
      (void)decode_pull(s);
      (void)decode_push_result(s);
    });
  }
}

}  // namespace
}  // namespace rapidesk::sync
