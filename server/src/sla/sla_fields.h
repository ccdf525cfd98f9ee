// The server-owned SLA fields of a request (first_response_due, resolution_due, sla_state,
// sla_breached, escalation_level), computed from its clocks and written as server ops only
// when they change, so a restart over unchanged data writes nothing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "rapidesk/server/server_edits.h"
#include "rapidesk/sla/request_clocks.h"

namespace rapidesk::server {

struct SlaSummary {
  std::optional<Instant> first_response_due;  // the due in force; unset while unknown (paused)
  int first_response_offset = 0;              // minutes east of UTC of its calendar (for display)
  std::optional<Instant> resolution_due;      // a re-agreed due replaces the policy's
  int resolution_offset = 0;
  SlaState state = SlaState::kOnTrack;
  bool breached = false;  // some target (other than intake) is overdue or was missed
};

// One state for the whole request. Intake (measured before upload; see the late-upload entry)
// and the progress cadence (it reminds, it does not breach) are left out. Order: a closed
// request is met or missed by its resolution; waiting for the customer is paused; then
// breached, warning, the resolution's outcome once resolved, else on track.
SlaSummary summarize(const SlaPolicy& policy, const sla::RequestFacts& facts, const std::vector<sla::Clock>& clocks);

// Writes the fields of `summary` that differ from the merged state; returns how many.
// sla_breached is written once it becomes true and never goes back: a breach stays on the
// record (unset means not breached).
int write_summary(ServerEdits& edits, const std::string& request, const SlaSummary& summary);

// escalation_level := max(current, level); true when it changed.
bool raise_escalation(ServerEdits& edits, const std::string& request, int level);

}  // namespace rapidesk::server
