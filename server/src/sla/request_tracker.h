// What the SLA clocks need to know about each request that the merged state alone does not
// tell: when things happened (triaged, first answer, progress, completion, pauses while
// waiting for the customer, re-agreed due times). Built by reading the sync log in seq
// order, so a restart rebuilds exactly what the running server had; current values
// (category, priority, status, contact time, reasons) are read from the merged store.
//
// Event times are device times (the op's clock stamp, or an activity entry's `at`), so work
// done offline counts when it was done, not when it was uploaded. Status transitions of one
// request are kept in order (a later transition never gets an earlier time), so pauses are
// always ordered and never overlap.
//
// Not thread-safe: the SLA service guards it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "rapidesk/shared/string_map.h"
#include "rapidesk/sla/request_clocks.h"
#include "rapidesk/sync/entry_log.h"
#include "rapidesk/sync/protocol.h"
#include "rapidesk/sync/replica_store.h"

namespace rapidesk::server {

struct RequestHistory {
  bool exists = false;              // a request op was seen (activity rows may come first)
  Instant recorded_at = 0;          // first client op on the row (device time)
  std::string creator;              // author of that op
  std::optional<Instant> accepted_at;  // first server op on the row (server time)
  Instant last_transition = 0;      // keeps transition times in order
  std::string status;               // the last status applied (wire name)
  std::optional<Instant> triaged_at, assigned_at, first_response_at, plan_at, last_progress_at, completed_at,
      confirmed_at, resolved_at, followed_up_at;
  std::vector<SlaPause> pauses;     // the open one (if any) is last
  std::vector<sla::Reagreement> reagreements;  // of the resolution due, oldest first
  std::optional<Instant> closed_at;  // the latest transition to closed (for the reviews)
  std::vector<Instant> reopened_at;  // every transition to reopened, in order (for the reviews)
  std::string reason;               // status_reason as of the op being read (log order)
};

// A person's own edit of the owner field (a manual assignment).
struct OwnerEdit {
  std::string request;
  std::string owner;
  std::string by;
};

// The SLA clocks of a request were paused (status → waiting_customer) or run again.
struct PauseEdit {
  std::string request;
  bool started = true;
};

struct TrackerChanges {
  std::vector<std::string> touched;   // requests whose facts may have changed, in first-touch order
  std::vector<std::string> created;   // requests seen for the first time
  std::vector<OwnerEdit> owner_edits; // client-made owner changes
  std::vector<std::string> reagreed;  // requests whose resolution due was re-agreed
  std::vector<PauseEdit> pauses;      // pauses begun or ended, in log order
};

class RequestTracker {
 public:
  // Reads the entries of `log` not read before (log[i].seq == i + 1), in order; `store`
  // is the merged state they belong to (an activity entry's `at` is read from it).
  // Reading a log in several calls or in one gives the same histories.
  TrackerChanges ingest(const sync::EntryLog& log, const sync::ReplicaStore& store);
  std::uint64_t consumed() const { return consumed_; }

  const RequestHistory* find(const std::string& id) const;
  // Every request seen (exists), in no particular order.
  std::vector<std::string> request_ids() const;

  // The facts the SLA clocks are computed from: history plus current values from `store`.
  // REQUIRES: find(id) != nullptr.
  sla::RequestFacts facts(const sync::ReplicaStore& store, const std::string& id) const;

  // When `owner` was last given a request (by rule or by hand); unset if never.
  std::optional<Instant> last_assigned(const std::string& owner) const;
  // `owner` was given a request at `at`: read from the log, or decided and not ingested yet
  // (the next request of the same push is decided before the log is read again).
  void note_assigned(const std::string& owner, Instant at) {
    Instant& last = last_assigned_[owner];
    last = std::max(last, at);
  }

 private:
  struct PendingActivity {
    std::string request;
    std::string kind;
    Instant stamp_ms = 0;
    bool by_server = false;
  };
  struct Batch;
  void read_request_op(const sync::EntryView& e, Batch& batch);
  void read_status(RequestHistory& h, std::string_view id, const std::string& next, Instant t, std::string_view by,
                   Batch& batch);
  void read_activity_op(const sync::EntryView& e, const sync::ReplicaStore& store, Batch& batch);
  void apply_activity(const PendingActivity& a, Instant t, Batch& batch);
  void touch(std::string_view id, Batch& batch);

  std::uint64_t consumed_ = 0;
  StringMap<RequestHistory> requests_;  // grows without pausing to rehash
  std::unordered_map<std::string, PendingActivity> activities_;  // rows without request or kind yet
  std::unordered_map<std::string, Instant> last_assigned_;
};

// Helpers over the merged store.
std::string read_text(const sync::ReplicaStore& store, std::string_view entity, std::string_view row,
                      std::string_view field);
std::optional<Instant> read_instant(const sync::ReplicaStore& store, std::string_view entity, std::string_view row,
                                    std::string_view field);

}  // namespace rapidesk::server
