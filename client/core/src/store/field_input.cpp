// parse_field_input: typed text → a field value, by the sync schema's type of the field.
#include <charconv>

#include "rapidesk/client/local_replica.h"
#include "rapidesk/shared/time.h"
#include "rapidesk/sync/schema.h"

namespace rapidesk::client {

namespace {

Status bad(std::string_view field, Text message) { return Status::invalid(std::move(message), std::string(field)); }

}  // namespace

Result<sync::Value> parse_field_input(std::string_view entity, std::string_view field, std::string_view text) {
  const auto ref = sync::find_field(entity, field);
  if (!ref) {
    const sync::EntitySpec* e = sync::find_entity(entity);
    std::string known;
    if (e != nullptr) {
      for (const auto& f : e->fields) {
        if (f.policy == sync::MergePolicy::kServerOwned) continue;
        if (!known.empty()) known += ", ";
        known += f.name;
      }
    }
    return bad(field, format_text(Text{"Unknown field \"{}\" of {}; fields: {}.", "{} 没有字段“{}”；可用字段：{}。"},
                                  {same_text(std::string(field.substr(0, 60))), same_text(std::string(entity)),
                                   same_text(known)}));
  }
  const sync::FieldSpec& f = *ref->field;
  if (text.empty()) return sync::Value::null();
  const std::string s(text);
  switch (f.type) {
    case sync::ValueType::kInteger: {
      std::int64_t v = 0;
      const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec != std::errc() || end != s.data() + s.size()) {
        return bad(field, format_text(Text{"{} must be a whole number, not \"{}\".", "{} 必须是整数，而不是“{}”。"},
                                      {same_text(std::string(field)), same_text(s.substr(0, 60))}));
      }
      return sync::Value::integer(v);
    }
    case sync::ValueType::kBool: {
      if (s == "true" || s == "yes" || s == "1" || s == "是") return sync::Value::boolean(true);
      if (s == "false" || s == "no" || s == "0" || s == "否") return sync::Value::boolean(false);
      return bad(field, format_text(Text{"{} must be true or false, not \"{}\".", "{} 必须是 true 或 false，而不是“{}”。"},
                                    {same_text(std::string(field)), same_text(s.substr(0, 60))}));
    }
    case sync::ValueType::kInstant: {
      auto t = parse_iso8601(s);
      if (!t) {
        return bad(field, format_text(Text{"{}: \"{}\" is not a time; write it as 2026-11-23T14:30:00+08:00.",
                                           "{}：“{}”不是有效时间；请写成 2026-11-23T14:30:00+08:00 的形式。"},
                                      {same_text(std::string(field)), same_text(s.substr(0, 60))}));
      }
      return sync::Value::string(s);
    }
    case sync::ValueType::kSetElement:
      if (s[0] != '+' && s[0] != '-') return sync::Value::string("+" + s);  // a bare name adds it
      return sync::Value::string(s);
    default: return sync::Value::string(s);
  }
}

}  // namespace rapidesk::client
