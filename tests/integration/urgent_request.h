// The request the SLA tests push: an urgent consultation whose customer called at
// `contacted` (UTC ms), so its 30-minute first response falls due at contacted + 30 min.
#pragma once

#include <cstdint>
#include <vector>

#include "rapidesk/shared/time.h"
#include "rapidesk/sync/client_replica.h"

namespace rapidesk_it {

inline std::vector<rapidesk::sync::FieldEdit> urgent_request(std::int64_t contacted) {
  using rapidesk::sync::Value;
  return {{"customer", Value::string("宁波港口服务")},
          {"category", Value::string("consultation")},
          {"priority", Value::string("urgent")},
          {"status", Value::string("new")},
          {"contacted_at", Value::string(rapidesk::format_iso8601(contacted, 480))}};
}

}  // namespace rapidesk_it
