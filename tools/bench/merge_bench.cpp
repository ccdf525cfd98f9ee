// rapidesk-bench merge: throughput of the sync merge on a realistic offline-edit workload,
// against a plain std::unordered_map overwrite of the same operations in the same run.
//
// Workload (seeded): R requests x 25 fields written by a seed device; D replicas each make
// E single-field edits (records Zipf-distributed, ~20% of edits on fields every replica
// edits, so concurrent edits and conflict records occur; 1% deletes / undeletes), each
// stamped by the replica's own HybridClock with the base it saw. All D*E ops are merged
// into a copy of the seeded store, as one batch and in batches of 1,000, in three shuffled
// arrival orders; the six final state hashes must be equal.
#ifdef RAPIDESK_HAVE_SYNC

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench.h"
#include "rapidesk/sync/codec.h"
#include "rapidesk/sync/hlc.h"
#include "rapidesk/sync/replica_store.h"
#include "rapidesk/sync/uuid.h"

namespace rapidesk::bench {
namespace {

using sync::FieldOp;
using sync::Value;

constexpr std::int64_t kSeedTime = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
constexpr std::size_t kBatchOps = 1000;

// The 25 request fields the workload writes. The first five are edited by every replica
// (the overlap); the other twenty are split two per replica. Status (order-dependent, server
// validated) and server-owned fields are left out so that any arrival order must converge.
constexpr std::string_view kFields[] = {
    "title", "priority", "owner", "description", "tags",                       // shared
    "customer", "customer_id", "contact", "industry", "tier", "channel", "category",
    "priority_reason", "impact", "background", "contacted_at", "expected_at", "status_reason",
    "team", "collaborators", "progress", "satisfaction", "feedback", "priority_override_by", "deleted"};
constexpr std::size_t kFieldCount = std::size(kFields);
constexpr std::size_t kSharedFields = 5;
constexpr std::size_t kDeletedField = kFieldCount - 1;

Value value_for(std::string_view field, std::uint64_t n) {
  static constexpr std::string_view kPriorities[] = {"urgent", "high", "medium", "low"};
  static constexpr std::string_view kTiers[] = {"strategic", "vip", "regular", "new"};
  static constexpr std::string_view kChannels[] = {"phone", "email", "chat", "visit", "web_form", "app", "other"};
  static constexpr std::string_view kCategories[] = {"consultation", "complaint", "suggestion", "feature",
                                                     "service", "tech_support", "other"};
  static constexpr std::string_view kImpacts[] = {"single_user", "team", "site", "company"};
  const auto pick = [n](const auto& list) { return Value::string(std::string(list[n % std::size(list)])); };
  if (field == "priority") return pick(kPriorities);
  if (field == "tier") return pick(kTiers);
  if (field == "channel") return pick(kChannels);
  if (field == "category") return pick(kCategories);
  if (field == "impact") return pick(kImpacts);
  if (field == "progress") return Value::integer(static_cast<std::int64_t>(n % 101));
  if (field == "satisfaction") return Value::integer(static_cast<std::int64_t>(1 + n % 5));
  if (field == "deleted") return Value::boolean(n % 10 != 0);  // mostly deletes, some undeletes
  if (field == "contacted_at" || field == "expected_at") {
    char buf[40];
    std::snprintf(buf, sizeof buf, "2026-%02d-%02dT%02d:%02d:00+08:00", static_cast<int>(1 + n % 12),
                  static_cast<int>(1 + n % 28), static_cast<int>(n % 24), static_cast<int>(n % 60));
    return Value::string(buf);
  }
  if (field == "tags" || field == "collaborators") {
    std::string element(n % 4 == 0 ? "-" : "+");  // appended, not prepended: GCC 12 -Wrestrict
    element += field == "tags" ? "tag-" : "user.";
    element += std::to_string(n % 8);
    return Value::string(std::move(element));
  }
  if (field == "owner" || field == "team" || field == "priority_override_by" || field == "customer_id") {
    return Value::string("name-" + std::to_string(n % 50));
  }
  return Value::string("text " + std::to_string(n) + " for " + std::string(field));
}

struct Workload {
  std::vector<FieldOp> seed;
  std::vector<FieldOp> edits;
};

Workload make_workload(std::uint64_t seed, std::size_t requests, std::size_t replicas, std::size_t edits_each) {
  std::mt19937_64 rng(seed);
  Workload w;
  std::vector<std::string> rows;
  rows.reserve(requests);
  sync::RandomSource random = [&rng] { return rng(); };
  for (std::size_t r = 0; r < requests; ++r) rows.push_back(sync::make_uuid_v7(kSeedTime - 86'400'000 + static_cast<std::int64_t>(r), random));

  // Seed: every field of every request, base unset.
  std::vector<sync::Stamp> seed_stamp(requests);
  w.seed.reserve(requests * kFieldCount);
  std::int64_t seed_ms = kSeedTime - 3'600'000;
  sync::HybridClock seed_clock("seed", [&seed_ms] { return seed_ms; });
  std::uint64_t seq = 0;
  for (std::size_t r = 0; r < requests; ++r) {
    seed_ms += 1;
    const sync::Stamp stamp = seed_clock.now();  // one stamp per request: all fields written together
    seed_stamp[r] = stamp;
    for (std::size_t f = 0; f < kFieldCount; ++f) {
      FieldOp op;
      op.op = sync::make_op_id("seed", ++seq);
      op.entity = "request";
      op.row = rows[r];
      op.field = std::string(kFields[f]);
      op.value = f == kDeletedField ? Value::boolean(false) : value_for(kFields[f], r * 31 + f);
      if (op.field == "tags" || op.field == "collaborators") op.value = Value::string("+seed-" + std::to_string(r % 5));
      op.hlc = stamp;
      op.author = "importer";
      w.seed.push_back(std::move(op));
    }
  }

  // Zipf(s = 1) over records.
  std::vector<double> cdf(requests);
  double total = 0;
  for (std::size_t r = 0; r < requests; ++r) cdf[r] = (total += 1.0 / static_cast<double>(r + 1));
  for (double& c : cdf) c /= total;
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<std::size_t> permutation(requests);  // so hot records are not the oldest ones
  for (std::size_t r = 0; r < requests; ++r) permutation[r] = r;
  std::shuffle(permutation.begin(), permutation.end(), rng);

  w.edits.reserve(replicas * edits_each);
  for (std::size_t d = 0; d < replicas; ++d) {
    const std::string device = "dev-" + std::to_string(d);
    const std::string author = "user." + std::to_string(d);
    std::int64_t now = kSeedTime + static_cast<std::int64_t>(rng() % 2000) - 1000;  // clocks within 1 s
    sync::HybridClock clock(device, [&now] { return now; });
    std::unordered_map<std::uint64_t, sync::Stamp> seen;  // this replica's own last write per field
    for (std::size_t i = 0; i < edits_each; ++i) {
      now += 1 + static_cast<std::int64_t>(rng() % 20);
      const std::size_t r = permutation[static_cast<std::size_t>(std::lower_bound(cdf.begin(), cdf.end(), unit(rng)) - cdf.begin())];
      const double pick = unit(rng);
      std::size_t f;
      if (pick < 0.01) {
        f = kDeletedField;
      } else if (pick < 0.21) {
        f = rng() % kSharedFields;
      } else {
        f = kSharedFields + 2 * (d % 10) + rng() % 2;  // this replica's own two fields
        if (f >= kDeletedField) f = kSharedFields;
      }
      FieldOp op;
      op.op = sync::make_op_id(device, i + 1);
      op.entity = "request";
      op.row = rows[r];
      op.field = std::string(kFields[f]);
      op.value = value_for(kFields[f], rng());
      op.hlc = clock.now();
      const std::uint64_t key = r * kFieldCount + f;
      auto it = seen.find(key);
      op.base = it != seen.end() ? it->second : seed_stamp[r];
      seen[key] = op.hlc;
      op.author = author;
      w.edits.push_back(std::move(op));
    }
  }
  return w;
}

std::string hex64(std::uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, v);
  return buf;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int run(const Args& args) {
  const std::uint64_t seed = std::stoull(arg_value(args, "--seed", "42"));
  const std::size_t requests = std::stoul(arg_value(args, "--requests", "10000"));
  const std::size_t replicas = std::stoul(arg_value(args, "--replicas", "10"));
  const std::size_t edits = std::stoul(arg_value(args, "--edits", "10000"));

  std::fprintf(stderr, "merge: generating %zu requests x %zu fields, %zu replicas x %zu edits (seed %" PRIu64 ")\n",
               requests, kFieldCount, replicas, edits, seed);
  const Workload w = make_workload(seed, requests, replicas, edits);

  const std::string emit = arg_value(args, "--emit-workload");
  if (!emit.empty()) {
    std::ofstream out(emit, std::ios::binary);
    for (const auto* list : {&w.seed, &w.edits}) {
      for (const FieldOp& op : *list) out << sync::encode_op(op, sync::OpEncoding::kWithAuthor) << '\n';
    }
    if (!out) {
      std::fprintf(stderr, "merge: cannot write %s / 无法写入 %s\n", emit.c_str(), emit.c_str());
      return 1;
    }
    std::fprintf(stderr, "merge: wrote %zu seed + %zu edit ops as JSON lines to %s\n", w.seed.size(), w.edits.size(),
                 emit.c_str());
  }

  sync::ReplicaStore seeded;
  std::vector<sync::MergeResult> seed_results;
  seeded.apply_batch(w.seed, &seed_results);
  for (const auto& r : seed_results) {
    if (r.outcome != sync::Outcome::kApplied) {
      std::fprintf(stderr, "merge: seed op not applied: %s\n", r.status.message().en.c_str());
      return 1;
    }
  }
  std::unordered_map<std::string, Value> baseline_seeded;
  baseline_seeded.reserve(w.seed.size() * 2);
  for (const FieldOp& op : w.seed) baseline_seeded[op.row + '/' + op.field] = op.value;

  std::vector<double> sync_rates;
  std::vector<double> baseline_rates;
  std::vector<std::uint64_t> hashes;
  std::size_t conflicts = 0;
  std::size_t outcome_counts[6] = {};
  std::mt19937_64 shuffle_rng(seed ^ 0x5eed);
  for (int order = 0; order < 3; ++order) {
    // The ops in arrival order, copied in that order: like a decoded push or pull page,
    // each op's strings lie near its neighbours'. (Shuffling the FieldOps in place would
    // leave their strings where the generator put them, scattered over tens of MB.)
    std::vector<std::size_t> order_of(w.edits.size());
    for (std::size_t i = 0; i < order_of.size(); ++i) order_of[i] = i;
    std::shuffle(order_of.begin(), order_of.end(), shuffle_rng);
    std::vector<FieldOp> ops;
    ops.reserve(w.edits.size());
    for (std::size_t i : order_of) ops.push_back(w.edits[i]);
    const double n = static_cast<double>(ops.size());

    for (const bool batched : {false, true}) {
      sync::ReplicaStore store = seeded;
      store.reserve(ops.size());  // as a long-running store would have room already
      std::vector<sync::MergeResult> results;
      reserve_touched(results, ops.size());  // the server reuses its result buffer
      const double t0 = now_seconds();
      if (batched) {
        for (std::size_t i = 0; i < ops.size(); i += kBatchOps) {
          const std::size_t len = std::min(kBatchOps, ops.size() - i);
          store.apply_batch(std::span<const FieldOp>(ops.data() + i, len), &results);
        }
      } else {
        store.apply_batch(ops, &results);
      }
      const double t = now_seconds() - t0;
      sync_rates.push_back(n / t);
      hashes.push_back(store.state_hash());
      if (order == 0 && !batched) {
        for (const auto& r : results) ++outcome_counts[static_cast<int>(r.outcome)];
        conflicts = store.conflicts().size();
      }
      std::fprintf(stderr, "merge: order %d %-10s %8.3f ms  %10.0f ops/s  state %s\n", order,
                   batched ? "1k-batches" : "one-batch", t * 1e3, n / t, hex64(hashes.back()).c_str());
    }

    auto baseline = baseline_seeded;
    std::string key;
    const double t0 = now_seconds();
    for (const FieldOp& op : ops) {
      key.assign(op.row);
      key += '/';
      key += op.field;
      auto [it, inserted] = baseline.try_emplace(key, op.value);
      if (!inserted) it->second = op.value;
    }
    const double t = now_seconds() - t0;
    baseline_rates.push_back(n / t);
    std::fprintf(stderr, "merge: order %d baseline   %8.3f ms  %10.0f ops/s  (%zu keys)\n", order, t * 1e3, n / t,
                 baseline.size());
  }

  std::fprintf(stderr,
               "merge: outcomes applied=%zu ignored_older=%zu applied_with_conflict=%zu conflict_recorded=%zu "
               "duplicate=%zu rejected=%zu; conflict records=%zu\n",
               outcome_counts[0], outcome_counts[1], outcome_counts[2], outcome_counts[3], outcome_counts[4],
               outcome_counts[5], conflicts);
  const bool converged = std::all_of(hashes.begin(), hashes.end(), [&](std::uint64_t h) { return h == hashes[0]; });
  if (!converged) {
    std::fprintf(stderr, "merge: FAILED: final states differ between arrival orders / 不同到达顺序的最终状态不一致\n");
  }
  if (outcome_counts[5] != 0) {
    std::fprintf(stderr, "merge: FAILED: %zu workload ops were rejected / 有操作被拒绝\n", outcome_counts[5]);
  }
  const double ops_per_s = median(sync_rates);
  const double baseline_ops_per_s = median(baseline_rates);
  std::printf("{\"bench\":\"merge\",\"ops_per_s\":%.0f,\"baseline_ops_per_s\":%.0f,\"ratio\":%.3f,\"state_hash\":\"%s\"}\n",
              ops_per_s, baseline_ops_per_s, ops_per_s / baseline_ops_per_s, hex64(hashes[0]).c_str());
  return converged && outcome_counts[5] == 0 ? 0 : 1;
}

}  // namespace
}  // namespace rapidesk::bench

static rapidesk::bench::Registration reg{{"merge",
                                          "sync merge of 100k offline edits (10 replicas, Zipf, conflicts) vs a plain "
                                          "unordered_map overwrite; --seed N --requests N --replicas N --edits N "
                                          "--emit-workload FILE",
                                          &rapidesk::bench::run}};

#endif  // RAPIDESK_HAVE_SYNC
