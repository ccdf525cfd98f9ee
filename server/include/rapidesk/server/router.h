// The route table: (method, path pattern) -> handler. Constant after construction, so it is
// read concurrently without locks.
//
// Where things plug in: make_router() adds the core routes (core_routes.cpp). The sync part
// adds its routes (POST /api/v1/sync/push, GET /api/v1/sync/pull, GET /api/v1/requests,
// GET /api/v1/requests/{id}) with add_sync_routes(), the reports theirs
// (GET /api/v1/reports/...) with add_report_routes(), both called from make_router().
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "rapidesk/server/http_types.h"

namespace rapidesk::server {

struct ServerConfig;
struct ServerState;

// A handler answers one request. It may throw only for bugs (answered 500); expected
// failures are returned as error responses.
using Handler = std::function<HttpResponse(const HttpRequest&, ServerState&)>;

class Router {
 public:
  // `pattern` is a path of literal segments and {name} captures, e.g. "/api/v1/requests/{id}".
  // REQUIRES: (method, pattern) not added before. `body_allowance`: a route that takes
  // larger bodies than config.max_body_bytes allows (attachment chunks) says so here; 0 =
  // the configured limit applies.
  void add(std::string method, std::string pattern, Handler handler, std::size_t body_allowance = 0);

  struct Lookup {
    enum class Kind { kFound, kMethodNotAllowed, kNotFound } kind = Kind::kNotFound;
    const Handler* handler = nullptr;  // kFound
    std::string pattern;               // kFound / kMethodNotAllowed
    std::map<std::string, std::string, std::less<>> params;  // kFound; percent-decoded
    std::vector<std::string> allowed;  // kMethodNotAllowed: methods the path has
    std::size_t body_allowance = 0;    // kFound: the route's body_allowance
  };
  Lookup find(std::string_view method, std::string_view path) const;
  // The largest body_allowance of any route (sessions read bodies up to this much).
  std::size_t largest_body_allowance() const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
    std::size_t body_allowance = 0;
  };
  std::vector<Route> routes_;
};

// Core routes: /healthz, /metrics, /api/v1/auth/login, /api/v1/auth/logout, /api/v1/me,
// /api/v1/stream (plain GET answers 426; the WebSocket upgrade is taken by the session),
// plus /_test/* when config.test_hooks.
void add_core_routes(Router& router, const ServerConfig& config);
// Sync routes: push, pull and the read API (src/sync/sync_routes.cpp).
void add_sync_routes(Router& router, const ServerConfig& config);
// SLA policy routes: GET / PUT /api/v1/sla/policy (src/sla/sla_routes.cpp).
void add_sla_routes(Router& router, const ServerConfig& config);
// Review reports: GET /api/v1/reports/summary, summary.csv, requests.csv
// (src/reports/reports_routes.cpp).
void add_report_routes(Router& router, const ServerConfig& config);
// Attachment file upload and download (src/blobs/blob_routes.cpp).
void add_blob_routes(Router& router, const ServerConfig& config);
Router make_router(const ServerConfig& config);

}  // namespace rapidesk::server
