#include "rapidesk/client/offline_sla.h"

#include <memory>

#include "rapidesk/shared/enums.h"
#include "rapidesk/shared/time.h"
#include "intake/assets.h"

namespace rapidesk::client {

namespace {

std::unique_ptr<SlaPolicy> load_policy() {
  const auto text = read_asset("sla_policy.json");
  if (!text) return nullptr;
  auto policy = SlaPolicy::from_json(*text);
  if (!policy) return nullptr;
  return std::make_unique<SlaPolicy>(std::move(*policy));
}

}  // namespace

const SlaPolicy* default_sla_policy() {
  static const std::unique_ptr<SlaPolicy> policy = load_policy();
  return policy.get();
}

std::optional<SlaReading> offline_sla(const OfflineSlaInput& request, Instant now) {
  const SlaPolicy* policy = default_sla_policy();
  const auto category = from_wire<Category>(request.category);
  const auto priority = from_wire<Priority>(request.priority);
  const auto start = parse_iso8601(request.contacted_at);
  if (policy == nullptr || !category || !priority || !start) return std::nullopt;
  if (request.status == "resolved" || request.status == "closed") return std::nullopt;
  const SlaTarget target = request.status == "new" || request.status == "triaged" || request.status.empty()
                               ? SlaTarget::kFirstResponse
                               : SlaTarget::kResolution;
  const auto rule = policy->find(target, *category, *priority);
  if (!rule) return std::nullopt;
  std::vector<SlaPause> pauses;
  if (request.status == "waiting_customer") pauses.push_back(SlaPause{now, std::nullopt, "waiting_customer", ""});
  auto reading = read_sla_clock(*rule, *start, pauses, std::nullopt, now, policy->warning_share());
  if (!reading) return std::nullopt;
  return *reading;
}

}  // namespace rapidesk::client
