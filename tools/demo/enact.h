// Playing a DeskPlan into the demo users' profiles, in time order, with every profile's
// clock set to the simulated time of each step (so stamps, activity times and the server's
// SLA facts say when the work was done, not when the demo ran).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "desk_plan.h"
#include "rapidesk/client/local_replica.h"
#include "rapidesk/sync/hlc.h"

namespace rapidesk::demo {

// One simulated time shared by every profile's clock; 0 means the system clock.
// Thread-safe (the profiles may read it from a sync thread).
class SimulatedClock {
 public:
  sync::PhysicalClock physical() const;
  void set(Instant t) { at_->store(t); }
  void release() { at_->store(0); }

 private:
  std::shared_ptr<std::atomic<Instant>> at_ = std::make_shared<std::atomic<Instant>>(0);
};

struct EnactStats {
  std::size_t requests = 0;
  std::size_t edits = 0;  // local edits (each one transaction)
};

// Called after each request is created: (created so far, planned in all).
using EnactProgress = std::function<void(std::size_t, std::size_t)>;

// REQUIRES: `profiles` holds a signed-in replica for every user of plan.cast.profiles(),
// each opened with clock.physical(). Stops at the first edit a profile refuses (kInvalid…
// naming the request, the step and the reason): that is a fault in the plan.
Result<EnactStats> enact_plan(const DeskPlan& plan, const std::map<std::string, client::LocalReplica*>& profiles,
                              SimulatedClock& clock, const EnactProgress& progress);

}  // namespace rapidesk::demo
