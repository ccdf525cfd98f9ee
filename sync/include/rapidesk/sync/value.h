// The value of one field operation: a JSON scalar (null, bool, int64, double, string).
// A small owning type of our own rather than nlohmann::json: it is compared and copied
// on the merge hot path and keeps JSON out of public headers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rapidesk::sync {

class Value {
 public:
  enum class Kind : std::uint8_t { kNull, kBool, kInt, kDouble, kString };

  Value() = default;  // null
  static Value null() { return Value(); }
  static Value boolean(bool b);
  static Value integer(std::int64_t i);
  static Value real(double d);
  static Value string(std::string s);

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool is_bool() const { return kind_ == Kind::kBool; }
  bool is_int() const { return kind_ == Kind::kInt; }
  bool is_double() const { return kind_ == Kind::kDouble; }
  bool is_string() const { return kind_ == Kind::kString; }

  // REQUIRES: the matching kind. (Null and mismatched kinds read as false / 0 / "".)
  bool as_bool() const { return kind_ == Kind::kBool && num_.b; }
  std::int64_t as_int() const { return kind_ == Kind::kInt ? num_.i : 0; }
  double as_double() const { return kind_ == Kind::kDouble ? num_.d : 0.0; }
  const std::string& as_string() const { return str_; }

  // Same kind and same payload (doubles compared bit for bit, so the relation is total).
  friend bool operator==(const Value& a, const Value& b);

  // Canonical text: JSON for null/bool/int/string; doubles in shortest round-trip form that
  // always shows a '.' or exponent (so 1.0 and 1 differ).
  std::string canonical() const;
  void append_canonical(std::string& out) const;

 private:
  Kind kind_ = Kind::kNull;
  union Number {
    bool b;
    std::int64_t i;
    double d;
  } num_{};
  std::string str_;
};

// Human-readable name of a kind ("null", "boolean", "integer", "number", "string").
std::string_view kind_name(Value::Kind kind);

// Appends `s` as a JSON string literal (quotes and escapes included).
void append_json_string(std::string& out, std::string_view s);

}  // namespace rapidesk::sync
