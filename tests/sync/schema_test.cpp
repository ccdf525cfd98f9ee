#include "rapidesk/sync/schema.h"

#include <gtest/gtest.h>

#include <set>

#include "test_support.h"

namespace rapidesk::sync {
namespace {

using testing::str;

std::set<std::string> field_names(std::string_view entity) {
  std::set<std::string> out;
  for (const FieldSpec& f : find_entity(entity)->fields) out.insert(std::string(f.name));
  return out;
}

TEST(Schema, DeclaresEveryEntityAndFieldOfTheSyncModel) {
  const std::set<std::string> request = {
      "customer", "customer_id", "contact", "contact_name", "industry", "tier", "channel", "category", "priority",
      "priority_reason", "priority_override_by", "impact", "title", "description", "background", "contacted_at",
      "expected_at", "status", "status_reason", "owner", "team", "collaborators", "tags", "progress", "satisfaction",
      "feedback", "number", "first_response_due", "resolution_due", "sla_state", "sla_breached", "escalation_level",
      "assigned_by_rule", "assignment_explanation", "deleted", "agreed_due", "agreed_reason"};
  EXPECT_EQ(field_names("request"), request);
  EXPECT_EQ(field_names("subtask"), (std::set<std::string>{"request_id", "title", "owner", "collaborators",
                                                           "start_at", "due_at", "deliverable", "done", "deleted"}));
  EXPECT_EQ(field_names("activity"),
            (std::set<std::string>{"request_id", "kind", "author", "at", "text", "progress"}));
  EXPECT_EQ(field_names("attachment"), (std::set<std::string>{"request_id", "file_name", "mime_type", "size_bytes",
                                                              "sha256", "added_by", "added_at"}));
  EXPECT_EQ(field_names("customer"),
            (std::set<std::string>{"name", "customer_id", "industry", "tier", "contact", "deleted"}));
  EXPECT_EQ(field_names("knowledge"), (std::set<std::string>{"title", "body", "category", "tags", "deleted"}));
  EXPECT_EQ(field_names("conflict"), (std::set<std::string>{"resolution"}));
}

TEST(Schema, PoliciesComeFromTheTable) {
  const auto policy = [](std::string_view e, std::string_view f) { return find_field(e, f)->field->policy; };
  for (const char* f : {"number", "first_response_due", "resolution_due", "sla_state", "sla_breached",
                        "escalation_level", "assigned_by_rule", "assignment_explanation"}) {
    EXPECT_EQ(policy("request", f), MergePolicy::kServerOwned) << f;
  }
  EXPECT_EQ(policy("request", "collaborators"), MergePolicy::kSet);
  EXPECT_EQ(policy("request", "tags"), MergePolicy::kSet);
  EXPECT_EQ(policy("knowledge", "tags"), MergePolicy::kSet);
  EXPECT_EQ(policy("request", "status"), MergePolicy::kStatus);
  EXPECT_EQ(policy("request", "deleted"), MergePolicy::kTombstone);
  EXPECT_EQ(policy("request", "title"), MergePolicy::kLww);
  for (const char* e : {"activity", "attachment"}) {
    EXPECT_TRUE(find_entity(e)->append_only);
    for (const FieldSpec& f : find_entity(e)->fields) EXPECT_EQ(f.policy, MergePolicy::kAppendOnly) << e << "." << f.name;
  }
  EXPECT_NE(find_field("request", "contact")->field->group, 0);
  EXPECT_EQ(find_field("request", "contact")->field->group, find_field("request", "contact_name")->field->group);
  EXPECT_EQ(find_field("request", "title")->field->group, 0);
  // A re-agreed due time always travels with its reason.
  EXPECT_NE(find_field("request", "agreed_due")->field->group, 0);
  EXPECT_NE(find_field("request", "agreed_due")->field->group, find_field("request", "contact")->field->group);
  EXPECT_EQ(find_field("request", "agreed_due")->field->group, find_field("request", "agreed_reason")->field->group);
  EXPECT_FALSE(find_field("request", "nope"));
  EXPECT_FALSE(find_field("nope", "title"));
}

struct ValueCase {
  const char* entity;
  const char* field;
  Value value;
  Problem problem;  // kNone = valid
};

TEST(Schema, ValuesAreCheckedByTypeRangeAndVocabulary) {
  const std::vector<ValueCase> cases = {
      {"request", "title", str("Printer down"), Problem::kNone},
      {"request", "title", Value::integer(3), Problem::kWrongType},
      {"request", "title", Value::string(std::string(201, 'x')), Problem::kTextTooLong},
      {"request", "title", Value::string(std::string(200, 'x')), Problem::kNone},
      {"request", "title", Value::string("打印机故障打印机故障"), Problem::kNone},
      {"request", "title", str("bell\x07"), Problem::kBadFormat},
      {"request", "title", Value::string(std::string("bad \xff utf8")), Problem::kInvalidUtf8},
      {"request", "title", Value::null(), Problem::kNone},
      {"request", "tier", str("vip"), Problem::kNone},
      {"request", "tier", str("gold"), Problem::kBadEnum},
      {"request", "status", str("in_progress"), Problem::kNone},
      {"request", "status", Value::null(), Problem::kNullNotAllowed},
      {"request", "sla_state", str("breached"), Problem::kNone},
      {"request", "progress", Value::integer(100), Problem::kNone},
      {"request", "progress", Value::integer(101), Problem::kOutOfRange},
      {"request", "progress", Value::real(50.0), Problem::kWrongType},
      {"request", "satisfaction", Value::integer(0), Problem::kOutOfRange},
      {"request", "satisfaction", Value::integer(5), Problem::kNone},
      {"request", "contacted_at", str("2026-01-05T09:30:00+08:00"), Problem::kNone},
      {"request", "contacted_at", str("2026-01-05 09:30"), Problem::kBadTime},
      {"request", "deleted", Value::boolean(true), Problem::kNone},
      {"request", "deleted", str("yes"), Problem::kWrongType},
      {"request", "tags", str("+vip"), Problem::kNone},
      {"request", "tags", str("vip"), Problem::kBadElement},
      {"request", "tags", str("+"), Problem::kBadElement},
      {"subtask", "request_id", Value::string(testing::row_id(1)), Problem::kNone},
      {"subtask", "request_id", str("42"), Problem::kBadFormat},
      {"attachment", "sha256", Value::string(std::string(64, 'a')), Problem::kNone},
      {"attachment", "sha256", Value::string(std::string(63, 'a')), Problem::kBadFormat},
      {"activity", "kind", str("blocker"), Problem::kNone},
      {"activity", "kind", str("rant"), Problem::kBadEnum},
      {"conflict", "resolution", str("kept_mine"), Problem::kNone},
      {"conflict", "resolution", str("ignored"), Problem::kBadEnum},
  };
  for (const ValueCase& c : cases) {
    const auto ref = find_field(c.entity, c.field);
    ASSERT_TRUE(ref) << c.field;
    Problem p = Problem::kNone;
    const Status s = check_value(*ref->entity, *ref->field, c.value, p);
    EXPECT_EQ(p, c.problem) << c.entity << "." << c.field << " = " << c.value.canonical() << ": " << s.message().en;
    EXPECT_EQ(s.is_ok(), c.problem == Problem::kNone);
    if (!s.is_ok()) {
      EXPECT_EQ(s.field(), c.field);
      EXPECT_FALSE(s.message().en.empty());
      EXPECT_FALSE(s.message().zh.empty());
    }
  }
}

TEST(Schema, EnumErrorsListTheAllowedNamesInBothLanguages) {
  const auto ref = find_field("request", "priority");
  Problem p = Problem::kNone;
  const Status s = check_value(*ref->entity, *ref->field, str("asap"), p);
  EXPECT_EQ(p, Problem::kBadEnum);
  EXPECT_EQ(s.message().en, "request.priority cannot be \"asap\"; allowed: urgent, high, medium, low.");
  EXPECT_EQ(s.message().zh, "request.priority 不能是 \"asap\"；允许的值：urgent, high, medium, low。");
}

TEST(Schema, CheckOpValidatesIdsRowsAndStamps) {
  const auto ref = *find_field("request", "title");
  const auto check = [&](const FieldOp& op) {
    Problem p = Problem::kNone;
    (void)check_op(op, ref, p);
    return p;
  };
  const FieldOp good = testing::make_op("d1:1", "request", testing::row_id(1), "title", str("x"), testing::stamp(5, 0, "d1"),
                                        testing::stamp(1, 0, "d2"));
  EXPECT_EQ(check(good), Problem::kNone);
  FieldOp bad = good;
  bad.op = "has space";
  EXPECT_EQ(check(bad), Problem::kBadOpId);
  bad = good;
  bad.row = "not-a-uuid";
  EXPECT_EQ(check(bad), Problem::kBadRow);
  bad = good;
  bad.hlc.device = "bad device";
  EXPECT_EQ(check(bad), Problem::kBadStamp);
  bad = good;
  bad.base = bad.hlc;  // base must be strictly older
  EXPECT_EQ(check(bad), Problem::kBadBase);
  bad = good;
  bad.base = testing::stamp(9, 0, "d2");
  EXPECT_EQ(check(bad), Problem::kBadBase);
  // Conflict rows are named by conflict ids, not UUIDs.
  const auto cref = *find_field("conflict", "resolution");
  FieldOp res = testing::make_op("d1:2", "conflict", "cf:d2:7", "resolution", str("kept_theirs"), testing::stamp(5, 0, "d1"));
  Problem p = Problem::kNone;
  EXPECT_TRUE(check_op(res, cref, p));
  res.row = testing::row_id(1);
  EXPECT_FALSE(check_op(res, cref, p));
  EXPECT_EQ(p, Problem::kBadRow);
}

TEST(Schema, AKnownRowSkipsOnlyTheRowIdCheck) {
  const auto ref = *find_field("request", "title");
  FieldOp op = testing::make_op("d1:1", "request", "not-a-uuid", "title", str("x"), testing::stamp(5, 0, "d1"));
  Problem p = Problem::kNone;
  EXPECT_FALSE(check_op(op, ref, p, KnownRow::kNo));
  EXPECT_EQ(p, Problem::kBadRow);
  p = Problem::kNone;
  EXPECT_TRUE(check_op(op, ref, p, KnownRow::kYes));
  op.op = "has space";  // everything else is still checked
  EXPECT_FALSE(check_op(op, ref, p, KnownRow::kYes));
  EXPECT_EQ(p, Problem::kBadOpId);
}

// Text is scanned eight bytes at a time while it is printable ASCII: a control character,
// DEL, a broken UTF-8 byte or a multi-byte character must be found at every position of a
// word, and lengths counted in characters at every size around the word boundaries.
TEST(Schema, TextChecksFindEveryBadByteWhereverItIs) {
  const auto ref = *find_field("request", "description");
  const auto problem_of = [&](const std::string& text) {
    Problem p = Problem::kNone;
    (void)check_value(*ref.entity, *ref.field, Value::string(text), p);
    return p;
  };
  const std::pair<char, Problem> bytes[] = {{'\x01', Problem::kBadFormat}, {'\x1f', Problem::kBadFormat},
                                            {'\x7f', Problem::kBadFormat}, {'\xff', Problem::kInvalidUtf8},
                                            {'\t', Problem::kNone},       {'~', Problem::kNone},
                                            {' ', Problem::kNone}};
  for (std::size_t size = 1; size <= 40; ++size) {
    for (std::size_t at = 0; at < size; ++at) {
      for (const auto& [byte, expected] : bytes) {
        std::string text(size, 'a');
        text[at] = byte;
        EXPECT_EQ(problem_of(text), expected) << size << " " << at << " " << int(byte);
      }
    }
  }
  const auto title = *find_field("request", "title");  // at most 200 characters
  const auto title_problem = [&](const std::string& text) {
    Problem p = Problem::kNone;
    (void)check_value(*title.entity, *title.field, Value::string(text), p);
    return p;
  };
  for (std::size_t ascii = 190; ascii <= 200; ++ascii) {
    // 200 characters in all: ASCII words, then three-byte characters that straddle words.
    std::string text(ascii, 'x');
    for (std::size_t i = ascii; i < 200; ++i) text += "故";
    EXPECT_EQ(title_problem(text), Problem::kNone) << ascii;
    EXPECT_EQ(title_problem(text + "z"), Problem::kTextTooLong) << ascii;
  }
}

}  // namespace
}  // namespace rapidesk::sync
