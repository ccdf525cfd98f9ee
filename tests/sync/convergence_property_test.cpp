// Convergence property test, server mode: 3-10 replicas edit offline with skewed,
// occasionally backwards clocks (random fields, sets, status transitions, deletes, field
// groups, activity entries, conflict resolutions, server-made edits; sometimes a device
// whose clock is beyond the drift bound) and exchange ops with a ServerMerge in random
// order, with lost requests, lost responses, duplicate pushes, replayed pulls and network
// partitions. After quiescence every replica's state is byte-identical to the server's,
// and every op the server acknowledged is reflected as a value or a conflict record.
//
// RAPIDESK_SCENARIOS=N runs N scenarios (default 1000); RAPIDESK_SEED=S reruns one.
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <memory>
#include <set>

#include "rapidesk/shared/enums.h"
#include "rapidesk/shared/status_machine.h"
#include "rapidesk/sync/client_replica.h"
#include "rapidesk/sync/server_merge.h"
#include "test_support.h"

namespace rapidesk::sync {
namespace {

using testing::SplitMix;

struct Replica {
  std::string user;
  std::int64_t offset = 0;
  SplitMix random{0};
  std::unique_ptr<ClientReplica> client;
  bool partitioned = false;
};

struct Stats {
  std::map<std::string, std::size_t> rejections;  // by problem
  std::size_t invalid_transitions = 0;
  std::size_t scenarios = 0;
  std::size_t acked = 0;
  std::size_t rejected = 0;
  std::size_t conflicts = 0;
  std::size_t log = 0;
};

class World {
 public:
  explicit World(std::uint64_t seed) : rng_(seed), server_([this] { return now_; }) {
    const std::size_t n = 3 + rng_.below(8);
    for (std::size_t i = 0; i < n; ++i) {
      auto r = std::make_unique<Replica>();
      r->user = "user." + std::to_string(i);
      r->offset = static_cast<std::int64_t>(rng_.below(240'001)) - 120'000;  // within the 5 min drift
      if (i == 0 && rng_.chance(0.1)) r->offset = 6 * 60'000 + static_cast<std::int64_t>(rng_.below(240'000));  // rogue
      r->random = SplitMix(rng_());
      Replica* raw = r.get();
      r->client = std::make_unique<ClientReplica>(ClientOptions{"dev-" + std::to_string(i), r->user, 1},
                                                  [this, raw] { return now_ + raw->offset; },
                                                  [raw] { return raw->random(); });
      replicas_.push_back(std::move(r));
    }
  }

  void run(std::size_t steps) {
    for (std::size_t s = 0; s < steps; ++s) {
      now_ += static_cast<std::int64_t>(rng_.below(2000));
      Replica& r = *replicas_[rng_.below(replicas_.size())];
      if (rng_.chance(0.03)) r.offset -= static_cast<std::int64_t>(rng_.below(30'000));  // clock set back
      const std::uint64_t action = rng_.below(100);
      if (action < 45) {
        edit(r);
      } else if (action < 50) {
        activity(r);
      } else if (action < 55) {
        resolve(r);
      } else if (action < 70) {
        push(r);
      } else if (action < 85) {
        pull(r);
      } else if (action < 92) {
        r.partitioned = !r.partitioned;
      } else if (action < 95) {
        server_edit();
      } else {
        customer_edit(r);
      }
      if (::testing::Test::HasFatalFailure()) return;
    }
  }

  // Heal partitions and exchange until every outbox is empty and every replica is current.
  void quiesce() {
    for (auto& r : replicas_) r->partitioned = false;
    for (int round = 0; round < 10; ++round) {
      for (auto& r : replicas_) {
        for (std::vector<FieldOp> batch = r->client->next_push(); !batch.empty(); batch = r->client->next_push()) {
          r->client->on_push_result(deliver(batch, *r));
        }
      }
      for (auto& r : replicas_) pull_all(*r);
      bool idle = true;
      for (auto& r : replicas_) idle &= r->client->pending_count() == 0;
      if (idle) return;
    }
    FAIL() << "outboxes did not drain";
  }

  void check(Stats& stats) {
    const std::string server_state = server_.store().canonical_bytes();
    for (auto& r : replicas_) {
      ASSERT_EQ(r->client->cursor(), server_.cursor()) << r->user;
      ASSERT_EQ(r->client->pending_count(), 0u) << r->user;
      ASSERT_EQ(r->client->confirmed().canonical_bytes(), server_state) << r->user;
      ASSERT_EQ(r->client->visible().canonical_bytes(), server_state) << r->user;
    }
    const ReplicaStore& store = server_.store();
    for (const std::string& id : acked_) {
      ASSERT_EQ(rejected_.count(id), 0u) << id << " was both acknowledged and rejected";
      const OpFate fate = store.fate(id);
      ASSERT_NE(fate, OpFate::kUnknown) << "acknowledged op " << id << " left no trace";
      if (fate == OpFate::kConflictLoser) {
        ASSERT_TRUE(store.conflict(conflict_id_for(id))) << id;
      }
    }
    for (const std::string& id : rejected_) ASSERT_FALSE(store.contains(id)) << id;
    ++stats.scenarios;
    stats.acked += acked_.size();
    stats.rejected += rejected_.size();
    stats.conflicts += store.conflicts().size();
    for (const ConflictRecord& c : store.conflicts()) stats.invalid_transitions += c.invalid_transition;
    for (const auto& [p, n] : rejections_) stats.rejections[p] += n;
    stats.log += server_.cursor();
  }

 private:
  PushResult deliver(const std::vector<FieldOp>& batch, Replica& r) {
    PushResult res = server_.push(batch, r.user);
    for (const OpResult& o : res.results) {
      if (is_acknowledged(o.outcome)) {
        acked_.insert(o.op);
      } else if (rejected_.insert(o.op).second) {
        ++rejections_[std::string(problem_name(o.problem))];
      }
    }
    return res;
  }

  void push(Replica& r) {
    if (r.partitioned) return;
    const std::vector<FieldOp> batch = r.client->next_push(1 + rng_.below(30));
    if (batch.empty()) return;
    if (rng_.chance(0.1)) return;  // the request is lost
    PushResult res = deliver(batch, r);
    if (rng_.chance(0.1)) res = deliver(batch, r);  // sent twice (a retry raced the first answer)
    if (rng_.chance(0.1)) return;  // the response is lost
    r.client->on_push_result(res);
  }

  void pull(Replica& r) {
    if (r.partitioned) return;
    std::uint64_t cursor = r.client->cursor();
    if (rng_.chance(0.1)) cursor = rng_.below(cursor + 1);  // a replayed, older page
    bool more = false;
    const std::vector<LogEntry> page = server_.pull(cursor, 1 + rng_.below(20), &more);
    ASSERT_TRUE(r.client->on_pull(page)) << r.user;
    if (rng_.chance(0.1)) {
      ASSERT_TRUE(r.client->on_pull(page)) << r.user;  // delivered twice
    }
  }

  void pull_all(Replica& r) {
    bool more = true;
    while (more) ASSERT_TRUE(r.client->on_pull(server_.pull(r.client->cursor(), 1 + rng_.below(50), &more)));
  }

  // A request row this replica can see, or a new one.
  std::string request_row(Replica& r) {
    const auto rows = r.client->visible().rows("request");
    if (!rows.empty() && !rng_.chance(0.08)) return rows[rng_.below(rows.size())];
    const std::string row = r.client->new_row_id();
    const FieldEdit intake[] = {{"title", Value::string("Request by " + r.user)},
                                {"status", Value::string("new")},
                                {"category", Value::string("tech_support")}};
    (void)r.client->edit("request", row, intake);
    return row;
  }

  Value random_value(const std::string& field, Replica& r, const std::string& row) {
    static const char* const kPriorities[] = {"urgent", "high", "medium", "low"};
    static const char* const kNames[] = {"li.wei", "wang.fang", "zhao", "chen"};
    if (field == "priority") return Value::string(kPriorities[rng_.below(4)]);
    if (field == "progress") return Value::integer(static_cast<std::int64_t>(rng_.below(101)));
    if (field == "satisfaction") return Value::integer(static_cast<std::int64_t>(1 + rng_.below(5)));
    if (field == "deleted") return Value::boolean(rng_.chance(0.6));
    if (field == "tags" || field == "collaborators") {
      std::string element(1, rng_.chance(0.7) ? '+' : '-');
      element += kNames[rng_.below(4)];
      return Value::string(std::move(element));
    }
    if (field == "status") {
      const auto current = r.client->visible().read("request", row, "status");
      const auto from = current ? from_wire<RequestStatus>(current->value.as_string()) : std::nullopt;
      const auto next = from ? allowed_transitions(*from) : std::vector<RequestStatus>{RequestStatus::kNew};
      if (!next.empty() && rng_.chance(0.85)) return Value::string(std::string(to_wire(next[rng_.below(next.size())])));
      return Value::string(std::string(enum_entries<RequestStatus>()[rng_.below(8)].wire));  // maybe invalid
    }
    return Value::string(field + " " + std::to_string(rng_.below(1000)) + " by " + r.user);
  }

  void edit(Replica& r) {
    static const char* const kFields[] = {"title", "description", "owner", "priority", "progress", "satisfaction",
                                          "tags", "collaborators", "contact", "contact_name", "deleted", "status",
                                          "status", "status"};
    const std::string row = request_row(r);
    const std::string field = kFields[rng_.below(std::size(kFields))];
    (void)r.client->set_field("request", row, field, random_value(field, r, row));  // may be refused locally
  }

  void customer_edit(Replica& r) {
    const auto rows = r.client->visible().rows("customer");
    const std::string row = rows.empty() || rng_.chance(0.2) ? r.client->new_row_id() : rows[rng_.below(rows.size())];
    (void)r.client->set_field("customer", row, rng_.chance(0.5) ? "name" : "industry",
                              Value::string("Customer " + std::to_string(rng_.below(50))));
  }

  void activity(Replica& r) {
    const auto requests = r.client->visible().rows("request");
    if (requests.empty()) return;
    const FieldEdit entry[] = {{"request_id", Value::string(requests[rng_.below(requests.size())])},
                               {"kind", Value::string("progress")},
                               {"author", Value::string(r.user)},
                               {"at", Value::string("2026-01-01T10:00:00+08:00")},
                               {"text", Value::string("Stage note")},
                               {"progress", Value::integer(static_cast<std::int64_t>(rng_.below(101)))}};
    ASSERT_TRUE(r.client->edit("activity", r.client->new_row_id(), entry));
  }

  void resolve(Replica& r) {
    const auto conflicts = r.client->visible().conflicts();
    if (conflicts.empty()) return;
    const ConflictRecord& c = conflicts[rng_.below(conflicts.size())];
    const Resolution how = static_cast<Resolution>(1 + rng_.below(3));
    const bool text = find_field(c.entity, c.field)->field->type == ValueType::kText;
    (void)r.client->resolve(c.id, how, text ? Value::string("merged by " + r.user) : c.loser.value);
  }

  void server_edit() {
    const auto rows = server_.store().rows("request");
    if (rows.empty()) return;
    const std::string& row = rows[rng_.below(rows.size())];
    const OpResult res = rng_.chance(0.5)
                             ? server_.apply_server_edit("request", row, "number",
                                                         Value::string("20260101-TECH-" + std::to_string(rng_.below(9999))))
                             : server_.apply_server_edit("request", row, "sla_state", Value::string("warning"));
    ASSERT_TRUE(is_acknowledged(res.outcome)) << res.status.message().en;
    acked_.insert(res.op);
  }

  SplitMix rng_;
  std::int64_t now_ = testing::kT0;
  ServerMerge server_;
  std::vector<std::unique_ptr<Replica>> replicas_;
  std::set<std::string> acked_;
  std::set<std::string> rejected_;
  std::map<std::string, std::size_t> rejections_;
};

TEST(ConvergenceProperty, ReplicasEndByteIdenticalToTheServer) {
  Stats stats;
  for (std::uint64_t seed : testing::scenario_seeds(1, 1000)) {
    SCOPED_TRACE("convergence scenario seed " + std::to_string(seed) + " (rerun: RAPIDESK_SEED=" +
                 std::to_string(seed) + " --gtest_filter=ConvergenceProperty.*)");
    World world(seed);
    SplitMix steps(seed ^ 0xABCDEF);
    world.run(60 + steps.below(240));
    if (!HasFatalFailure()) world.quiesce();
    if (!HasFatalFailure()) world.check(stats);
    if (HasFatalFailure()) {
      std::cerr << "FAILED convergence scenario seed " << seed << "\n";
      return;
    }
  }
  std::cout << "convergence: " << stats.scenarios << " scenarios, " << stats.acked << " ops acknowledged, "
            << stats.rejected << " rejected, " << stats.log << " log entries, " << stats.conflicts
            << " conflict records (" << stats.invalid_transitions
            << " refused status changes); all replicas byte-identical to the server\nrejections:";
  for (const auto& [p, n] : stats.rejections) std::cout << " " << p << "=" << n;
  std::cout << "\n";
}

}  // namespace
}  // namespace rapidesk::sync
