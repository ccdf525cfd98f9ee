// Which SLA clocks a request has, from the facts the workflow records about it, and where
// each one stands. Pure: the server's SLA engine and the reports call it with facts loaded
// from storage; tests call it with an injected `now`.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rapidesk/shared/sla_clock.h"
#include "rapidesk/shared/sla_policy.h"

namespace rapidesk::sla {

// A due time agreed anew with the customer while work was blocked. The original target and
// every re-agreement stay in the history.
struct Reagreement {
  Instant due = 0;
  std::string by;
  std::string reason;
  Instant at = 0;
};

// What the workflow has recorded about a request; unset = has not happened yet.
struct RequestFacts {
  std::string id;
  Category category = Category::kOther;
  Priority priority = Priority::kMedium;
  RequestStatus status = RequestStatus::kNew;
  Instant contacted_at = 0;   // customer contact, recorded on the device: clocks start here
  Instant recorded_at = 0;    // when the request was written down (device time)
  Instant accepted_at = 0;    // when the server first accepted it (upload)
  std::optional<Instant> triaged_at;
  std::optional<Instant> assigned_at;
  std::optional<Instant> first_response_at;
  std::optional<Instant> plan_at;
  std::optional<Instant> last_progress_at;
  std::optional<Instant> completed_at;  // entered verifying/resolved: the result can be sent
  std::optional<Instant> confirmed_at;  // result sent to / confirmed by the customer
  std::optional<Instant> resolved_at;
  std::optional<Instant> followed_up_at;
  std::optional<Instant> reopened_at;   // the latest reopening: resolution starts over there
  std::vector<SlaPause> pauses;         // ordered, non-overlapping
  std::map<SlaTarget, std::vector<Reagreement>> reagreed;  // oldest first
};

// How a finished clock ended, for the reviews.
enum class Outcome { kRunning, kMetOriginal, kMetReagreed, kMissed };

struct Clock {
  SlaTarget target = SlaTarget::kFirstResponse;
  Instant start = 0;
  SlaReading reading;                      // against the due in force
  std::optional<Instant> original_due;     // the policy's due, before any re-agreement
  std::optional<Reagreement> reagreement;  // the latest, when there is one
  Outcome outcome = Outcome::kRunning;
  const WorkingCalendar* calendar = nullptr;  // the target's (owned by the policy)
};

// Every clock that applies to the request now, in SlaTarget order. Clocks whose start has
// not happened (e.g. confirmation before completion) are left out; the progress cadence
// runs only while work is under way and restarts at each progress update.
Result<std::vector<Clock>> read_request_clocks(const SlaPolicy& policy, const RequestFacts& facts, Instant now);

// Hours between contact and upload when the request was logged offline, else 0.
inline std::int64_t late_upload_ms(const RequestFacts& f) {
  return f.accepted_at > f.recorded_at ? f.accepted_at - f.recorded_at : 0;
}

}  // namespace rapidesk::sla
