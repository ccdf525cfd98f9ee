#include "rapidesk/server/shared_instance.h"

#include <chrono>

#include <nlohmann/json.hpp>

#include "rapidesk/server/server_state.h"
#include "rapidesk/server/sla_service.h"

namespace rapidesk::server {

namespace {
constexpr int kLeaderCheckMs = 1000;
constexpr int kLeaderBackOffMs = 5000;  // after failing to lead
constexpr int kListenWaitMs = 1000;
constexpr int kCatchUpAtLeastEvery = 5;  // listen waits: a missed notification costs at most 5 s
// How often an instance that does not lead re-reads the SLA policy file (the leader's
// scheduler does so at the same rate), so every instance's clocks and reviews follow a
// policy set with `rapidesk-server sla set`.
constexpr int kPolicyFileCheckMs = 30'000;
}  // namespace

SharedInstance::SharedInstance(ServerState& state, SharedLog& log, Roles roles)
    : state_(state), log_(log), roles_(std::move(roles)) {}

SharedInstance::~SharedInstance() { stop(); }

void SharedInstance::start() {
  std::lock_guard lock(mutex_);
  if (listener_.joinable()) return;
  stopping_ = false;
  listener_ = std::thread([this] { listen_loop(); });
  leadership_ = std::thread([this] { leadership_loop(); });
  policy_ = std::thread([this] { policy_loop(); });
}

void SharedInstance::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (listener_.joinable()) listener_.join();
  if (leadership_.joinable()) leadership_.join();
  if (policy_.joinable()) policy_.join();
}

bool SharedInstance::pause(int ms) {
  std::unique_lock lock(mutex_);
  return !stop_cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping_; });
}

void SharedInstance::listen_loop() {
  std::unique_ptr<LogListener> listener;
  bool reported = false;
  int quiet_waits = 0;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    if (!listener) {
      auto made = log_.listen();
      if (!made) {
        if (!pause(kListenWaitMs)) return;
        continue;
      }
      listener = std::move(*made);
    }
    auto woke = listener->wait(std::chrono::milliseconds(kListenWaitMs));
    if (!woke) {
      if (!reported) state_.log.event("warning", "shared_listen", {{"message", woke.status().message().en}});
      reported = true;
      if (!pause(kListenWaitMs)) return;
      continue;
    }
    reported = false;
    if (!*woke && ++quiet_waits < kCatchUpAtLeastEvery) continue;
    quiet_waits = 0;
    auto grew = state_.sync->catch_up();
    if (!grew) {
      state_.log.event("warning", "shared_catch_up", {{"message", grew.status().message().en}});
    } else {
      // Even if a pull or a push here applied the entries first: nobody else announces them.
      state_.announcer.announce(state_.sync->durable_cursor());
    }
  }
}

void SharedInstance::policy_loop() {
  // A thread of its own: reading the file may block (a share), and applying a policy
  // recomputes every request; neither may hold up the leader lock's checks.
  while (pause(kPolicyFileCheckMs)) {
    bool leading;
    {
      std::lock_guard lock(lock_mutex_);
      leading = leading_;
    }
    if (leading || !state_.sync->health()) continue;  // the leader's scheduler re-reads it
    if (Status s = state_.sla->reload_policy_if_changed(); !s) {
      state_.log.event("warning", "sla_policy_file", {{"message", s.message().en}});
    }
  }
}

bool SharedInstance::still_leading() {
  std::lock_guard lock(lock_mutex_);
  // Never hold(): after a lost session it would take the lock anew, and this server would
  // fire without the rebuild lead() does (what another server fired meanwhile would fire
  // again). A lost session ends the lead here; the loop then stops leading and leads again
  // only through lead().
  return leading_ && lock_ && lock_->still_held();
}

void SharedInstance::leadership_loop() {
  {
    std::lock_guard lock(lock_mutex_);
    lock_ = log_.leader_lock();
  }
  bool leading = false;  // this thread's view; leading_ mirrors it for still_leading()
  auto set_leading = [&](bool value) {
    std::lock_guard lock(lock_mutex_);
    leading = leading_ = value;
  };
  for (;;) {
    // A server that can no longer commit must not keep the lead: its deadlines would never fire.
    const bool healthy = state_.sync->health().is_ok();
    bool holds;
    {
      std::lock_guard lock(lock_mutex_);
      // Leading, only checked: a lock taken anew after a lost session is a new lead, which
      // starts with stop_leading() and then lead() (the rebuild), never silently.
      holds = healthy && (leading ? lock_->still_held() : lock_->hold());
      if (!healthy) lock_->release();
    }
    if (holds && !leading) {
      set_leading(true);  // before lead(): its scheduler may fire at once
      if (Status s = roles_.lead(); !s) {
        set_leading(false);
        state_.log.event("warning", "sla_leader", {{"message", s.message().en}});
        // Let another server try (this one's policy or rules may be what fails), and back off.
        {
          std::lock_guard lock(lock_mutex_);
          lock_->release();
        }
        if (!pause(kLeaderBackOffMs)) break;
      } else {
        state_.metrics.set_sla_leader(true);
        state_.log.event("info", "sla_leader", {{"leader", true}});
      }
    } else if (!holds && leading) {
      set_leading(false);
      roles_.stop_leading();
      state_.metrics.set_sla_leader(false);
      state_.log.event("warning", "sla_leader", {{"leader", false}});
    }
    if (!pause(kLeaderCheckMs)) break;
  }
  if (leading) {
    set_leading(false);
    roles_.stop_leading();
    state_.metrics.set_sla_leader(false);
  }
}

}  // namespace rapidesk::server
