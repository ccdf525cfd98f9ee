#include "codec_usual.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

#include "rapidesk/shared/utf8.h"
#include "rapidesk/sync/schema.h"

namespace rapidesk::sync::detail {

namespace {

// Below 2^63 whatever the digits: such an integer is never out of range.
constexpr std::size_t kMaxDigits = 18;

// JSON's one-character escapes: pairs of the letter after the backslash and what it stands for.
constexpr std::string_view kEscapes = "\"\"\\\\//b\bf\fn\nr\rt\t";

// Reads JSON tokens from the body. Every method returns false on anything it does not take,
// which the caller passes up unchanged.
class Reader {
 public:
  explicit Reader(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  bool eat(char c) {
    skip_space();
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  char peek() {
    skip_space();
    return p_ == end_ ? '\0' : *p_;
  }
  bool at_end() {
    skip_space();
    return p_ == end_;
  }

  // A member name: plain characters only.
  bool key(std::string_view& out) {
    if (!eat('"')) return false;
    const char* start = p_;
    while (p_ != end_ && *p_ != '"') {
      if (*p_ == '\\' || static_cast<unsigned char>(*p_) < 0x20) return false;
      ++p_;
    }
    if (p_ == end_) return false;
    out = std::string_view(start, static_cast<std::size_t>(p_ - start));
    ++p_;
    return true;
  }

  // A string value: a view of the body when it has no escapes, else decoded into `scratch`
  // (one-character escapes only; \u escapes are left to the general decoder).
  bool string(std::string_view& out, std::string& scratch) {
    if (!eat('"')) return false;
    const char* start = p_;
    while (p_ != end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        out = std::string_view(start, static_cast<std::size_t>(p_ - start));
        ++p_;
        return true;
      }
      if (c == '\\') return escaped(start, out, scratch);
      if (c < 0x20) return false;  // not allowed raw in JSON
      ++p_;
    }
    return false;
  }

  // -?(0|[1-9][0-9]{0,17}), with no fraction or exponent after it.
  bool integer(std::int64_t& out) {
    skip_space();
    const bool negative = p_ != end_ && *p_ == '-';
    if (negative) ++p_;
    const char* start = p_;
    std::int64_t n = 0;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') {
      if (static_cast<std::size_t>(p_ - start) == kMaxDigits) return false;
      n = n * 10 + (*p_ - '0');
      ++p_;
    }
    const auto digits = static_cast<std::size_t>(p_ - start);
    if (digits == 0 || (*start == '0' && (digits > 1 || negative))) return false;
    if (p_ != end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) return false;
    out = negative ? -n : n;
    return true;
  }

  bool literal(std::string_view word) {
    skip_space();
    if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }

 private:
  void skip_space() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool escaped(const char* start, std::string_view& out, std::string& scratch) {
    scratch.assign(start, p_);
    while (p_ != end_) {
      const auto c = static_cast<unsigned char>(*p_++);
      if (c == '"') {
        out = scratch;
        return true;
      }
      if (c < 0x20) return false;
      if (c != '\\') {
        scratch += static_cast<char>(c);
        continue;
      }
      if (p_ == end_) return false;
      const char letter = *p_++;
      std::size_t i = 0;
      while (i < kEscapes.size() && kEscapes[i] != letter) i += 2;
      if (i == kEscapes.size()) return false;  // \u escapes (left to the general decoder) and invalid ones
      scratch += kEscapes[i + 1];
    }
    return false;
  }

  const char* p_;
  const char* end_;
};

enum Member { kOp, kEntity, kRow, kField, kHlc, kBase, kValue, kAuthor, kOrigin, kSeq, kOutcome, kMemberCount };
constexpr std::array<std::string_view, kMemberCount> kMemberNames = {
    "op", "entity", "row", "field", "hlc", "base", "value", "author", "origin", "seq", "outcome"};
constexpr unsigned bit(Member m) { return 1u << m; }
// A pushed op has the op members; a pulled log entry adds what the server decided. "base" may
// be left out of both, "author" and "origin" out of an entry.
constexpr unsigned kPushMembers = bit(kAuthor) - 1;
constexpr unsigned kPushRequired = kPushMembers & ~bit(kBase);
constexpr unsigned kPullMembers = (1u << kMemberCount) - 1;
constexpr unsigned kPullRequired = kPushRequired | bit(kSeq) | bit(kOutcome);

// One op's members as read, before they are checked.
struct RawOp {
  enum class Kind { kNull, kBool, kInt, kString };
  std::array<std::string_view, kMemberCount> text{};  // string members (base and value when strings)
  std::array<std::string, kMemberCount> scratch;      // their decoded form when escaped
  unsigned seen = 0;
  Kind base = Kind::kNull;
  Kind value = Kind::kNull;
  bool flag = false;
  std::int64_t number = 0;
  std::int64_t seq = 0;
};

bool read_value(Reader& r, RawOp& raw) {
  switch (r.peek()) {
    case '"':
      raw.value = RawOp::Kind::kString;
      return r.string(raw.text[kValue], raw.scratch[kValue]);
    case 'n':
      raw.value = RawOp::Kind::kNull;
      return r.literal("null");
    case 't':
      raw.value = RawOp::Kind::kBool;
      raw.flag = true;
      return r.literal("true");
    case 'f':
      raw.value = RawOp::Kind::kBool;
      raw.flag = false;
      return r.literal("false");
    default:
      raw.value = RawOp::Kind::kInt;
      return r.integer(raw.number);
  }
}

// `allowed`: the members this kind of op may have (kPushMembers or kPullMembers).
bool read_op(Reader& r, RawOp& raw, unsigned allowed, unsigned required) {
  raw.text = {};
  raw.seen = 0;
  raw.base = RawOp::Kind::kNull;
  if (!r.eat('{')) return false;
  do {
    std::string_view name;
    if (!r.key(name) || !r.eat(':')) return false;
    std::size_t m = 0;
    while (m < kMemberCount && kMemberNames[m] != name) ++m;
    if (m == kMemberCount || (allowed & (1u << m)) == 0 || (raw.seen & (1u << m)) != 0) return false;
    raw.seen |= 1u << m;
    if (m == kValue) {
      if (!read_value(r, raw)) return false;
    } else if (m == kSeq) {
      if (!r.integer(raw.seq)) return false;
    } else if (m == kBase && r.peek() == 'n') {
      if (!r.literal("null")) return false;
    } else {
      if (m == kBase) raw.base = RawOp::Kind::kString;
      if (!r.string(raw.text[m], raw.scratch[m])) return false;
    }
  } while (r.eat(','));
  return r.eat('}') && (raw.seen & required) == required;
}

// The checks of the general decoder, in any order: all must pass. `device`: the pushing
// device every stamp must name; nullptr for a pulled entry (any device).
bool build_op(const RawOp& raw, const CodecLimits& limits, const std::string_view* device, FieldOp& op) {
  for (std::size_t m = 0; m < kMemberCount; ++m) {
    if (raw.text[m].size() > limits.max_string_bytes) return false;
  }
  if (!is_valid_op_id(raw.text[kOp])) return false;
  const auto ref = find_field(raw.text[kEntity], raw.text[kField]);
  if (!ref) return false;
  auto stamp = parse_stamp(raw.text[kHlc]);
  if (!stamp || (device != nullptr && stamp->device != *device)) return false;
  op.op.assign(raw.text[kOp]);
  op.entity.assign(raw.text[kEntity]);
  op.row.assign(raw.text[kRow]);
  op.field.assign(raw.text[kField]);
  op.hlc = std::move(*stamp);
  op.base.reset();
  if (raw.base == RawOp::Kind::kString) {
    auto base = parse_stamp(raw.text[kBase]);
    if (!base) return false;
    op.base = std::move(*base);
  }
  switch (raw.value) {
    case RawOp::Kind::kNull:
      op.value = Value::null();
      break;
    case RawOp::Kind::kBool:
      op.value = Value::boolean(raw.flag);
      break;
    case RawOp::Kind::kInt:
      op.value = Value::integer(raw.number);
      break;
    case RawOp::Kind::kString:
      op.value = Value::string(std::string(raw.text[kValue]));
      break;
  }
  op.author.assign(raw.text[kAuthor]);  // empty when absent (a push carries none)
  op.origin = Origin::kClient;
  if (raw.text[kOrigin] == "server") {
    op.origin = Origin::kServer;
  } else if ((raw.seen & bit(kOrigin)) != 0 && raw.text[kOrigin] != "client") {
    return false;
  }
  Problem problem = Problem::kNone;
  return check_op(op, *ref, problem).is_ok();
}

// A pulled entry: the op, then the server's seq (from 1) and outcome (never "rejected").
bool build_entry(const RawOp& raw, const CodecLimits& limits, LogEntry& entry) {
  if (raw.seq <= 0) return false;
  const auto outcome = parse_outcome(raw.text[kOutcome]);
  if (!outcome || *outcome == Outcome::kRejected) return false;
  entry.seq = static_cast<std::uint64_t>(raw.seq);
  entry.outcome = *outcome;
  return build_op(raw, limits, nullptr, entry.op);
}

// A JSON array of ops or entries, at most limits.max_ops; `read_one(raw, item)` reads each.
template <typename Item, typename ReadOne>
bool read_array(Reader& r, const CodecLimits& limits, std::vector<Item>& items, ReadOne read_one) {
  if (!r.eat('[')) return false;
  if (r.eat(']')) return true;
  RawOp raw;
  do {
    if (items.size() == limits.max_ops) return false;
    if (!read_one(raw, items.emplace_back())) return false;
  } while (r.eat(','));
  return r.eat(']');
}

// The body's one object, every member handed to `member(name)` (which reads its value and
// returns false for a member it does not take), and nothing after it.
template <typename Member>
bool read_body_object(Reader& r, Member member) {
  if (!r.eat('{')) return false;
  do {
    std::string_view name;
    if (!r.key(name) || !r.eat(':') || !member(name)) return false;
  } while (r.eat(','));
  return r.eat('}') && r.at_end();
}

// "protocol", once, and this program's version.
bool read_protocol(Reader& r, bool& seen) {
  std::int64_t version = 0;
  if (seen || !r.integer(version) || version != kProtocolVersion) return false;
  seen = true;
  return true;
}

// What both bodies check before reading: the size, the nesting a batch needs, UTF-8.
bool body_readable(std::string_view body, const CodecLimits& limits) {
  return body.size() <= limits.max_body_bytes && limits.max_depth >= 3 &&
         first_invalid_utf8(body) == std::string_view::npos;
}

}  // namespace

bool decode_usual_push(std::string_view body, const CodecLimits& limits, DecodedPush& out) {
  if (!body_readable(body, limits)) return false;
  // About one op per 150 bytes, as clients write them.
  out.ops.reserve(std::min(limits.max_ops, body.size() / 150 + 1));
  Reader r(body);
  bool have_protocol = false;
  bool have_device = false;
  bool have_ops = false;
  std::string device_scratch;
  std::string_view device;
  const auto read_op_of_device = [&](RawOp& raw, FieldOp& op) {
    return read_op(r, raw, kPushMembers, kPushRequired) && build_op(raw, limits, &device, op);
  };
  const bool read = read_body_object(r, [&](std::string_view name) {
    if (name == "protocol") return read_protocol(r, have_protocol);
    if (name == "device" && !have_device) {
      have_device = true;
      return r.string(device, device_scratch) && is_valid_device_id(device);
    }
    if (name == "ops" && !have_ops && have_device) {  // the ops' stamps are checked against the device
      have_ops = true;
      return read_array(r, limits, out.ops, read_op_of_device);
    }
    return false;
  });
  if (!read || !have_protocol || !have_ops) return false;
  out.protocol = kProtocolVersion;
  out.device.assign(device);
  return true;
}

bool decode_usual_pull(std::string_view body, const CodecLimits& limits, DecodedPull& out) {
  if (!body_readable(body, limits)) return false;
  // About one entry per 250 bytes, as the server writes them.
  out.entries.reserve(std::min(limits.max_ops, body.size() / 250 + 1));
  Reader r(body);
  bool have_protocol = false;
  bool have_ops = false;
  bool have_cursor = false;
  bool have_more = false;
  const auto read_entry = [&](RawOp& raw, LogEntry& entry) {
    return read_op(r, raw, kPullMembers, kPullRequired) && build_entry(raw, limits, entry);
  };
  const bool read = read_body_object(r, [&](std::string_view name) {
    if (name == "protocol") return read_protocol(r, have_protocol);
    if (name == "ops" && !have_ops) {
      have_ops = true;
      return read_array(r, limits, out.entries, read_entry);
    }
    if (name == "cursor" && !have_cursor) {
      have_cursor = true;
      std::int64_t cursor = 0;
      if (!r.integer(cursor) || cursor < 0) return false;
      out.cursor = static_cast<std::uint64_t>(cursor);
      return true;
    }
    if (name == "more" && !have_more) {
      have_more = true;
      out.more = r.peek() == 't';
      return r.literal(out.more ? "true" : "false");
    }
    return false;
  });
  return read && have_protocol && have_ops && have_cursor;
}

}  // namespace rapidesk::sync::detail
