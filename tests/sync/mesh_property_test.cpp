// Mesh-mode property test of the order-independent policies (LWW, sets, field groups,
// append-only rows, tombstones, conflict records and their resolution): devices edit with
// their own clocks while seeing random subsets of each other's ops; then the whole op set,
// with duplicates, is merged in several random orders (op by op, as one batch, in random
// batch slices) and by every device. All results must be byte-identical, and the conflict
// records and winners must match a brute-force evaluation of the rule in conflict.h.
//
// RAPIDESK_SCENARIOS=N runs N scenarios (default 1000); RAPIDESK_SEED=S reruns one.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <set>

#include "rapidesk/sync/replica_store.h"
#include "rapidesk/sync/schema.h"
#include "test_support.h"

namespace rapidesk::sync {
namespace {

using testing::SplitMix;

struct MeshDevice {
  std::string id;
  std::string user;
  std::int64_t offset = 0;  // physical clock error, ms
  std::unique_ptr<HybridClock> clock;
  ReplicaStore store;
  std::uint64_t seq = 0;
};

class MeshScenario {
 public:
  explicit MeshScenario(std::uint64_t seed) : rng_(seed) {
    const std::size_t devices = 3 + rng_.below(4);
    for (std::size_t i = 0; i < devices; ++i) {
      auto d = std::make_unique<MeshDevice>();
      d->id = "dev-" + std::to_string(i);
      d->user = "user." + std::to_string(i);
      d->offset = static_cast<std::int64_t>(rng_.below(240'001)) - 120'000;  // within +-2 min
      MeshDevice* raw = d.get();
      d->clock = std::make_unique<HybridClock>(d->id, [this, raw] { return now_ + raw->offset; });
      devices_.push_back(std::move(d));
    }
    for (int i = 0; i < 2; ++i) requests_.push_back(new_row());
    customers_.push_back(new_row());
  }

  void generate(std::size_t steps) {
    for (std::size_t s = 0; s < steps; ++s) {
      now_ += static_cast<std::int64_t>(rng_.below(3000));
      MeshDevice& d = *devices_[rng_.below(devices_.size())];
      if (rng_.chance(0.05)) d.offset -= static_cast<std::int64_t>(rng_.below(60'000));  // clock set back
      const std::uint64_t action = rng_.below(100);
      if (action < 30) {
        lww_edit(d);
      } else if (action < 42) {
        set_edit(d);
      } else if (action < 50) {
        group_edit(d);
      } else if (action < 55) {
        emit(d, {op(d, "request", pick(requests_), "deleted", Value::boolean(rng_.chance(0.7)), d.clock->now())});
      } else if (action < 61) {
        activity(d);
      } else if (action < 67) {
        resolve(d);
      } else if (action < 69) {
        // A client writing a server-owned field: refused everywhere, in any order.
        emit(d, {op(d, "request", pick(requests_), "number", Value::string("N-" + std::to_string(rng_.below(9))),
                    d.clock->now())});
      } else if (action < 72) {
        requests_.push_back(new_row());
        emit(d, {op(d, "request", requests_.back(), "title", Value::string("new"), d.clock->now())});
      } else {
        gossip(d, 1 + rng_.below(12));
      }
    }
  }

  const std::vector<FieldOp>& ops() const { return all_; }
  std::vector<std::unique_ptr<MeshDevice>>& devices() { return devices_; }
  SplitMix& rng() { return rng_; }

 private:
  std::string new_row() { return make_uuid_v7(now_, [this] { return rng_(); }); }
  const std::string& pick(const std::vector<std::string>& v) { return v[rng_.below(v.size())]; }

  FieldOp op(MeshDevice& d, std::string entity, std::string row, std::string field, Value value, const Stamp& hlc) {
    FieldOp o;
    o.op = make_op_id(d.id, ++d.seq);
    o.entity = std::move(entity);
    o.row = std::move(row);
    o.field = std::move(field);
    o.value = std::move(value);
    o.hlc = hlc;
    const auto ref = find_field(o.entity, o.field);
    if (ref && ref->field->policy != MergePolicy::kSet) o.base = d.store.current_stamp(o.entity, o.row, o.field);
    o.author = d.user;
    return o;
  }

  void emit(MeshDevice& d, std::vector<FieldOp> ops) {
    for (FieldOp& o : ops) {
      d.store.apply(o);
      all_.push_back(std::move(o));
    }
  }

  void lww_edit(MeshDevice& d) {
    static const char* const kRequestFields[] = {"title", "description", "owner", "priority", "progress", "tier",
                                                 "expected_at", "team"};
    static const char* const kPriorities[] = {"urgent", "high", "medium", "low"};
    static const char* const kTiers[] = {"strategic", "vip", "regular", "new"};
    const bool customer = rng_.chance(0.2);
    const std::string field = customer ? (rng_.chance(0.5) ? "name" : "tier") : kRequestFields[rng_.below(8)];
    Value v;
    if (field == "priority") {
      v = Value::string(kPriorities[rng_.below(4)]);
    } else if (field == "tier") {
      v = Value::string(kTiers[rng_.below(4)]);
    } else if (field == "progress") {
      v = Value::integer(static_cast<std::int64_t>(rng_.below(101)));
    } else if (field == "expected_at") {
      v = rng_.chance(0.2) ? Value::null() : Value::string("2026-02-0" + std::to_string(1 + rng_.below(9)) + "T10:00:00+08:00");
    } else {
      v = Value::string(field + " by " + d.id + " #" + std::to_string(rng_.below(1000)));
    }
    emit(d, {op(d, customer ? "customer" : "request", customer ? pick(customers_) : pick(requests_), field, v,
                d.clock->now())});
  }

  void set_edit(MeshDevice& d) {
    static const char* const kNames[] = {"li.wei", "wang.fang", "zhao", "chen"};
    const char* field = rng_.chance(0.5) ? "tags" : "collaborators";
    std::string value(1, rng_.chance(0.65) ? '+' : '-');
    value += kNames[rng_.below(4)];
    emit(d, {op(d, "request", pick(requests_), field, Value::string(value), d.clock->now())});
  }

  void group_edit(MeshDevice& d) {
    const std::string& row = pick(requests_);
    const Stamp s = d.clock->now();
    const std::string n = std::to_string(rng_.below(100));
    emit(d, {op(d, "request", row, "contact_name", Value::string("Contact " + n), s),
             op(d, "request", row, "contact", Value::string("138-" + n), s)});
  }

  void activity(MeshDevice& d) {
    const std::string row = new_row();
    const Stamp s = d.clock->now();
    emit(d, {op(d, "activity", row, "request_id", Value::string(pick(requests_)), s),
             op(d, "activity", row, "kind", Value::string("note"), s),
             op(d, "activity", row, "author", Value::string(d.user), s),
             op(d, "activity", row, "at", Value::string("2026-01-01T08:00:00Z"), s),
             op(d, "activity", row, "text", Value::string("note by " + d.id), s)});
  }

  void resolve(MeshDevice& d) {
    const auto conflicts = d.store.conflicts();
    if (conflicts.empty()) return;
    const ConflictRecord& c = conflicts[rng_.below(conflicts.size())];
    const Resolution how = static_cast<Resolution>(1 + rng_.below(3));
    const bool text = find_field(c.entity, c.field)->field->type == ValueType::kText;
    const Value merged = text ? Value::string("merged by " + d.id) : c.loser.value;
    auto ops = make_resolution_ops(c, how, merged, d.clock->now(),
                                   [&] { return make_op_id(d.id, ++d.seq); });
    ASSERT_TRUE(ops);
    for (FieldOp& o : *ops) o.author = d.user;
    // Group fields must be written whole: keep the resolution mark only.
    if (find_field(c.entity, c.field)->field->group != 0) ops->erase(ops->begin(), ops->end() - 1);
    emit(d, std::move(*ops));
  }

  void gossip(MeshDevice& d, std::size_t count) {
    for (std::size_t i = 0; i < count && !all_.empty(); ++i) {
      const FieldOp& o = all_[rng_.below(all_.size())];
      d.clock->observe(o.hlc);
      d.store.apply(o);
    }
  }

  SplitMix rng_;
  std::int64_t now_ = testing::kT0;
  std::vector<std::unique_ptr<MeshDevice>> devices_;
  std::vector<std::string> requests_;
  std::vector<std::string> customers_;
  std::vector<FieldOp> all_;
};

std::vector<FieldOp> shuffled_with_duplicates(std::vector<FieldOp> ops, SplitMix& rng) {
  const std::size_t n = ops.size();
  for (std::size_t i = 0; i < n / 8 + 1; ++i) ops.push_back(ops[rng.below(n)]);
  for (std::size_t i = ops.size(); i > 1; --i) std::swap(ops[i - 1], ops[rng.below(i)]);
  return ops;
}

bool stamp_key_less(const FieldOp& a, const FieldOp& b) {
  return a.hlc != b.hlc ? a.hlc < b.hlc : a.op < b.op;
}

// Brute-force evaluation of the conflict rule and the winners over the op set.
void check_against_oracle(const std::vector<FieldOp>& ops, const ReplicaStore& store) {
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<const FieldOp*>> fields;
  std::map<std::tuple<std::string, std::string, std::string, std::string>, const FieldOp*> elements;
  for (const FieldOp& o : ops) {
    const FieldSpec& f = *find_field(o.entity, o.field)->field;
    if (f.policy == MergePolicy::kServerOwned) continue;  // refused (client origin)
    if (f.policy == MergePolicy::kSet) {
      const FieldOp*& w = elements[{o.entity, o.row, o.field, o.value.as_string().substr(1)}];
      if (!w || stamp_key_less(*w, o)) w = &o;
      continue;
    }
    if (f.policy == MergePolicy::kAppendOnly) continue;  // written once: no rule to check
    fields[{o.entity, o.row, o.field}].push_back(&o);
  }
  std::set<std::string> expected_conflicts;
  for (auto& [key, list] : fields) {
    const FieldOp* winner = *std::max_element(list.begin(), list.end(),
                                              [](const FieldOp* a, const FieldOp* b) { return stamp_key_less(*a, *b); });
    const auto& [entity, row, field] = key;
    ASSERT_EQ(store.current_stamp(entity, row, field), winner->hlc)
        << entity << "." << field << " winner " << winner->op << " fate " << op_fate_name(store.fate(winner->op))
        << " value " << winner->value.canonical() << " base " << (winner->base ? format_stamp(*winner->base) : "-")
        << " hlc " << format_stamp(winner->hlc);
    if (find_field(entity, field)->field->group == 0) {
      ASSERT_EQ(store.read(entity, row, field)->value, winner->value) << entity << "." << field;
    }
    for (const FieldOp* l : list) {
      for (const FieldOp* w : list) {
        if (w->hlc > l->hlc && (!w->base || *w->base < l->hlc)) {
          expected_conflicts.insert(conflict_id_for(l->op));
          break;
        }
      }
    }
  }
  std::set<std::string> actual_conflicts;
  for (const ConflictRecord& c : store.conflicts()) {
    actual_conflicts.insert(c.id);
    ASSERT_EQ(c.winner.hlc, store.current_stamp(c.entity, c.row, c.field)) << c.id;  // winner side follows the field
  }
  ASSERT_EQ(actual_conflicts, expected_conflicts);
  for (const auto& [key, w] : elements) {
    const auto& [entity, row, field, element] = key;
    const auto present = store.read_set(entity, row, field);
    const bool in = std::find(present.begin(), present.end(), element) != present.end();
    ASSERT_EQ(in, w->value.as_string()[0] == '+') << field << " " << element;
  }
}

struct MeshStats {
  std::size_t scenarios = 0;
  std::size_t ops = 0;
  std::size_t conflicts = 0;
  std::size_t resolutions = 0;
};

void run_scenario(std::uint64_t seed, MeshStats& stats) {
  MeshScenario scenario(seed);
  scenario.generate(40 + scenario.rng().below(260));
  SplitMix& rng = scenario.rng();
  const std::vector<FieldOp>& ops = scenario.ops();

  // Order 1: shuffled with duplicates, op by op.
  ReplicaStore one;
  for (const FieldOp& o : shuffled_with_duplicates(ops, rng)) one.apply(o);
  const std::string reference = one.canonical_bytes();
  // Order 2: shuffled with duplicates, as one batch (exercises apply_batch's pipeline).
  ReplicaStore two;
  two.apply_batch(shuffled_with_duplicates(ops, rng));
  ASSERT_EQ(two.canonical_bytes(), reference);
  // Order 3: reversed, in random batch slices.
  std::vector<FieldOp> reversed(ops.rbegin(), ops.rend());
  reversed = shuffled_with_duplicates(std::move(reversed), rng);
  ReplicaStore three;
  for (std::size_t i = 0; i < reversed.size();) {
    const std::size_t len = std::min<std::size_t>(1 + rng.below(40), reversed.size() - i);
    three.apply_batch(std::span<const FieldOp>(reversed.data() + i, len));
    i += len;
  }
  ASSERT_EQ(three.canonical_bytes(), reference);
  // Every device, after its own history of partial views, ends in the same state.
  for (auto& d : scenario.devices()) {
    d->store.apply_batch(ops);
    ASSERT_EQ(d->store.canonical_bytes(), reference) << d->id;
  }
  check_against_oracle(ops, one);
  ++stats.scenarios;
  stats.ops += ops.size();
  stats.conflicts += one.conflicts().size();
  for (const ConflictRecord& c : one.conflicts()) stats.resolutions += c.resolution != Resolution::kOpen;
}

TEST(MeshProperty, AnyArrivalOrderWithDuplicatesGivesIdenticalState) {
  const auto seeds = testing::scenario_seeds(1, 1000);
  MeshStats stats;
  for (std::uint64_t seed : seeds) {
    SCOPED_TRACE("mesh scenario seed " + std::to_string(seed) + " (rerun: RAPIDESK_SEED=" + std::to_string(seed) +
                 " --gtest_filter=MeshProperty.*)");
    run_scenario(seed, stats);
    if (::testing::Test::HasFatalFailure()) {
      std::cerr << "FAILED mesh scenario seed " << seed << "\n";
      return;
    }
  }
  std::cout << "mesh: " << stats.scenarios << " scenarios, " << stats.ops << " ops, " << stats.conflicts
            << " conflict records (" << stats.resolutions << " resolved), each merged in 3 orders + by every device\n";
}

}  // namespace
}  // namespace rapidesk::sync
