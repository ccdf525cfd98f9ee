#include "rapidesk/server/json_body.h"

#include "rapidesk/shared/validation.h"

namespace rapidesk::server {

int json_nesting_depth(std::string_view text, int limit) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        if (++depth > deepest) deepest = depth;
        if (deepest > limit) return deepest;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default: break;
    }
  }
  return deepest;
}

Result<nlohmann::json> parse_json_body(std::string_view body, int max_depth) {
  if (body.empty()) {
    return Status::invalid(Text{"the request body is empty; a JSON object was expected",
                                "请求体为空，应为 JSON 对象"});
  }
  if (!is_valid_utf8(body)) {
    return Status::invalid(Text{"the request body is not valid UTF-8", "请求体不是有效的 UTF-8 文本"});
  }
  if (json_nesting_depth(body, max_depth) > max_depth) {
    return Status::invalid(format_text(Text{"the JSON body is nested deeper than {} levels",
                                            "JSON 请求体嵌套超过 {} 层"},
                                       {same_text(std::to_string(max_depth))}));
  }
  nlohmann::json value = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return Status::invalid(Text{"the request body is not well-formed JSON", "请求体不是格式正确的 JSON"});
  }
  return value;
}

namespace {
std::string_view type_name(const nlohmann::json& v) { return v.type_name(); }
}  // namespace

Status expect_object_with_fields(const nlohmann::json& value, std::initializer_list<std::string_view> allowed) {
  std::string list;
  for (auto name : allowed) {
    if (!list.empty()) list += ", ";
    list += name;
  }
  if (!value.is_object()) {
    return Status::invalid(format_text(Text{"the body must be a JSON object with fields {}, not {}",
                                            "请求体必须是包含字段 {} 的 JSON 对象，而不是 {}"},
                                       {same_text(list), same_text(type_name(value))}));
  }
  for (const auto& [key, ignored] : value.items()) {
    bool known = false;
    for (auto name : allowed) known = known || key == name;
    if (!known) {
      return Status::invalid(format_text(Text{"unknown field \"{}\"; allowed fields: {}",
                                              "未知字段“{}”；允许的字段：{}"},
                                         {same_text(key.substr(0, 64)), same_text(list)}),
                             key.substr(0, 64));
    }
  }
  return Status::ok();
}

Result<std::optional<std::string>> string_field(const nlohmann::json& object, std::string_view name,
                                                size_t max_bytes, bool required) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) {
    if (!required) return std::optional<std::string>{};
    return Status::invalid(format_text(Text{"field \"{}\" is required", "缺少必填字段“{}”"}, {same_text(name)}),
                           std::string(name));
  }
  if (!it->is_string()) {
    return Status::invalid(format_text(Text{"field \"{}\" must be a string, not {}", "字段“{}”必须是字符串，而不是 {}"},
                                       {same_text(name), same_text(type_name(*it))}),
                           std::string(name));
  }
  const auto& text = it->get_ref<const std::string&>();
  if (text.empty()) {
    return Status::invalid(format_text(Text{"field \"{}\" must not be empty", "字段“{}”不能为空"}, {same_text(name)}),
                           std::string(name));
  }
  if (text.size() > max_bytes) {
    return Status::invalid(format_text(Text{"field \"{}\" is longer than {} bytes", "字段“{}”超过 {} 字节"},
                                       {same_text(name), same_text(std::to_string(max_bytes))}),
                           std::string(name));
  }
  return std::optional<std::string>(text);
}

}  // namespace rapidesk::server
