#include "rapidesk/sla/request_clocks.h"

#include <algorithm>
#include <span>

#include "rapidesk/shared/status_machine.h"

namespace rapidesk::sla {

namespace {

struct Span {
  SlaTarget target;
  std::optional<Instant> start;
  std::optional<Instant> stop;
};

bool work_under_way(RequestStatus s) {
  return s == RequestStatus::kInProgress || s == RequestStatus::kVerifying || s == RequestStatus::kReopened;
}

// An agreed due against the request's pauses, up to `until` (the clock's stop, or now).
struct AgreedDue {
  Instant due = 0;      // the agreed due, moved later by pauses begun after the agreement
  bool paused = false;  // a pause lasts now (no stop): the clock stands still, no due
};

// A pause that begins after the agreement was not foreseen by it: the agreed due moves later
// by its length (wall time: the date was agreed, not an amount of working time). A pause
// already open at the agreement was: it moves nothing. While any pause lasts, the clock
// stands still, as the policy's clock does. Pauses that begin after the (moved) due or the
// stop change nothing: the due had passed or the work was done.
AgreedDue agreed_due(const Reagreement& agreed, std::span<const SlaPause> pauses, std::optional<Instant> stop,
                     Instant until) {
  AgreedDue out{agreed.due, false};
  for (const SlaPause& p : pauses) {
    if (p.from >= until) break;  // ordered by `from`
    if (!p.to && !stop) {
      if (p.from < out.due) out.paused = true;
      continue;
    }
    if (p.from < agreed.at || p.from >= out.due) continue;
    out.due += std::min(p.to.value_or(until), until) - p.from;
  }
  return out;
}

}  // namespace

Result<std::vector<Clock>> read_request_clocks(const SlaPolicy& policy, const RequestFacts& f, Instant now) {
  const std::optional<Instant> contact = f.contacted_at;
  std::optional<Instant> cadence_start;
  if (work_under_way(f.status)) cadence_start = f.last_progress_at ? f.last_progress_at : f.assigned_at;
  // Reopened, the cadence also counts from the reopening, not from an update weeks before it.
  if (cadence_start && f.reopened_at) cadence_start = std::max(*cadence_start, *f.reopened_at);
  const Span spans[] = {
      {SlaTarget::kIntake, contact, f.recorded_at},
      {SlaTarget::kTriage, contact, f.triaged_at},
      {SlaTarget::kAssignment, f.triaged_at ? f.triaged_at : contact, f.assigned_at},
      {SlaTarget::kFirstResponse, contact, f.first_response_at},
      {SlaTarget::kPlan, contact, f.plan_at},
      {SlaTarget::kProgressCadence, cadence_start, std::nullopt},
      // Reopened, the resolution starts over (docs/sla.md): the weeks it spent resolved do
      // not count against the new round.
      {SlaTarget::kResolution, f.reopened_at ? f.reopened_at : contact, f.resolved_at},
      {SlaTarget::kConfirmation, f.completed_at, f.confirmed_at},
      {SlaTarget::kFollowUp, f.resolved_at, f.followed_up_at},
  };
  std::vector<Clock> clocks;
  for (const auto& span : spans) {
    if (!span.start) continue;
    auto target = policy.find(span.target, f.category, f.priority);
    if (!target) continue;
    auto reading = read_sla_clock(*target, *span.start, f.pauses, span.stop, now, policy.warning_share());
    if (!reading) return reading.status();
    const bool met_original = span.stop && reading->state == SlaState::kMet;  // by the policy's target
    Clock c;
    c.target = span.target;
    c.start = *span.start;
    c.calendar = target->calendar;
    c.original_due = reading->due;
    c.reading = *reading;
    auto re = f.reagreed.find(span.target);
    if (re != f.reagreed.end() && !re->second.empty()) {
      c.reagreement = re->second.back();
      const Instant until = span.stop.value_or(now);
      const AgreedDue agreed = agreed_due(*c.reagreement, f.pauses, span.stop, until);
      // The warning keeps its share of the (longer or shorter) window.
      const Instant window = agreed.due - c.start;
      c.reading.due = agreed.due;
      c.reading.warn_at = c.start + static_cast<Instant>(window * policy.warning_share());
      if (span.stop) {
        c.reading.state = *span.stop <= agreed.due ? SlaState::kMet : SlaState::kMissed;
      } else if (agreed.paused) {
        // Waiting for the customer before the due: nothing is due until the work resumes
        // (the engine schedules no event for a clock without a due).
        c.reading.state = SlaState::kPaused;
        c.reading.due.reset();
        c.reading.warn_at.reset();
      } else if (until > agreed.due) {
        c.reading.state = SlaState::kBreached;
      } else {
        c.reading.state = until >= *c.reading.warn_at ? SlaState::kWarning : SlaState::kOnTrack;
      }
    }
    if (span.stop) {
      if (met_original) c.outcome = Outcome::kMetOriginal;
      else if (c.reading.state == SlaState::kMet) c.outcome = Outcome::kMetReagreed;
      else c.outcome = Outcome::kMissed;
    }
    clocks.push_back(c);
  }
  return clocks;
}

}  // namespace rapidesk::sla
