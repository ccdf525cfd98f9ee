#include "rapidesk/sla/deadline_heap.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace rapidesk::sla {
namespace {

TEST(DeadlineHeap, FiresInDeadlineOrderOnce) {
  DeadlineHeap h;
  h.upsert(3, 300);
  h.upsert(1, 100);
  h.upsert(2, 200);
  EXPECT_EQ(h.pop_due(150), (std::vector<DueTimer>{{1, 100}}));
  EXPECT_EQ(h.pop_due(150), std::vector<DueTimer>{});
  EXPECT_EQ(h.pop_due(1000), (std::vector<DueTimer>{{2, 200}, {3, 300}}));
  EXPECT_EQ(h.size(), 0u);
}

TEST(DeadlineHeap, MoveAndCancel) {
  DeadlineHeap h;
  h.upsert(1, 100);
  h.upsert(2, 200);
  h.upsert(1, 300);  // re-agreed deadline moves the timer
  EXPECT_EQ(h.next()->id, 2u);
  EXPECT_TRUE(h.cancel(2));
  EXPECT_FALSE(h.cancel(2));
  EXPECT_FALSE(h.contains(2));
  EXPECT_EQ(h.pop_due(1000), (std::vector<DueTimer>{{1, 300}}));
}

TEST(DeadlineHeap, MatchesAReferenceModelUnderRandomOperations) {
  std::mt19937_64 rng(20261123);
  DeadlineHeap h;
  std::map<TimerId, Instant> model;
  Instant now = 0;
  for (int step = 0; step < 20000; ++step) {
    const TimerId id = static_cast<TimerId>(rng() % 500);
    switch (rng() % 4) {
      case 0:
      case 1: {
        const Instant due = now + static_cast<Instant>(rng() % 10000);
        h.upsert(id, due);
        model[id] = due;
        break;
      }
      case 2:
        EXPECT_EQ(h.cancel(id), model.erase(id) == 1);
        break;
      case 3: {
        now += static_cast<Instant>(rng() % 200);
        std::vector<DueTimer> expected;
        for (auto it = model.begin(); it != model.end();) {
          if (it->second <= now) {
            expected.push_back({it->first, it->second});
            it = model.erase(it);
          } else {
            ++it;
          }
        }
        std::sort(expected.begin(), expected.end(),
                  [](const DueTimer& a, const DueTimer& b) { return a.due < b.due || (a.due == b.due && a.id < b.id); });
        ASSERT_EQ(h.pop_due(now), expected) << "step " << step;
        break;
      }
    }
    ASSERT_EQ(h.size(), model.size());
  }
}

TEST(DeadlineHeap, BulkAssignBuildsAValidHeap) {
  DeadlineHeap h;
  h.upsert(7, 1);
  h.assign({{5, 50}, {1, 10}, {9, 90}, {5, 5}});
  EXPECT_FALSE(h.contains(7));
  EXPECT_EQ(h.pop_due(100), (std::vector<DueTimer>{{5, 5}, {1, 10}, {9, 90}}));
}

}  // namespace
}  // namespace rapidesk::sla
