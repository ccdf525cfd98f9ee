// Plain HTTP request and response values. Sessions convert Beast messages to and from
// these, so request handling never sees a socket (and never includes Beast).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "rapidesk/shared/status.h"

namespace rapidesk::server {

struct HttpRequest {
  std::string method;  // as sent, e.g. "GET"
  std::string target;  // raw request-target, e.g. "/api/v1/sync/pull?cursor=3"
  // Header names in lower case. A repeated header keeps its last value.
  std::map<std::string, std::string, std::less<>> headers;
  std::string body;
  std::string remote_address;  // peer IP, e.g. "127.0.0.1"

  // Filled by handle_request() from `target` before a handler runs.
  std::string path;                                          // target without the query
  std::map<std::string, std::string, std::less<>> query;     // percent-decoded
  std::map<std::string, std::string, std::less<>> path_params;  // {name} captures of the route

  // The header's value, or nullopt. REQUIRES: `name` in lower case.
  std::optional<std::string_view> header(std::string_view name) const;
  std::optional<std::string_view> query_param(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Allow, Retry-After, ...)
  bool close = false;  // close the connection after sending

  // For the request log and metrics only; never sent.
  std::string user;   // authenticated user name, empty if anonymous
  std::string route;  // the matched route pattern ("" when none matched)
  std::string fault;  // a server fault's detail, answered only as "internal"; logged as `server_fault`
};

HttpResponse json_response(int status, const nlohmann::json& body);
// {"error":{"code":CODE,"message":EN,"message_zh":ZH}} with the given status.
HttpResponse error_response(int status, std::string_view code, const Text& message);
// Maps the Status's ErrorCode to its HTTP status (invalid 400, unauthorized 401, forbidden
// 403, not_found 404, conflict 409, too_large 413, upgrade_required 426, rate_limited 429,
// unavailable 503, io/corrupt/internal 500), with "field" in the error when the Status
// names one. Internal errors are answered with a generic message, their detail kept in
// `fault` for the log (record_response writes it). REQUIRES: !status.is_ok().
HttpResponse error_response(const Status& status);
int http_status_for(ErrorCode code);

// Splits a request-target into path and percent-decoded query parameters. Returns
// kInvalid for a target that is not origin-form ("/...") or has bad percent-encoding.
Status parse_target(std::string_view target, std::string& path,
                    std::map<std::string, std::string, std::less<>>& query);
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

}  // namespace rapidesk::server
