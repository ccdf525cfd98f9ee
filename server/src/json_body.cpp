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

namespace {

// `what`: "the request body" or "the file", in both languages.
Result<nlohmann::json> parse_json_text(std::string_view body, int max_depth, const Text& what, bool locate) {
  if (body.empty()) {
    return Status::invalid(format_text(Text{"{} is empty; a JSON object was expected", "{}为空，应为 JSON 对象"}, {what}));
  }
  if (!is_valid_utf8(body)) {
    return Status::invalid(format_text(Text{"{} is not valid UTF-8", "{}不是有效的 UTF-8 文本"}, {what}));
  }
  if (json_nesting_depth(body, max_depth) > max_depth) {
    return Status::invalid(format_text(Text{"the JSON of {} is nested deeper than {} levels", "{}的 JSON 嵌套超过 {} 层"},
                                       {what, same_text(std::to_string(max_depth))}));
  }
  nlohmann::json value = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!value.is_discarded()) return value;
  if (locate) {
    // Where it goes wrong, as an editor counts: line and column of the byte the parser stopped at.
    try {
      const nlohmann::json again = nlohmann::json::parse(body);  // throws: it failed above
      return again;
    } catch (const nlohmann::json::exception& any) {
      // Not every failure is a parse_error with a position (a number too large for a double
      // is out_of_range): those keep the plain message below.
      const auto* e = dynamic_cast<const nlohmann::json::parse_error*>(&any);
      if (e == nullptr) return Status::invalid(format_text(Text{"{} is not well-formed JSON: {}", "{}不是格式正确的 JSON：{}"},
                                                          {what, same_text(any.what())}));
      const std::size_t at = e->byte == 0 ? 0 : std::min<std::size_t>(e->byte - 1, body.size());
      std::size_t line = 1;
      std::size_t column = 1;
      for (std::size_t i = 0; i < at; ++i) {
        if (body[i] == '\n') {
          ++line;
          column = 1;
        } else {
          ++column;
        }
      }
      return Status::invalid(format_text(Text{"{} is not well-formed JSON (line {}, column {})",
                                              "{}不是格式正确的 JSON（第 {} 行，第 {} 列）"},
                                         {what, same_text(std::to_string(line)), same_text(std::to_string(column))}));
    }
  }
  return Status::invalid(format_text(Text{"{} is not well-formed JSON", "{}不是格式正确的 JSON"}, {what}));
}

}  // namespace

Result<nlohmann::json> parse_json_body(std::string_view body, int max_depth) {
  return parse_json_text(body, max_depth, Text{"the request body", "请求体"}, false);
}

Result<nlohmann::json> parse_json_file_text(std::string_view text, int max_depth) {
  return parse_json_text(text, max_depth, Text{"the file", "文件"}, true);
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
