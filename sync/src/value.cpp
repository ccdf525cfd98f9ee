#include "rapidesk/sync/value.h"

#include <bit>
#include <charconv>
#include <cmath>

namespace rapidesk::sync {

Value Value::boolean(bool b) {
  Value v;
  v.kind_ = Kind::kBool;
  v.num_.b = b;
  return v;
}

Value Value::integer(std::int64_t i) {
  Value v;
  v.kind_ = Kind::kInt;
  v.num_.i = i;
  return v;
}

Value Value::real(double d) {
  Value v;
  v.kind_ = Kind::kDouble;
  v.num_.d = d;
  return v;
}

Value Value::string(std::string s) {
  Value v;
  v.kind_ = Kind::kString;
  v.str_ = std::move(s);
  return v;
}

bool operator==(const Value& a, const Value& b) {
  if (a.kind_ != b.kind_) return false;
  switch (a.kind_) {
    case Value::Kind::kNull: return true;
    case Value::Kind::kBool: return a.num_.b == b.num_.b;
    case Value::Kind::kInt: return a.num_.i == b.num_.i;
    case Value::Kind::kDouble: return std::bit_cast<std::uint64_t>(a.num_.d) == std::bit_cast<std::uint64_t>(b.num_.d);
    case Value::Kind::kString: return a.str_ == b.str_;
  }
  return false;
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  // Plain bytes are copied in runs: every op, log entry and pull page goes through here,
  // and most strings (ids, stamps, field names, text) need no escape at all.
  out.reserve(out.size() + s.size() + 2);
  out += '"';
  std::size_t run = 0;  // start of the pending run of plain bytes
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

void Value::append_canonical(std::string& out) const {
  switch (kind_) {
    case Kind::kNull: out += "null"; return;
    case Kind::kBool: out += num_.b ? "true" : "false"; return;
    case Kind::kInt: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, num_.i);
      out.append(buf, r.ptr);
      return;
    }
    case Kind::kDouble: {
      if (!std::isfinite(num_.d)) {  // not representable in JSON; only reachable through the API
        out += std::isnan(num_.d) ? "NaN" : (num_.d > 0 ? "Infinity" : "-Infinity");
        return;
      }
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, num_.d);
      const std::string_view text(buf, static_cast<std::size_t>(r.ptr - buf));
      out += text;
      if (text.find_first_of(".e") == std::string_view::npos) out += ".0";
      return;
    }
    case Kind::kString: append_json_string(out, str_); return;
  }
}

std::string Value::canonical() const {
  std::string out;
  append_canonical(out);
  return out;
}

std::string_view kind_name(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::kNull: return "null";
    case Value::Kind::kBool: return "boolean";
    case Value::Kind::kInt: return "integer";
    case Value::Kind::kDouble: return "number";
    case Value::Kind::kString: return "string";
  }
  return "null";
}

}  // namespace rapidesk::sync
