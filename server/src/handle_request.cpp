#include <algorithm>
#include <chrono>
#include <exception>

#include <nlohmann/json.hpp>

#include "rapidesk/server/handlers.h"
#include "rapidesk/server/protocol.h"
#include "rapidesk/server/server_state.h"

namespace rapidesk::server {

std::string_view server_version() { return RAPIDESK_VERSION; }

namespace {

std::string_view trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

// 426 when the client declares a protocol version other than ours. Absent header: allowed
// (curl, monitoring), since nothing is misread by a client that does not claim a version.
std::optional<HttpResponse> protocol_mismatch(const HttpRequest& request) {
  if (!request.path.starts_with("/api/")) return std::nullopt;
  auto version = request.header(kProtocolHeader);
  if (!version) return std::nullopt;
  const std::string ours = std::to_string(kProtocolVersion);
  const std::string_view theirs = trim(*version);
  if (theirs == ours) return std::nullopt;
  HttpResponse r = error_response(
      426, "upgrade_required",
      format_text(Text{"this client speaks Rapidesk protocol {}, but the server speaks protocol {}: upgrade the "
                       "client (your edits stay safe in its outbox)",
                       "此客户端使用 Rapidesk 协议 {}，而服务器使用协议 {}：请升级客户端（未同步的修改会安全保留）"},
                  {same_text(theirs.substr(0, 16)), same_text(ours)}));
  r.headers.emplace_back("Upgrade", "Rapidesk/" + ours);
  return r;
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

}  // namespace

HttpResponse handle_request(HttpRequest request, ServerState& state) {
  if (Status s = parse_target(request.target, request.path, request.query); !s) return error_response(s);
  auto lookup = state.router.find(request.method, request.path);
  if (const size_t limit = std::max(state.config.max_body_bytes, lookup.body_allowance); request.body.size() > limit) {
    return error_response(413, "too_large",
                          format_text(Text{"the request body is larger than the limit of {} bytes",
                                           "请求体超过 {} 字节的上限"},
                                      {same_text(std::to_string(limit))}));
  }
  // Before 404/405: an outdated client hitting a route that moved should hear "upgrade".
  if (auto mismatch = protocol_mismatch(request)) {
    mismatch->route = lookup.pattern;
    return std::move(*mismatch);
  }
  if (lookup.kind == Router::Lookup::Kind::kNotFound) {
    return error_response(404, "not_found",
                          format_text(Text{"no endpoint {} {}", "没有接口 {} {}"},
                                      {same_text(request.method.substr(0, 16)), same_text(request.path.substr(0, 200))}));
  }
  if (lookup.kind == Router::Lookup::Kind::kMethodNotAllowed) {
    std::string allow;
    for (const auto& m : lookup.allowed) allow += (allow.empty() ? "" : ", ") + m;
    HttpResponse r = error_response(
        405, "method_not_allowed",
        format_text(Text{"{} does not accept {}; use {}", "{} 不支持 {} 方法，请使用 {}"},
                    {same_text(lookup.pattern), same_text(request.method.substr(0, 16)), same_text(allow)}));
    r.headers.emplace_back("Allow", allow);
    r.route = lookup.pattern;
    return r;
  }
  request.path_params = std::move(lookup.params);
  HttpResponse response;
  try {
    response = (*lookup.handler)(request, state);
  } catch (const std::exception& e) {
    state.log.event("error", "handler_exception", {{"path", lookup.pattern}, {"what", e.what()}});
    response = error_response(Status(ErrorCode::kInternal, Text{}));
    response.fault.clear();  // logged above
  }
  response.route = lookup.pattern;
  return response;
}

void record_response(const HttpRequest& request, const HttpResponse& response, double seconds, ServerState& state) {
  if (!response.fault.empty()) {
    state.log.event("error", "server_fault",
                    {{"path", response.route}, {"message", response.fault}, {"user", response.user}});
  }
  state.metrics.observe_request(request.method, response.route, response.status, seconds);
  state.log.request(request.method, path_of(request.target), response.status, seconds * 1000.0, response.user,
                    request.remote_address);
}

HttpResponse serve_request(HttpRequest request, ServerState& state) {
  const auto start = std::chrono::steady_clock::now();
  HttpRequest summary;  // what the log needs; the body stays with the handler
  summary.method = request.method;
  summary.target = std::string(path_of(request.target));
  summary.remote_address = request.remote_address;
  HttpResponse response = handle_request(std::move(request), state);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  record_response(summary, response, elapsed.count(), state);
  return response;
}

StreamAdmission admit_stream(HttpRequest request, ServerState& state) {
  StreamAdmission result;
  if (Status s = parse_target(request.target, request.path, request.query); !s) {
    result.refusal = error_response(s);
    return result;
  }
  if (request.path != kStreamPath) {
    result.refusal = error_response(404, "not_found",
                                    format_text(Text{"no WebSocket endpoint at {}; the stream is at {}",
                                                     "{} 没有 WebSocket 接口；推送流位于 {}"},
                                                {same_text(request.path.substr(0, 200)), same_text(kStreamPath)}));
    return result;
  }
  result.refusal.route = std::string(kStreamPath);
  if (auto mismatch = protocol_mismatch(request)) {
    result.refusal = std::move(*mismatch);
    result.refusal.route = std::string(kStreamPath);
    return result;
  }
  auto auth = authenticate(request, state, TokenSource::kHeaderOrQuery);
  if (!auth) {
    result.refusal = error_response(auth.status());
    result.refusal.route = std::string(kStreamPath);
    return result;
  }
  result.slot = state.stream_slots.take(auth->user);
  if (!result.slot) {
    result.refusal = error_response(
        429, "too_many_streams",
        format_text(Text{"this account already has {} live connections open, the most allowed; quit Rapidesk on another "
                         "device and try again",
                         "此账号已打开 {} 个实时连接，已达上限；请在其他设备上退出 Rapidesk 后重试"},
                    {same_text(std::to_string(state.stream_slots.per_user()))}));
    result.refusal.route = std::string(kStreamPath);
    return result;
  }
  result.accepted = true;
  result.auth = std::move(*auth);
  return result;
}

}  // namespace rapidesk::server
