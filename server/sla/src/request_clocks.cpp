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

// An instant of an agreed clock (its due, its warning) against the request's pauses, up to
// `until` (the clock's stop, or now).
struct AgreedInstant {
  Instant at = 0;       // moved later by the pauses begun after the agreement
  bool paused = false;  // a pause begun before it lasts now (no stop): the clock stands still
};

// A pause that begins after the agreement was not foreseen by it: what follows moves later
// by its length (wall time: a date was agreed, not an amount of working time). A pause
// already open at the agreement, or begun by the very edit that agreed, was: it moves
// nothing. While any pause lasts, the clock stands still, as the policy's clock does.
// Pauses that begin after the (moved) instant or the stop change nothing: it had passed or
// the work was done.
AgreedInstant moved_by_waits(Instant t, Instant agreed_at, std::span<const SlaPause> pauses, std::optional<Instant> stop,
                             Instant until) {
  AgreedInstant out{t, false};
  for (const SlaPause& p : pauses) {
    if (p.from >= until) break;  // ordered by `from`
    if (!p.to && !stop) {
      if (p.from < out.at) out.paused = true;
      continue;
    }
    if (p.from <= agreed_at || p.from >= out.at) continue;
    out.at += std::min(p.to.value_or(until), until) - p.from;
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
      const AgreedInstant agreed = moved_by_waits(c.reagreement->due, c.reagreement->at, f.pauses, span.stop, until);
      // The warning keeps its share of the agreed window, and is moved by the waits before it.
      const Instant window = c.reagreement->due - c.start;
      const Instant warn = c.start + static_cast<Instant>(window * policy.warning_share());
      c.reading.due = agreed.at;
      c.reading.warn_at = moved_by_waits(warn, c.reagreement->at, f.pauses, span.stop, until).at;
      if (span.stop) {
        c.reading.state = *span.stop <= agreed.at ? SlaState::kMet : SlaState::kMissed;
      } else if (agreed.paused) {
        // Waiting for the customer before the due: nothing is due until the work resumes
        // (the engine schedules no event for a clock without a due).
        c.reading.state = SlaState::kPaused;
        c.reading.due.reset();
        c.reading.warn_at.reset();
      } else if (until > agreed.at) {
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
