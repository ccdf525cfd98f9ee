// ClientReplica keeps its visible state (confirmed + pending) current as pulls arrive
// instead of copying the confirmed state again: whatever the mix of edits, pushes, pulls,
// rejections and replays, visible() must equal the definition, the confirmed state with
// every pending op applied on top, in that order.
#include <gtest/gtest.h>

#include "rapidesk/sync/client_replica.h"
#include "rapidesk/sync/server_merge.h"
#include "test_support.h"

namespace rapidesk::sync {
namespace {

using testing::kT0;
using testing::ManualClock;
using testing::SplitMix;
using testing::str;

struct Device {
  std::string user;
  SplitMix random;
  ClientReplica replica;
  Device(const std::string& id, std::string who, std::uint64_t seed, ManualClock& clock)
      : user(std::move(who)),
        random(seed),
        replica(ClientOptions{id, user, 1}, clock.fn(), [this] { return random(); }) {}
};

// The visible state by its definition.
std::string defined_visible(const ClientReplica& r) {
  ReplicaStore state = r.confirmed();
  for (const PendingOp& p : r.pending()) state.apply(p.op);
  return state.canonical_bytes();
}

const char* const kStatuses[] = {"new", "triaged", "in_progress", "waiting_customer", "resolved", "closed", "reopened"};
const char* const kTags[] = {"vip", "repeat", "onsite"};

// One random edit of one of the shared requests (refusals, e.g. an invalid transition, are
// part of the game: they must leave the visible state as it was).
void random_edit(Device& d, const std::vector<std::string>& rows, SplitMix& rng) {
  const std::string& row = rows[rng.below(rows.size())];
  switch (rng.below(6)) {
    case 0: (void)d.replica.set_field("request", row, "title", str(rng.chance(0.5) ? "Printer" : "Scanner")); break;
    case 1: (void)d.replica.set_field("request", row, "status", str(kStatuses[rng.below(std::size(kStatuses))])); break;
    case 2: (void)d.replica.add_element("request", row, "tags", kTags[rng.below(3)]); break;
    case 3: (void)d.replica.remove_element("request", row, "tags", kTags[rng.below(3)]); break;
    case 4: (void)d.replica.set_field("request", row, "progress", Value::integer(static_cast<std::int64_t>(rng.below(100)))); break;
    default: {
      // An activity entry: append-only fields, one writer.
      const std::string activity = d.replica.new_row_id();
      const FieldEdit entry[] = {{"request_id", Value::string(row)}, {"kind", str("note")}, {"text", str("called")}};
      (void)d.replica.edit("activity", activity, entry);
    }
  }
}

TEST(VisibleState, FollowsPullsAsIfRebuiltFromConfirmedAndPending) {
  for (const std::uint64_t seed : testing::scenario_seeds(1, 200)) {
    SCOPED_TRACE("seed " + std::to_string(seed) + " (RAPIDESK_SEED=" + std::to_string(seed) + " repeats it)");
    SplitMix rng(seed);
    ManualClock clock;
    ServerMerge server(clock.fn());
    std::vector<std::unique_ptr<Device>> devices;
    for (int i = 0; i < 3; ++i) {
      devices.push_back(std::make_unique<Device>("dev-" + std::to_string(i), "user" + std::to_string(i), seed * 10 + i, clock));
    }
    // Requests everyone edits, known to all.
    std::vector<std::string> rows;
    for (int i = 0; i < 3; ++i) {
      Device& maker = *devices[0];
      rows.push_back(maker.replica.new_row_id());
      const FieldEdit intake[] = {{"title", str("Request")}, {"status", str("new")}, {"category", str("service")}};
      ASSERT_TRUE(maker.replica.edit("request", rows.back(), intake));
    }
    devices[0]->replica.on_push_result(server.push(devices[0]->replica.next_push(), devices[0]->user));
    for (auto& d : devices) {
      bool more = true;
      while (more) ASSERT_TRUE(d->replica.on_pull(server.pull(d->replica.cursor(), 1000, &more)));
    }
    for (int step = 0; step < 60; ++step) {
      clock.now += static_cast<std::int64_t>(rng.below(50));
      Device& d = *devices[rng.below(devices.size())];
      switch (rng.below(5)) {
        case 0:
        case 1: random_edit(d, rows, rng); break;
        case 2: {
          const std::vector<FieldOp> batch = d.replica.next_push(1 + rng.below(6));
          if (batch.empty()) break;
          const PushResult result = server.push(batch, d.user);
          if (rng.chance(0.8)) d.replica.on_push_result(result);  // else the answer is lost
          break;
        }
        default: {
          // A page of a pull, sometimes from an older cursor (a replay).
          const std::uint64_t from = rng.chance(0.2) && d.replica.cursor() > 3 ? d.replica.cursor() - 3 : d.replica.cursor();
          bool more = false;
          ASSERT_TRUE(d.replica.on_pull(server.pull(from, 1 + rng.below(8), &more)));
        }
      }
      // Only sometimes: reading visible() rebuilds it when stale, which is a path too.
      if (rng.chance(0.3)) {
        ASSERT_EQ(d.replica.visible().canonical_bytes(), defined_visible(d.replica)) << "step " << step;
      }
    }
    for (auto& d : devices) ASSERT_EQ(d->replica.visible().canonical_bytes(), defined_visible(d->replica));
  }
}

TEST(VisibleState, AnEditAfterAPullSeesThePulledValuesWithoutARebuild) {
  ManualClock clock;
  ServerMerge server(clock.fn());
  Device a("laptop-li", "li.wei", 1, clock);
  Device b("tablet-wang", "wang.fang", 2, clock);
  const std::string first = a.replica.new_row_id();
  ASSERT_TRUE(a.replica.set_field("request", first, "title", str("Scanner")));
  a.replica.on_push_result(server.push(a.replica.next_push(), a.user));
  // b edits (so it owns a visible state), then pulls a's request and edits it.
  const std::string mine = b.replica.new_row_id();
  ASSERT_TRUE(b.replica.set_field("request", mine, "title", str("Mine")));
  bool more = true;
  while (more) ASSERT_TRUE(b.replica.on_pull(server.pull(b.replica.cursor(), 1000, &more)));
  EXPECT_EQ(b.replica.visible().read("request", first, "title")->value, str("Scanner"));
  EXPECT_EQ(b.replica.visible().read("request", mine, "title")->value, str("Mine"));
  ASSERT_TRUE(b.replica.set_field("request", first, "progress", Value::integer(30)));
  EXPECT_EQ(b.replica.visible().canonical_bytes(), defined_visible(b.replica));
}

}  // namespace
}  // namespace rapidesk::sync
