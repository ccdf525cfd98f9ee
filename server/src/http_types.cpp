#include "rapidesk/server/http_types.h"

#include <nlohmann/json.hpp>

namespace rapidesk::server {

std::optional<std::string_view> HttpRequest::header(std::string_view name) const {
  auto it = headers.find(name);
  if (it == headers.end()) return std::nullopt;
  return std::string_view(it->second);
}

std::optional<std::string_view> HttpRequest::query_param(std::string_view name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return std::string_view(it->second);
}

HttpResponse json_response(int status, const nlohmann::json& body) {
  HttpResponse response;
  response.status = status;
  // Replace, not throw, on invalid UTF-8 that might hide in stored data.
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

namespace {

// `field` (when not empty): which input the error is about ("offset", "status", …), or the
// kind of a refusal clients act on ("disk_reserve").
HttpResponse error_body_response(int status, std::string_view code, const Text& message, std::string_view field) {
  nlohmann::json body = {{"error", {{"code", code}, {"message", message.en}, {"message_zh", message.zh}}}};
  if (!field.empty()) body["error"]["field"] = field;
  HttpResponse response = json_response(status, body);
  if (status == 401) response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"rapidesk\"");
  return response;
}

}  // namespace

HttpResponse error_response(int status, std::string_view code, const Text& message) {
  return error_body_response(status, code, message, {});
}

int http_status_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return 200;
    case ErrorCode::kInvalid: return 400;
    case ErrorCode::kUnauthorized: return 401;
    case ErrorCode::kForbidden: return 403;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kTooLarge: return 413;
    case ErrorCode::kUpgradeRequired: return 426;
    case ErrorCode::kRateLimited: return 429;
    case ErrorCode::kIo:
    case ErrorCode::kCorrupt:
    case ErrorCode::kInternal: return 500;
    case ErrorCode::kUnavailable: return 503;
  }
  return 500;
}

HttpResponse error_response(const Status& status) {
  const int http = http_status_for(status.code());
  if (http == 500) {
    // Internal details (file paths, SQLite messages) stay in the log.
    HttpResponse r = error_response(500, "internal",
                                    Text{"internal server error; the server log has the details",
                                         "服务器内部错误，详情见服务器日志"});
    r.fault = status.message().en;
    return r;
  }
  return error_body_response(http, error_code_name(status.code()), status.message(), status.field());
}

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

Status parse_target(std::string_view target, std::string& path,
                    std::map<std::string, std::string, std::less<>>& query) {
  const Status bad = Status::invalid(
      Text{"the request target is not a valid path with an optional query",
           "请求目标不是有效的路径（可带查询参数）"});
  if (target.empty() || target.front() != '/') return bad;
  const size_t question = target.find('?');
  path = std::string(target.substr(0, question));
  query.clear();
  if (question == std::string_view::npos) return Status::ok();
  std::string_view rest = target.substr(question + 1);
  const size_t hash = rest.find('#');
  if (hash != std::string_view::npos) rest = rest.substr(0, hash);
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq), true);
    auto value = percent_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
    if (!key || !value) return bad;
    // A parameter given twice (from=A&from=B) is refused: which one counts would be a guess.
    if (!query.emplace(*key, *value).second) {
      return Status::invalid(format_text(Text{"the query parameter \"{}\" is given more than once",
                                              "查询参数“{}”出现了不止一次"},
                                         {same_text(*key)}),
                             *key);
    }
  }
  return Status::ok();
}

}  // namespace rapidesk::server
