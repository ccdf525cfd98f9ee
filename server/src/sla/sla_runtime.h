// The SLA service's working state and what it does inside the merge lock: follows the log
// (RequestTracker), keeps the engine's timers current, writes SLA fields and activity
// entries, assigns new requests, and turns fired events into ops and notifications.
//
// Not thread-safe: SlaService holds its lock (inside the sync service's merge lock) around
// every call.
#pragma once

#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "rapidesk/assignment/assignment_rules.h"
#include "rapidesk/notify/notification.h"
#include "rapidesk/server/server_edits.h"
#include "rapidesk/server/sla_service.h"
#include "rapidesk/sla/sla_engine.h"
#include "sla/auto_assign.h"
#include "sla/request_tracker.h"

namespace rapidesk::server {

class SlaRuntime {
 public:
  // `storage` and `options` must outlive the runtime.
  SlaRuntime(Storage& storage, const SlaServiceOptions& options, assignment::AssignmentRules rules,
             std::string policy_text, SlaPolicy policy);

  // Start-up: reads the whole log, loads the engine with `fired_keys` (the ledger) and
  // writes the SLA fields that differ from what the clocks say now.
  void build(ServerEdits& edits, const std::vector<std::string>& fired_keys);
  // After a push: updates the touched requests; assigns and marks the new ones.
  void observe_push(ServerEdits& edits, std::vector<notify::Notification>& notes);
  // Entries another server committed (it made their automatic edits): the tracker, the
  // workloads and the timers follow them (on every server, so that one taking the lead
  // mid-way misses nothing); nothing is written.
  void observe_remote(const sync::ReplicaStore& store, const sync::EntryLog& log, Instant now);
  // Fires what is due at edits.now(); returns the keys of the fired events (for the ledger)
  // and appends the notifications to send once they are durable.
  std::vector<std::string> fire(ServerEdits& edits, std::vector<notify::Notification>& notes);
  // Replaces the policy; every clock is recomputed and changed fields are written.
  void replace_policy(ServerEdits& edits, std::string policy_text, SlaPolicy policy,
                      const std::vector<std::string>& fired_keys);

  // The clocks of one request at `now`; kNotFound if it is unknown.
  Result<std::vector<sla::Clock>> clocks(const sync::ReplicaStore& store, const std::string& id, Instant now) const;

  // Facts, timeline and clocks of one request at `now`, for the reviews; nullopt if unknown.
  std::optional<RequestReview> review(const sync::ReplicaStore& store, const std::string& id, Instant now) const;

  const std::string& policy_text() const { return policy_text_; }
  // The engine is missing only after replace_policy threw midway (the server then stops
  // taking changes, but its scheduler still asks).
  std::optional<Instant> next_due() const { return engine_ ? engine_->next_due() : std::nullopt; }
  size_t timer_count() const { return engine_ ? engine_->timer_count() : 0; }
  // Keys fired since start (they may not be in storage yet while their commit runs).
  const std::vector<std::string>& fired_since_start() const { return fired_since_start_; }

 private:
  void load_engine(const sync::ReplicaStore& store, const std::vector<std::string>& fired_keys, Instant now);
  void refresh_all(ServerEdits& edits, Instant now);
  // Re-reads users and teams when stale; a failure is reported and the last snapshot kept.
  void refresh_directory(Instant now);
  // Recomputes one request: its load, its timers, and its SLA fields as of `now`.
  void refresh(ServerEdits& edits, const std::string& id, Instant now);
  struct Timed {
    sla::RequestFacts facts;
    std::vector<sla::Clock> clocks;  // at the `now` given to retime
  };
  // Updates the workload and the engine's timers of one request; its facts and clocks, or
  // none when it is deleted, unknown or its clocks cannot be computed (reported).
  std::optional<Timed> retime(const sync::ReplicaStore& store, const std::string& id, Instant now);
  void on_created(ServerEdits& edits, const std::string& id, Instant now, std::vector<notify::Notification>& notes);
  void on_reagreed(ServerEdits& edits, const std::string& id, Instant now);
  // Writes the pause history into the timeline: who paused, when and why; when it ran again.
  void on_pause(ServerEdits& edits, const PauseEdit& pause, Instant now);
  void apply_event(ServerEdits& edits, const sla::SlaEvent& event, Instant now,
                   std::vector<notify::Notification>& notes);
  void add_activity(ServerEdits& edits, const std::string& request, const Text& text, Instant at, int utc_offset);
  notify::Notification notification(const sync::ReplicaStore& store, const std::string& id, notify::EventKind kind,
                                    const Text& message, Instant at, int utc_offset) const;
  int offset_for(SlaTarget target, const sla::RequestFacts& facts) const;
  void report(std::string_view event, const Status& status) const;

  Storage& storage_;
  const SlaServiceOptions& options_;
  const assignment::AssignmentRules rules_;
  std::string policy_text_;
  std::unique_ptr<SlaPolicy> policy_;        // the engine refers to it
  std::unique_ptr<sla::SlaEngine> engine_;
  RequestTracker tracker_;
  Directory directory_;
  OpenLoad load_;
  std::vector<std::string> fired_since_start_;
  std::mt19937_64 random_;
};

}  // namespace rapidesk::server
