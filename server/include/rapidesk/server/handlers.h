// Request handling: free functions of (request, state) -> response that never see a socket.
#pragma once

#include <optional>

#include "rapidesk/server/auth.h"
#include "rapidesk/server/http_types.h"
#include "rapidesk/server/stream_slots.h"

namespace rapidesk::server {

struct ServerState;

// The whole pipeline for one request: parses the target, checks the protocol version
// header on /api/ paths (426), finds the route (404 / 405 with Allow), runs the handler
// (exceptions become 500 and are logged). Sets response.route for metrics.
HttpResponse handle_request(HttpRequest request, ServerState& state);

// handle_request() plus the request log line and metrics; what sessions call.
HttpResponse serve_request(HttpRequest request, ServerState& state);
// Records a response in the log and metrics, and its hidden detail (HttpResponse::fault) as
// a `server_fault` event. serve_request calls it; sessions call it for the responses they
// produce themselves (413, 400 for unparsable HTTP, the stream's refusals).
void record_response(const HttpRequest& request, const HttpResponse& response, double seconds,
                     ServerState& state);

// The checks a WebSocket upgrade on /api/v1/stream must pass (path, protocol header, token
// from the Authorization header or ?token=, a free place among the user's streams). On
// failure, the HTTP response to send instead.
struct StreamAdmission {
  bool accepted = false;
  AuthContext auth;                        // when accepted
  std::optional<StreamSlots::Slot> slot;   // when accepted: held while the stream is open
  HttpResponse refusal;                    // when not
};
StreamAdmission admit_stream(HttpRequest request, ServerState& state);

// The path of the WebSocket stream.
constexpr std::string_view kStreamPath = "/api/v1/stream";

// Core handlers (routed by add_core_routes).
HttpResponse handle_healthz(const HttpRequest& request, ServerState& state);
HttpResponse handle_metrics(const HttpRequest& request, ServerState& state);
HttpResponse handle_login(const HttpRequest& request, ServerState& state);
HttpResponse handle_logout(const HttpRequest& request, ServerState& state);
HttpResponse handle_me(const HttpRequest& request, ServerState& state);

}  // namespace rapidesk::server
