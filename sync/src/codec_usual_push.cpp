#include "codec_usual_push.h"

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

enum Member { kOp, kEntity, kRow, kField, kHlc, kBase, kValue, kMemberCount };
constexpr std::array<std::string_view, kMemberCount> kMemberNames = {"op",  "entity", "row",  "field",
                                                                     "hlc", "base",   "value"};
constexpr unsigned kRequired = (1u << kMemberCount) - 1 - (1u << kBase);  // "base" may be left out

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

bool read_op(Reader& r, RawOp& raw) {
  raw.text = {};
  raw.seen = 0;
  raw.base = RawOp::Kind::kNull;
  if (!r.eat('{')) return false;
  do {
    std::string_view name;
    if (!r.key(name) || !r.eat(':')) return false;
    std::size_t m = 0;
    while (m < kMemberCount && kMemberNames[m] != name) ++m;
    if (m == kMemberCount || (raw.seen & (1u << m)) != 0) return false;  // unknown, or twice
    raw.seen |= 1u << m;
    if (m == kValue) {
      if (!read_value(r, raw)) return false;
    } else if (m == kBase && r.peek() == 'n') {
      if (!r.literal("null")) return false;
    } else {
      if (m == kBase) raw.base = RawOp::Kind::kString;
      if (!r.string(raw.text[m], raw.scratch[m])) return false;
    }
  } while (r.eat(','));
  return r.eat('}') && (raw.seen & kRequired) == kRequired;
}

// The checks of the general decoder, in any order: all must pass.
bool build_op(const RawOp& raw, const CodecLimits& limits, std::string_view device, FieldOp& op) {
  for (std::size_t m = 0; m < kMemberCount; ++m) {
    if (raw.text[m].size() > limits.max_string_bytes) return false;
  }
  if (!is_valid_op_id(raw.text[kOp])) return false;
  const auto ref = find_field(raw.text[kEntity], raw.text[kField]);
  if (!ref) return false;
  auto stamp = parse_stamp(raw.text[kHlc]);
  if (!stamp || stamp->device != device) return false;
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
  op.author.clear();
  op.origin = Origin::kClient;
  Problem problem = Problem::kNone;
  return check_op(op, *ref, problem).is_ok();
}

bool read_ops(Reader& r, const CodecLimits& limits, std::string_view device, std::vector<FieldOp>& ops) {
  if (!r.eat('[')) return false;
  if (r.eat(']')) return true;
  RawOp raw;
  do {
    if (ops.size() == limits.max_ops) return false;
    FieldOp& op = ops.emplace_back();
    if (!read_op(r, raw) || !build_op(raw, limits, device, op)) return false;
  } while (r.eat(','));
  return r.eat(']');
}

}  // namespace

bool decode_usual_push(std::string_view body, const CodecLimits& limits, DecodedPush& out) {
  if (body.size() > limits.max_body_bytes || limits.max_depth < 3) return false;
  if (first_invalid_utf8(body) != std::string_view::npos) return false;
  // About one op per 150 bytes, as clients write them.
  out.ops.reserve(std::min(limits.max_ops, body.size() / 150 + 1));
  Reader r(body);
  if (!r.eat('{')) return false;
  bool have_protocol = false;
  bool have_device = false;
  bool have_ops = false;
  std::string device_scratch;
  std::string_view device;
  do {
    std::string_view name;
    if (!r.key(name) || !r.eat(':')) return false;
    if (name == "protocol" && !have_protocol) {
      std::int64_t version = 0;
      if (!r.integer(version) || version != kProtocolVersion) return false;
      have_protocol = true;
    } else if (name == "device" && !have_device) {
      if (!r.string(device, device_scratch) || !is_valid_device_id(device)) return false;
      have_device = true;
    } else if (name == "ops" && !have_ops && have_device) {  // the ops' stamps are checked against the device
      if (!read_ops(r, limits, device, out.ops)) return false;
      have_ops = true;
    } else {
      return false;
    }
  } while (r.eat(','));
  if (!r.eat('}') || !r.at_end() || !have_protocol || !have_ops) return false;
  out.protocol = kProtocolVersion;
  out.device.assign(device);
  return true;
}

}  // namespace rapidesk::sync::detail
