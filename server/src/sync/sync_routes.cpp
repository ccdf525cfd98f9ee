// The sync endpoints (push, pull) and the read API for integrations.
#include <charconv>

#include <nlohmann/json.hpp>

#include "rapidesk/server/router.h"
#include "rapidesk/server/server_state.h"
#include "rapidesk/sync/codec.h"

namespace rapidesk::server {

namespace {

constexpr size_t kDefaultPullLimit = 500;
constexpr size_t kMaxPullLimit = 1000;
constexpr size_t kMaxListLimit = 1000;

HttpResponse raw_json(std::string body) {
  HttpResponse r;
  r.body = std::move(body);
  return r;
}

// A non-negative integer query parameter, or `fallback` when absent.
Result<std::uint64_t> uint_param(const HttpRequest& request, std::string_view name, std::uint64_t fallback) {
  auto text = request.query_param(name);
  if (!text) return fallback;
  std::uint64_t value = 0;
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || p != text->data() + text->size() || text->empty()) {
    return Status::invalid(format_text(Text{"query parameter \"{}\" must be a whole number of 0 or more",
                                            "查询参数“{}”必须是不小于 0 的整数"},
                                       {same_text(name)}),
                           std::string(name));
  }
  return value;
}

// A whole-number parameter in [low, high]: a limit out of range is refused, never cut to
// fit, so a client paging with it cannot skip rows without knowing.
Result<std::uint64_t> bounded_param(const HttpRequest& request, std::string_view name, std::uint64_t fallback,
                                    std::uint64_t low, std::uint64_t high) {
  auto value = uint_param(request, name, fallback);
  if (!value || (*value >= low && *value <= high)) return value;
  return Status::invalid(format_text(Text{"{} must be between {} and {}", "{} 必须在 {} 到 {} 之间"},
                                     {same_text(name), same_text(std::to_string(low)), same_text(std::to_string(high))}),
                         std::string(name));
}

// sync::kLogHeader as requests' header names are looked up: in lower case.
constexpr std::string_view kLogHeaderLower = "x-rapidesk-log";

// A replica that holds another server's data (it was pointed at this one: a new address
// typed, a profile copied) must neither push its queued edits here as stray new requests
// nor pull from its old cursor, which would skip this server's data: 409 other_server.
// A replica that names no log yet (a new profile) may sync anywhere. One server alone with
// an empty log has no log yet: a copy naming one is another server's. (An instance sharing
// a database may not have caught up with its first entry yet: it cannot tell.)
std::optional<HttpResponse> refuse_another_servers_copy(const HttpRequest& request, const ServerState& state,
                                                        const std::string& log_id) {
  const auto named = request.header(kLogHeaderLower);
  if (!named || named->empty() || *named == log_id) return std::nullopt;
  if (log_id.empty() && state.storage->shared_log() != nullptr) return std::nullopt;
  return error_response(409, "other_server", sync::other_server_message());
}

// Answers name this server's log, which a new replica remembers.
HttpResponse with_log_id(HttpResponse response, const std::string& log_id) {
  if (!log_id.empty()) response.headers.emplace_back(sync::kLogHeader, log_id);
  return response;
}

HttpResponse handle_push(const HttpRequest& request, ServerState& state) {
  auto who = authenticate(request, state);
  if (!who) return error_response(who.status());
  if (auto refused = refuse_another_servers_copy(request, state, state.sync->log_id())) return std::move(*refused);
  sync::DecodedPush decoded = sync::decode_push(request.body);
  if (!decoded.ok()) return error_response(decoded.status);
  auto result = state.sync->push(*who, std::move(decoded.ops));
  if (!result) {
    HttpResponse refused = error_response(result.status());
    refused.user = who->user;  // for the request log and a `server_fault`
    return refused;
  }
  std::uint64_t merged = 0;
  std::uint64_t conflicts = 0;
  for (const auto& r : result->results) {
    merged += r.outcome != sync::Outcome::kRejected && r.outcome != sync::Outcome::kDuplicate;
    conflicts += r.conflicts.size();
  }
  // Ops the decoder refused are answered in `rejected` like the merge's refusals.
  for (auto& e : decoded.errors) {
    result->results.push_back(sync::OpResult{e.op, sync::Outcome::kRejected, e.problem, std::move(e.status), {}});
  }
  state.metrics.add_ops_merged(merged);
  state.metrics.add_conflicts(conflicts);
  state.announcer.announce(state.sync->durable_cursor());
  result->server_ms = state.clock();  // a device ahead of it corrects its stamps by it
  return with_log_id(raw_json(sync::encode_push_result(*result)), state.sync->log_id());
}

HttpResponse handle_pull(const HttpRequest& request, ServerState& state) {
  auto who = authenticate(request, state);
  if (!who) return error_response(who.status());
  auto cursor = uint_param(request, "cursor", 0);
  if (!cursor) return error_response(cursor.status());
  auto limit = bounded_param(request, "limit", kDefaultPullLimit, 1, kMaxPullLimit);
  if (!limit) return error_response(limit.status());
  const std::string log_id = state.sync->log_id();
  if (auto refused = refuse_another_servers_copy(request, state, log_id)) return std::move(*refused);
  PullPage page = state.sync->pull(*who, *cursor, static_cast<size_t>(*limit));
  if (!page.cannot_tell) return error_response(page.cannot_tell);
  return with_log_id(raw_json(sync::encode_pull(page.entries, page.cursor, page.more)), log_id);
}

HttpResponse handle_list_requests(const HttpRequest& request, ServerState& state) {
  auto who = authenticate(request, state);
  if (!who) return error_response(who.status());
  auto offset = uint_param(request, "offset", 0);
  if (!offset) return error_response(offset.status());
  auto limit = bounded_param(request, "limit", 100, 0, kMaxListLimit);
  if (!limit) return error_response(limit.status());
  std::map<std::string, std::string> filters;
  for (const auto& [key, value] : request.query) {
    if (key == "offset" || key == "limit") continue;
    if (key != "status" && key != "team" && key != "owner" && key != "priority" && key != "category" &&
        key != "channel" && key != "customer" && key != "number") {
      return error_response(Status::invalid(
          format_text(Text{"unknown filter \"{}\"; use status, team, owner, priority, category, channel, customer or number",
                           "未知的筛选条件“{}”；可用：status、team、owner、priority、category、channel、customer、number"},
                      {same_text(key)}),
          key));
    }
    filters[key] = value;
  }
  size_t total = 0;
  auto rows = state.sync->list_requests(*who, filters, static_cast<size_t>(*offset),
                                        static_cast<size_t>(*limit), &total);
  nlohmann::json list = nlohmann::json::array();
  for (auto& r : rows) list.push_back(std::move(r));
  return json_response(200, {{"requests", std::move(list)}, {"total", total}});
}

HttpResponse handle_get_request(const HttpRequest& request, ServerState& state) {
  auto who = authenticate(request, state);
  if (!who) return error_response(who.status());
  auto it = request.path_params.find("id");
  const std::string id = it == request.path_params.end() ? std::string() : it->second;
  auto fields = state.sync->get_request(*who, id);
  if (!fields) {
    return error_response(404, "not_found",
                          format_text(Text{"no request \"{}\" that you may see", "没有您可查看的请求“{}”"}, {same_text(id)}));
  }
  return json_response(200, nlohmann::json(*fields));
}

}  // namespace

void add_sync_routes(Router& router, const ServerConfig&) {
  router.add("POST", "/api/v1/sync/push", handle_push);
  router.add("GET", "/api/v1/sync/pull", handle_pull);
  router.add("GET", "/api/v1/requests", handle_list_requests);
  router.add("GET", "/api/v1/requests/{id}", handle_get_request);
}

}  // namespace rapidesk::server
