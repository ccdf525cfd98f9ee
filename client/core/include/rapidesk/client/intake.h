// Intake: turning what a person typed on a customer's site into a complete, valid new
// request — the defaults (status new, contact time now), the suggested priority from the
// three factors, and the shared intake rules — before anything is saved.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "rapidesk/client/local_replica.h"
#include "rapidesk/shared/priority.h"
#include "rapidesk/shared/time.h"

namespace rapidesk::client {

// The default priority rules (assets/priority_rules.json; RAPIDESK_ASSETS overrides the
// folder). nullptr when the file is missing or invalid: then no priority is suggested.
const PriorityRules* default_priority_rules();

// The priority the three factors give for these fields (impact, expected_at, tier).
std::optional<PriorityDecision> suggest_priority(std::span<const FieldInput> fields, const PriorityRules* rules,
                                                 Instant now);

// The device's UTC offset now, in minutes (times typed on the device carry it).
int local_utc_offset_minutes();

struct PreparedIntake {
  std::vector<FieldInput> fields;  // the typed ones plus the defaults
  std::vector<Status> problems;    // one per invalid field (field() names it); empty = valid
};

// Adds the defaults (status "new"; contacted_at = now in the local offset; priority and
// priority_reason suggested unless given) and checks the shared intake rules (customer,
// category, description and channel required; contact time not in the future; ...).
PreparedIntake prepare_intake(std::span<const FieldInput> fields, const PriorityRules* rules, Instant now,
                              int utc_offset_minutes);

}  // namespace rapidesk::client
