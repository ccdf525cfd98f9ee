// The SLA service: runs every open request's SLA clocks on the server and assigns new
// requests by rule.
//
// - At start it reads the whole sync log (so it knows when each request was triaged,
//   answered, paused, ...), computes every due time with the policy and its calendars and
//   fills the engine's deadline heap with the keys fired before (the `sla_fired` ledger).
// - After each push it updates the requests the push touched (inside the push's merge, so
//   the push's own answer already carries the new due times, state and owner).
// - A scheduler thread sleeps until the next deadline and fires warnings, breaches,
//   escalations and progress reminders. Each firing's ops and its ledger key are committed
//   in ONE transaction: after a restart a missed deadline fires once, never twice.
// - Results are ordinary server-made ops (due times, sla_state, sla_breached,
//   escalation_level, activity entries of kind `sla`, owner/team/explanation), so clients
//   get them by pull. Breaches and escalations also go to the configured webhooks, from a
//   queue on the notifier's own thread.
//
// Time comes from the injected clock, so tests drive it by hand and call fire_due().
// Thread-safe. Lock order: the sync service's merge lock, then this service's lock.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rapidesk/notify/webhook_sender.h"
#include "rapidesk/server/server_edits.h"
#include "rapidesk/server/storage.h"
#include "rapidesk/server/sync_service.h"
#include "rapidesk/sla/sla_engine.h"

namespace rapidesk::server {

struct SlaServiceOptions {
  std::filesystem::path data_dir;            // DATA_DIR/sla_policy.json, when set, is the policy
  std::filesystem::path assignment_rules;    // empty: the built-in assets/assignment_rules.json
  bool auto_assign = true;                   // assign new requests without an owner
  std::string duty_calendar;                 // a calendar of the SLA policy; empty: always on duty
  std::vector<notify::WebhookTarget> webhooks;
  notify::RetryPolicy webhook_retry;
  std::function<void(const notify::DeliveryReport&)> on_delivery;  // e.g. logs each outcome
  sla::EscalationPolicy escalation;
  // Told the durable cursor after the scheduler or a policy change committed ops (the
  // WebSocket announcer), so clients pull them at once.
  std::function<void(std::uint64_t)> on_commit;
  // Told about problems that do not stop the service (a request whose clocks cannot be
  // computed, a failed commit of fired events).
  std::function<void(std::string_view event, const Status&)> on_problem;
};

// What the reviews need of one request beyond its fields: its timeline and its clocks.
struct RequestReview {
  sla::RequestFacts facts;
  std::optional<Instant> closed_at;   // the latest close
  std::vector<Instant> reopened_at;   // every reopen, in order
  std::vector<sla::Clock> clocks;     // finished clocks carry their outcome
};

class SlaService final : public SyncObserver {
 public:
  // `sync` and `storage` must outlive the service.
  SlaService(SyncService& sync, Storage& storage, std::function<Instant()> clock, SlaServiceOptions options);
  ~SlaService() override;  // stops the scheduler
  SlaService(const SlaService&) = delete;
  SlaService& operator=(const SlaService&) = delete;

  // Loads policy and rules and builds every clock from the merged state. Call after
  // SyncService::load() and before serving. kInvalid if the stored policy or the rules
  // file is invalid (the message says which and why), kIo if unreadable.
  Status start();

  // The scheduler thread: sleeps until the next deadline (at most 30 s, to notice a policy
  // file changed by `rapidesk-server sla set`) and fires what is due.
  void start_scheduler();
  void stop_scheduler();

  // Fires every event due at the clock's now and commits the results. Returns how many
  // events fired.
  Result<size_t> fire_due();
  // Several servers: asked inside each firing's commit (under the turn to write, so no
  // other server commits in between) whether this server still leads; when it says no,
  // nothing fires (fire_due answers 0) and the scheduler pauses a second before trying
  // again. The guard must only check, never take the lead (SharedInstance::still_leading).
  // Set before start_scheduler(); unset, this server always fires.
  void set_fire_guard(std::function<bool()> still_leading);
  std::optional<Instant> next_due() const;
  size_t timer_count() const;

  // The policy in force as JSON text (the stored document, or the built-in default).
  std::string policy_json() const;
  // Validates, stores (DATA_DIR/sla_policy.json) and applies a new policy; every running
  // clock is recomputed and changed due times are written. kInvalid: nothing changed.
  Status set_policy(std::string_view json_text);
  // Re-reads DATA_DIR/sla_policy.json and applies it if it changed (the admin CLI writes
  // it while the server runs). An invalid file is reported and the policy stays.
  Status reload_policy_if_changed();

  // Every clock of a request now, with how finished clocks ended (met original, met
  // re-agreed, missed): what the reviews count. kNotFound for an unknown request.
  Result<std::vector<sla::Clock>> request_clocks(const std::string& request_id);

  // Reviews of the requests `ids` at the clock's now, in one pass; unknown ids are left out.
  std::map<std::string, RequestReview> review_requests(const std::vector<std::string>& ids);

  // SyncObserver: updates the clocks of the requests a push touched, assigns new ones.
  WhenDurable after_push(ServerEdits& edits) override;
  // SyncObserver: follows what other servers on the same database committed.
  void after_catch_up(const sync::ReplicaStore& store, const sync::EntryLog& log, Instant now) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rapidesk::server
