// THE schema table. One line per synced field; everything else derives from it.
#include "rapidesk/sync/schema.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "rapidesk/shared/enums.h"
#include "rapidesk/shared/sla_clock.h"
#include "rapidesk/shared/time.h"
#include "rapidesk/shared/utf8.h"
#include "rapidesk/shared/validation.h"
#include "rapidesk/sync/conflict.h"
#include "rapidesk/sync/uuid.h"

namespace rapidesk::sync {

namespace {

template <typename E>
constexpr EnumVocabulary vocabulary_of() {
  return EnumVocabulary{[](std::string_view w) { return from_wire<E>(w).has_value(); }, &wire_list<E>};
}

constexpr EnumVocabulary kTiers = vocabulary_of<Tier>();
constexpr EnumVocabulary kChannels = vocabulary_of<Channel>();
constexpr EnumVocabulary kCategories = vocabulary_of<Category>();
constexpr EnumVocabulary kPriorities = vocabulary_of<Priority>();
constexpr EnumVocabulary kStatuses = vocabulary_of<RequestStatus>();
constexpr EnumVocabulary kActivityKinds = vocabulary_of<ActivityKind>();
constexpr EnumVocabulary kImpactScopes = vocabulary_of<ImpactScope>();
constexpr EnumVocabulary kSlaStates = vocabulary_of<SlaState>();
constexpr EnumVocabulary kResolutions = EnumVocabulary{
    [](std::string_view w) { return parse_resolution(w).has_value(); },
    [] { return std::string("open, kept_theirs, kept_mine, merged"); }};

using P = MergePolicy;

constexpr std::int64_t kNameChars = 64;     // user names, team codes, tags
constexpr std::int64_t kShortChars = 200;   // names, titles (kMaxTitleChars)
constexpr std::int64_t kReasonChars = 2000;
constexpr std::int64_t kLongChars = static_cast<std::int64_t>(kMaxTextChars);  // description, notes
constexpr std::uint8_t kContactGroup = 1;
constexpr std::uint8_t kAgreedDueGroup = 2;  // a due time re-agreed with the customer and why

constexpr FieldSpec text(std::string_view name, std::int64_t max_chars, P policy = P::kLww, std::uint8_t group = 0) {
  return FieldSpec{name, ValueType::kText, policy, policy != P::kAppendOnly, 0, max_chars, group, nullptr};
}
constexpr FieldSpec required_text(std::string_view name, std::int64_t max_chars, P policy) {
  return FieldSpec{name, ValueType::kText, policy, false, 0, max_chars, 0, nullptr};
}
constexpr FieldSpec integer(std::string_view name, std::int64_t lo, std::int64_t hi, P policy = P::kLww) {
  return FieldSpec{name, ValueType::kInteger, policy, policy != P::kAppendOnly, lo, hi, 0, nullptr};
}
constexpr FieldSpec boolean(std::string_view name, P policy = P::kLww) {
  return FieldSpec{name, ValueType::kBool, policy, policy != P::kTombstone, 0, 0, 0, nullptr};
}
constexpr FieldSpec instant(std::string_view name, P policy = P::kLww, bool nullable = true) {
  return FieldSpec{name, ValueType::kInstant, policy, nullable, 0, 0, 0, nullptr};
}
constexpr FieldSpec enumerated(std::string_view name, const EnumVocabulary& v, P policy = P::kLww, bool nullable = true) {
  return FieldSpec{name, ValueType::kEnum, policy, nullable, 0, 0, 0, &v};
}
constexpr FieldSpec set_of(std::string_view name) {
  return FieldSpec{name, ValueType::kSetElement, P::kSet, false, 0, kNameChars, 0, nullptr};
}
constexpr FieldSpec row_ref(std::string_view name, P policy = P::kLww) {
  return FieldSpec{name, ValueType::kRowRef, policy, false, 0, 0, 0, nullptr};
}
constexpr FieldSpec sha256(std::string_view name, P policy) {
  return FieldSpec{name, ValueType::kSha256, policy, false, 0, 0, 0, nullptr};
}

constexpr auto kRequestFields = std::to_array<FieldSpec>({
    text("customer", kShortChars),
    text("customer_id", kNameChars),
    text("contact", kShortChars, P::kLww, kContactGroup),
    text("contact_name", kShortChars, P::kLww, kContactGroup),
    text("industry", kShortChars),
    enumerated("tier", kTiers),
    enumerated("channel", kChannels),
    enumerated("category", kCategories),
    enumerated("priority", kPriorities),
    text("priority_reason", kReasonChars),
    text("priority_override_by", kNameChars),
    enumerated("impact", kImpactScopes),
    text("title", kShortChars),
    text("description", kLongChars),
    text("background", kLongChars),
    instant("contacted_at"),
    instant("expected_at"),
    enumerated("status", kStatuses, P::kStatus, false),
    text("status_reason", kReasonChars),
    text("owner", kNameChars),
    text("team", kNameChars),
    set_of("collaborators"),
    set_of("tags"),
    integer("progress", 0, 100),
    integer("satisfaction", 1, 5),
    text("feedback", kLongChars),
    text("number", kNameChars, P::kServerOwned),
    instant("first_response_due", P::kServerOwned),
    instant("resolution_due", P::kServerOwned),
    enumerated("sla_state", kSlaStates, P::kServerOwned),
    boolean("sla_breached", P::kServerOwned),
    integer("escalation_level", 0, 10, P::kServerOwned),
    text("assigned_by_rule", kShortChars, P::kServerOwned),
    text("assignment_explanation", kReasonChars, P::kServerOwned),
    boolean("deleted", P::kTombstone),
    FieldSpec{"agreed_due", ValueType::kInstant, P::kLww, true, 0, 0, kAgreedDueGroup, nullptr},
    text("agreed_reason", kReasonChars, P::kLww, kAgreedDueGroup),
});

constexpr auto kSubtaskFields = std::to_array<FieldSpec>({
    row_ref("request_id"),
    text("title", kShortChars),
    text("owner", kNameChars),
    set_of("collaborators"),
    instant("start_at"),
    instant("due_at"),
    text("deliverable", kReasonChars),
    boolean("done"),
    boolean("deleted", P::kTombstone),
});

constexpr auto kActivityFields = std::to_array<FieldSpec>({
    row_ref("request_id", P::kAppendOnly),
    enumerated("kind", kActivityKinds, P::kAppendOnly, false),
    required_text("author", kNameChars, P::kAppendOnly),
    instant("at", P::kAppendOnly, false),
    required_text("text", kLongChars, P::kAppendOnly),
    integer("progress", 0, 100, P::kAppendOnly),
});

constexpr auto kAttachmentFields = std::to_array<FieldSpec>({
    row_ref("request_id", P::kAppendOnly),
    required_text("file_name", 255, P::kAppendOnly),
    required_text("mime_type", 127, P::kAppendOnly),
    integer("size_bytes", 0, std::int64_t{1} << 40, P::kAppendOnly),
    sha256("sha256", P::kAppendOnly),
    required_text("added_by", kNameChars, P::kAppendOnly),
    instant("added_at", P::kAppendOnly, false),
});

constexpr auto kCustomerFields = std::to_array<FieldSpec>({
    text("name", kShortChars),
    text("customer_id", kNameChars),
    text("industry", kShortChars),
    enumerated("tier", kTiers),
    text("contact", kShortChars),
    boolean("deleted", P::kTombstone),
});

constexpr auto kKnowledgeFields = std::to_array<FieldSpec>({
    text("title", kShortChars),
    text("body", kLongChars),
    enumerated("category", kCategories),
    set_of("tags"),
    boolean("deleted", P::kTombstone),
});

constexpr auto kConflictFields = std::to_array<FieldSpec>({
    enumerated("resolution", kResolutions, P::kLww, false),
});

const std::array<EntitySpec, 7> kEntities = {{
    {"request", kRequestFields, RowIdKind::kUuidV7, false},
    {"subtask", kSubtaskFields, RowIdKind::kUuidV7, false},
    {"activity", kActivityFields, RowIdKind::kUuidV7, true},
    {"attachment", kAttachmentFields, RowIdKind::kUuidV7, true},
    {"customer", kCustomerFields, RowIdKind::kUuidV7, false},
    {"knowledge", kKnowledgeFields, RowIdKind::kUuidV7, false},
    {"conflict", kConflictFields, RowIdKind::kConflictId, false},
}};

// Per entity, an open-addressing table from field name to index (built once; the merge
// looks a field up for every op).
constexpr std::size_t kFieldTableSize = 128;  // > 2x the largest entity
struct FieldTable {
  std::array<std::uint8_t, kFieldTableSize> slot{};  // field index + 1; 0 = empty
};

std::uint32_t name_hash(std::string_view s) {
  std::uint32_t h = 2166136261u;
  for (char ch : s) h = (h ^ static_cast<unsigned char>(ch)) * 16777619u;
  return h;
}

const std::array<FieldTable, kEntities.size()>& field_tables() {
  static const auto tables = [] {
    std::array<FieldTable, kEntities.size()> t{};
    for (std::size_t e = 0; e < kEntities.size(); ++e) {
      const auto& fields = kEntities[e].fields;
      for (std::size_t f = 0; f < fields.size(); ++f) {
        std::size_t i = name_hash(fields[f].name) % kFieldTableSize;
        while (t[e].slot[i] != 0) i = (i + 1) % kFieldTableSize;
        t[e].slot[i] = static_cast<std::uint8_t>(f + 1);
      }
    }
    return t;
  }();
  return tables;
}

int entity_index(std::string_view name) {
  for (std::size_t e = 0; e < kEntities.size(); ++e) {
    if (kEntities[e].name == name) return static_cast<int>(e);
  }
  return -1;
}

int field_index(std::size_t entity, std::string_view name) {
  const auto& table = field_tables()[entity];
  const auto& fields = kEntities[entity].fields;
  std::size_t i = name_hash(name) % kFieldTableSize;
  while (table.slot[i] != 0) {
    const int f = table.slot[i] - 1;
    if (fields[static_cast<std::size_t>(f)].name == name) return f;
    i = (i + 1) % kFieldTableSize;
  }
  return -1;
}

Text quoted(std::string_view s) {
  std::string q;
  q.reserve(82);
  q += '"';
  q.append(utf8_prefix(s, 80));
  q += '"';
  return same_text(q);
}

Text field_label(std::string_view entity, std::string_view field) {
  std::string s(utf8_prefix(entity, 40));
  s += '.';
  s += utf8_prefix(field, 60);
  return same_text(s);
}


bool is_sha256(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char ch) {
           return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
         });
}

Status fail(Problem& problem, Problem p, Status s) {
  problem = p;
  return s;
}

Text expected_type_text(const FieldSpec& f) {
  switch (f.type) {
    case ValueType::kText: return Text{"a string", "字符串"};
    case ValueType::kInteger: return Text{"an integer", "整数"};
    case ValueType::kBool: return Text{"true or false", "true 或 false"};
    case ValueType::kInstant: return Text{"an ISO 8601 time string with offset", "带时区的 ISO 8601 时间字符串"};
    case ValueType::kEnum: return Text{"one of the listed names (a string)", "列出的名称之一（字符串）"};
    case ValueType::kSetElement: return Text{"\"+element\" or \"-element\"", "“+元素”或“-元素”"};
    case ValueType::kRowRef: return Text{"a row id (UUIDv7 string)", "行 ID（UUIDv7 字符串）"};
    case ValueType::kSha256: return Text{"64 lower-case hex digits", "64 位小写十六进制数字"};
  }
  return {};
}

Text kind_text(Value::Kind k) {
  switch (k) {
    case Value::Kind::kNull: return Text{"null", "null"};
    case Value::Kind::kBool: return Text{"a boolean", "布尔值"};
    case Value::Kind::kInt: return Text{"an integer", "整数"};
    case Value::Kind::kDouble: return Text{"a number with decimals", "小数"};
    case Value::Kind::kString: return Text{"a string", "字符串"};
  }
  return {};
}

// One pass over the text: UTF-8 validity, length in code points, control characters.
// (Runs for every text value merged, so it does not call three separate scans.)
enum class TextVerdict { kOk, kInvalidUtf8, kControl };
TextVerdict scan_text(std::string_view s, std::int64_t& chars) {
  // A local count (the text's bytes may alias `chars`) and the ASCII test first keep this
  // loop as fast as a hand-written decoder.
  std::int64_t count = 0;
  bool control = false;
  std::size_t i = 0;
  // Eight bytes at a time while they are all printable ASCII (0x20-0x7E), the usual text;
  // a word with anything else (and the tail) goes through the decoder below. The tests are
  // the classic exact "some byte < n" / "some byte == 0" word tricks.
  constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  constexpr std::uint64_t kHighs = 0x8080808080808080ull;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    const std::uint64_t del = w ^ (0x7F * kOnes);
    if (((w | ((w - 0x20 * kOnes) & ~w) | ((del - kOnes) & ~del)) & kHighs) != 0) break;
    count += 8;
  }
  while (i < s.size()) {
    const CodePoint cp = next_code_point(s, i);
    const char32_t c = cp.value;
    if (c < 0x80) {
      control |= (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F;
    } else if (!cp.valid) {
      chars = count;
      return TextVerdict::kInvalidUtf8;
    }
    ++count;
    i += cp.length;
  }
  chars = count;
  return control ? TextVerdict::kControl : TextVerdict::kOk;
}

Status check_text_chars(std::string_view entity, const FieldSpec& f, std::string_view s, std::int64_t max_chars,
                        Problem& problem) {
  std::int64_t chars = 0;
  const TextVerdict verdict = scan_text(s, chars);
  if (verdict == TextVerdict::kInvalidUtf8) {
    return fail(problem, Problem::kInvalidUtf8,
                Status::invalid(format_text(Text{"{} is not valid UTF-8 text.", "{} 不是有效的 UTF-8 文本。"},
                                            {field_label(entity, f.name)}),
                                std::string(f.name)));
  }
  if (chars > max_chars) {
    return fail(problem, Problem::kTextTooLong,
                Status::invalid(format_text(Text{"{} is too long: {} characters, at most {} are allowed.",
                                                 "{} 过长：{} 个字符，最多允许 {} 个。"},
                                            {field_label(entity, f.name), same_text(std::to_string(chars)),
                                             same_text(std::to_string(max_chars))}),
                                std::string(f.name)));
  }
  if (verdict == TextVerdict::kControl) {
    return fail(problem, Problem::kBadFormat,
                Status::invalid(format_text(Text{"{} contains control characters.", "{} 含有控制字符。"},
                                            {field_label(entity, f.name)}),
                                std::string(f.name)));
  }
  return Status::ok();
}

}  // namespace

std::string_view value_type_name(ValueType t) {
  switch (t) {
    case ValueType::kText: return "text";
    case ValueType::kInteger: return "integer";
    case ValueType::kBool: return "bool";
    case ValueType::kInstant: return "instant";
    case ValueType::kEnum: return "enum";
    case ValueType::kSetElement: return "set_element";
    case ValueType::kRowRef: return "row_ref";
    case ValueType::kSha256: return "sha256";
  }
  return "text";
}

std::string_view merge_policy_name(MergePolicy p) {
  switch (p) {
    case MergePolicy::kLww: return "lww";
    case MergePolicy::kSet: return "set";
    case MergePolicy::kAppendOnly: return "append_only";
    case MergePolicy::kStatus: return "status";
    case MergePolicy::kServerOwned: return "server_owned";
    case MergePolicy::kTombstone: return "tombstone";
  }
  return "lww";
}

std::span<const EntitySpec> entities() { return kEntities; }

const EntitySpec* find_entity(std::string_view name) {
  const int e = entity_index(name);
  return e < 0 ? nullptr : &kEntities[static_cast<std::size_t>(e)];
}

std::optional<FieldRef> find_field(std::string_view entity, std::string_view field) {
  const int e = entity_index(entity);
  if (e < 0) return std::nullopt;
  const int f = field_index(static_cast<std::size_t>(e), field);
  if (f < 0) return std::nullopt;
  const EntitySpec& spec = kEntities[static_cast<std::size_t>(e)];
  return FieldRef{&spec, &spec.fields[static_cast<std::size_t>(f)], static_cast<std::uint8_t>(e),
                  static_cast<std::uint8_t>(f)};
}

const FieldSpec* find_field(const EntitySpec& entity, std::string_view field) {
  const auto e = static_cast<std::size_t>(&entity - kEntities.data());
  if (e >= kEntities.size()) return nullptr;
  const int f = field_index(e, field);
  return f < 0 ? nullptr : &entity.fields[static_cast<std::size_t>(f)];
}

Status problem_status(Problem problem, std::string_view entity, std::string_view field, std::string_view detail) {
  const Text where = field_label(entity, field);
  Text msg;
  switch (problem) {
    case Problem::kUnknownEntity:
      msg = format_text(Text{"Unknown entity {}.", "未知的实体 {}。"}, {quoted(entity)});
      break;
    case Problem::kUnknownField:
      msg = format_text(Text{"Entity \"{}\" has no field {}.", "实体“{}”没有字段 {}。"},
                        {same_text(std::string(utf8_prefix(entity, 40))), quoted(field)});
      break;
    case Problem::kServerOwned:
      msg = format_text(Text{"{} is set by the server and cannot be changed from a client.",
                             "{} 由服务器设置，客户端不能修改。"},
                        {where});
      break;
    case Problem::kAppendOnly:
      msg = format_text(Text{"{} was already written; activity entries and attachments are append-only and cannot "
                             "be changed. Add a new entry instead.",
                             "{} 已写入；活动记录和附件只能追加、不能修改。请新增一条记录。"},
                        {where});
      break;
    case Problem::kIncompleteGroup:
      msg = format_text(Text{"{} must be written together with {} (same stamp), so that the pair stays one that "
                             "somebody wrote.",
                             "{} 必须与 {} 一起写入（相同时钟戳），以保证这组值确实由某人写下。"},
                        {where, same_text(std::string(detail))});
      break;
    default:
      msg = format_text(Text{"{}: {} ({}).", "{}：{}（{}）。"},
                        {where, same_text(problem_name(problem)), same_text(std::string(detail))});
  }
  return Status(problem_code(problem), std::move(msg), std::string(utf8_prefix(field, 60)));
}

Status check_value(const EntitySpec& entity, const FieldSpec& f, const Value& v, Problem& problem) {
  const std::string_view e = entity.name;
  const std::string_view field = f.name;  // copied into a Status only on failure
  if (v.is_null()) {
    if (f.nullable) return Status::ok();
    return fail(problem, Problem::kNullNotAllowed,
                Status::invalid(format_text(Text{"{} cannot be empty (null).", "{} 不能为空（null）。"},
                                            {field_label(e, f.name)}),
                                std::string(field)));
  }
  const auto wrong_type = [&] {
    return fail(problem, Problem::kWrongType,
                Status::invalid(format_text(Text{"{} must be {}, not {}.", "{} 必须是{}，而不是{}。"},
                                            {field_label(e, f.name), expected_type_text(f), kind_text(v.kind())}),
                                std::string(field)));
  };
  switch (f.type) {
    case ValueType::kText:
      if (!v.is_string()) return wrong_type();
      return check_text_chars(e, f, v.as_string(), f.max, problem);
    case ValueType::kInteger: {
      if (!v.is_int()) return wrong_type();
      if (v.as_int() < f.min || v.as_int() > f.max) {
        return fail(problem, Problem::kOutOfRange,
                    Status::invalid(format_text(Text{"{} must be between {} and {}, not {}.",
                                                     "{} 必须在 {} 到 {} 之间，而不是 {}。"},
                                                {field_label(e, f.name), same_text(std::to_string(f.min)),
                                                 same_text(std::to_string(f.max)),
                                                 same_text(std::to_string(v.as_int()))}),
                                    std::string(field)));
      }
      return Status::ok();
    }
    case ValueType::kBool:
      return v.is_bool() ? Status::ok() : wrong_type();
    case ValueType::kInstant: {
      if (!v.is_string()) return wrong_type();
      auto t = parse_iso8601(v.as_string());
      if (!t) {
        return fail(problem, Problem::kBadTime,
                    Status::invalid(format_text(Text{"{}: {}", "{}：{}"}, {field_label(e, f.name), t.status().message()}),
                                    std::string(field)));
      }
      return Status::ok();
    }
    case ValueType::kEnum:
      if (!v.is_string()) return wrong_type();
      if (!f.vocabulary->contains(v.as_string())) {
        return fail(problem, Problem::kBadEnum,
                    Status::invalid(format_text(Text{"{} cannot be {}; allowed: {}.", "{} 不能是 {}；允许的值：{}。"},
                                                {field_label(e, f.name), quoted(v.as_string()),
                                                 same_text(f.vocabulary->allowed())}),
                                    std::string(field)));
      }
      return Status::ok();
    case ValueType::kSetElement: {
      if (!v.is_string()) return wrong_type();
      const std::string& s = v.as_string();
      if (s.size() < 2 || (s[0] != '+' && s[0] != '-')) {
        return fail(problem, Problem::kBadElement,
                    Status::invalid(format_text(Text{"{} changes one element at a time: write \"+name\" to add or "
                                                     "\"-name\" to remove, not {}.",
                                                     "{} 每次只修改一个元素：用“+名称”添加、“-名称”删除，而不是 {}。"},
                                                {field_label(e, f.name), quoted(s)}),
                                    std::string(field)));
      }
      return check_text_chars(e, f, std::string_view(s).substr(1), f.max, problem);
    }
    case ValueType::kRowRef:
      if (!v.is_string()) return wrong_type();
      if (!is_uuid_v7(v.as_string())) {
        return fail(problem, Problem::kBadFormat,
                    Status::invalid(format_text(Text{"{} must be a row id (lower-case UUIDv7), not {}.",
                                                     "{} 必须是行 ID（小写 UUIDv7），而不是 {}。"},
                                                {field_label(e, f.name), quoted(v.as_string())}),
                                    std::string(field)));
      }
      return Status::ok();
    case ValueType::kSha256:
      if (!v.is_string()) return wrong_type();
      if (!is_sha256(v.as_string())) {
        return fail(problem, Problem::kBadFormat,
                    Status::invalid(format_text(Text{"{} must be 64 lower-case hex digits (SHA-256).",
                                                     "{} 必须是 64 位小写十六进制数字（SHA-256）。"},
                                                {field_label(e, f.name)}),
                                    std::string(field)));
      }
      return Status::ok();
  }
  return wrong_type();
}

Status check_op(const FieldOp& op, const FieldRef& ref, Problem& problem, KnownRow known_row) {
  const std::string_view e = ref.entity->name;
  if (!is_valid_op_id(op.op)) {
    return fail(problem, Problem::kBadOpId,
                Status::invalid(format_text(Text{"Operation id {} is invalid: use 1 to 100 characters of A-Z, a-z, "
                                                 "0-9, _ . : or -.",
                                                 "操作 ID {} 无效：应为 1 到 100 个字母、数字或 _ . : -。"},
                                            {quoted(op.op)}),
                                "op"));
  }
  const bool row_ok = known_row == KnownRow::kYes ||
                      (ref.entity->row_kind == RowIdKind::kUuidV7 ? is_uuid_v7(op.row) : is_conflict_id(op.row));
  if (!row_ok) {
    return fail(problem, Problem::kBadRow,
                Status::invalid(ref.entity->row_kind == RowIdKind::kUuidV7
                                    ? format_text(Text{"Row id {} of {} is not a lower-case UUIDv7.",
                                                       "行 ID {} 不是小写 UUIDv7（实体 {}）。"},
                                                  {quoted(op.row), same_text(e)})
                                    : format_text(Text{"Row id {} of {} is not a conflict id (\"cf:<op id>\").",
                                                       "行 ID {} 不是冲突 ID（“cf:<操作 ID>”，实体 {}）。"},
                                                  {quoted(op.row), same_text(e)}),
                                "row"));
  }
  const auto stamp_ok = [](const Stamp& s) {
    return s.physical_ms >= 0 && s.physical_ms <= kMaxPhysicalMs && is_valid_device_id(s.device);
  };
  if (!stamp_ok(op.hlc)) {
    return fail(problem, Problem::kBadStamp,
                Status::invalid(Text{"The operation's clock stamp is out of range or has an invalid device id.",
                                     "操作的时钟戳超出范围或设备 ID 无效。"},
                                "hlc"));
  }
  if (op.base && (!stamp_ok(*op.base) || !(*op.base < op.hlc))) {
    return fail(problem, Problem::kBadBase,
                Status::invalid(Text{"The operation's base stamp must be older than its own stamp: an edit can only "
                                     "build on a value seen before it was made.",
                                     "操作的基准时钟戳必须早于其自身时钟戳：修改只能基于此前看到的值。"},
                                "base"));
  }
  std::int64_t author_chars = 0;
  if (op.author.size() > kMaxAuthorBytes || scan_text(op.author, author_chars) != TextVerdict::kOk) {
    return fail(problem, Problem::kBadFormat,
                Status::invalid(Text{"The operation's author is not a valid user name.", "操作的作者不是有效的用户名。"},
                                "author"));
  }
  return check_value(*ref.entity, *ref.field, op.value, problem);
}

}  // namespace rapidesk::sync
