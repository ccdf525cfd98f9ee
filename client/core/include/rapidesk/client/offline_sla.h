// SLA countdowns on the device, so a request filed offline shows the right countdown before
// its first sync. Uses the default policy (assets/sla_policy.json; RAPIDESK_ASSETS
// overrides the folder) and the shared calendar code the server uses. Once the server's
// due times arrive by sync they are shown instead (they also account for pauses and
// re-agreed deadlines).
#pragma once

#include <optional>
#include <string>

#include "rapidesk/shared/sla_clock.h"
#include "rapidesk/shared/sla_policy.h"

namespace rapidesk::client {

const SlaPolicy* default_sla_policy();

struct OfflineSlaInput {
  std::string category;      // wire names
  std::string priority;
  std::string status;
  std::string contacted_at;  // ISO 8601
};

// The first-response clock for an open request (resolution when it is already in
// progress); nullopt when the policy sets no target or the input is incomplete.
std::optional<SlaReading> offline_sla(const OfflineSlaInput& request, Instant now);

}  // namespace rapidesk::client
