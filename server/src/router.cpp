#include "rapidesk/server/router.h"

#include <algorithm>
#include <cassert>

namespace rapidesk::server {

namespace {
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 1;  // skip the leading '/'
  while (start <= path.size()) {
    const size_t slash = path.find('/', start);
    const size_t end = slash == std::string_view::npos ? path.size() : slash;
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool is_capture(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}
}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler, std::size_t body_allowance) {
  assert(std::none_of(routes_.begin(), routes_.end(),
                      [&](const Route& r) { return r.method == method && r.pattern == pattern; }));
  Route route{std::move(method), std::move(pattern), {}, std::move(handler), body_allowance};
  for (auto segment : split_path(route.pattern)) route.segments.emplace_back(segment);
  routes_.push_back(std::move(route));
}

Router::Lookup Router::find(std::string_view method, std::string_view path) const {
  Lookup result;
  const auto segments = split_path(path);
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::map<std::string, std::string, std::less<>> params;
    bool match = true;
    for (size_t i = 0; match && i < segments.size(); ++i) {
      const std::string& want = route.segments[i];
      if (is_capture(want)) {
        auto decoded = percent_decode(segments[i], false);
        match = decoded.has_value() && !decoded->empty();
        if (match) params[want.substr(1, want.size() - 2)] = std::move(*decoded);
      } else {
        match = want == segments[i];
      }
    }
    if (!match) continue;
    if (route.method == method) {
      result.kind = Lookup::Kind::kFound;
      result.handler = &route.handler;
      result.pattern = route.pattern;
      result.params = std::move(params);
      result.allowed.clear();
      result.body_allowance = route.body_allowance;
      return result;
    }
    result.kind = Lookup::Kind::kMethodNotAllowed;
    result.pattern = route.pattern;
    result.allowed.push_back(route.method);
  }
  return result;
}

std::size_t Router::largest_body_allowance() const {
  std::size_t largest = 0;
  for (const Route& route : routes_) largest = std::max(largest, route.body_allowance);
  return largest;
}

Router make_router(const ServerConfig& config) {
  Router router;
  add_core_routes(router, config);
  add_sync_routes(router, config);
  add_sla_routes(router, config);
  add_report_routes(router, config);
  add_blob_routes(router, config);
  return router;
}

}  // namespace rapidesk::server
