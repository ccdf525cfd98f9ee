// The SLA policy endpoints: GET (any signed-in user: clients show countdowns with it) and
// PUT (administrators only) /api/v1/sla/policy.
#include <nlohmann/json.hpp>

#include "rapidesk/server/router.h"
#include "rapidesk/server/server_state.h"

namespace rapidesk::server {

namespace {

HttpResponse handle_get_policy(const HttpRequest& request, ServerState& state) {
  auto who = authenticate(request, state);
  if (!who) return error_response(who.status());
  HttpResponse r;
  r.body = state.sla->policy_json();
  return r;
}

HttpResponse handle_put_policy(const HttpRequest& request, ServerState& state) {
  auto who = authenticate(request, state);
  if (!who) return error_response(who.status());
  if (who->role != Role::kAdmin) {
    return error_response(403, "forbidden",
                          Text{"Only administrators may change the SLA policy.", "只有管理员可以修改 SLA 策略。"});
  }
  if (Status s = state.sla->set_policy(request.body); !s) return error_response(s);
  state.log.event("info", "sla_policy_changed", {{"user", who->user}});
  return json_response(200, {{"updated", true}, {"timers", state.sla->timer_count()}});
}

}  // namespace

void add_sla_routes(Router& router, const ServerConfig&) {
  router.add("GET", "/api/v1/sla/policy", handle_get_policy);
  router.add("PUT", "/api/v1/sla/policy", handle_put_policy);
}

}  // namespace rapidesk::server
