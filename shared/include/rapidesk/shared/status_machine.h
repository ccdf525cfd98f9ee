// The request lifecycle: new -> triaged -> in_progress -> verifying -> resolved -> closed,
// plus waiting_customer (SLA clocks paused) and reopened. Every transition is checked here,
// by the client before it writes and by the server before it accepts.
#pragma once

#include <vector>

#include "rapidesk/shared/enums.h"
#include "rapidesk/shared/status.h"

namespace rapidesk {

// Statuses reachable from `from` in one step, in the order a UI should offer them.
std::vector<RequestStatus> allowed_transitions(RequestStatus from);

// Ok, or kInvalid with a message naming both statuses and what is allowed instead.
// Staying in the same status is not a transition and is rejected too.
Status check_transition(RequestStatus from, RequestStatus to);

// True for statuses in which the SLA clocks run (not paused, not finished).
bool sla_clock_runs(RequestStatus s);
// True once the work is done (resolved or closed): resolution targets stop.
bool is_finished(RequestStatus s);

}  // namespace rapidesk
