// The next deadline of every open timer, in a binary min-heap indexed by timer id, so that
// moving or cancelling a timer is O(log n) and firing is O(log n) per timer — no full scan
// per tick. Timer ids are dense small integers given out by the caller (e.g. request slot *
// timer kinds + kind), which keeps the index a plain array. Both arrays grow with realloc
// (PodVector): the index holds a few dozen ids per request, and a doubling that copied and
// faulted in megabytes stalled the push that scheduled the timer.
//
// Not thread-safe: the SLA engine owns one and touches it from its own strand.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "rapidesk/shared/pod_vector.h"
#include "rapidesk/shared/time.h"

namespace rapidesk::sla {

using TimerId = std::uint32_t;

struct DueTimer {
  TimerId id = 0;
  Instant due = 0;
  bool operator==(const DueTimer&) const = default;
};

class DeadlineHeap {
 public:
  // Sets timer `id` to fire at `due`, inserting it or moving it.
  void upsert(TimerId id, Instant due);
  // Removes timer `id`; false if it was not scheduled.
  bool cancel(TimerId id);
  bool contains(TimerId id) const { return id < position_.size() && position_[id] != kAbsent; }
  std::optional<DueTimer> next() const;
  // Removes and returns every timer with due <= now, earliest first (ties by id).
  std::vector<DueTimer> pop_due(Instant now);
  size_t size() const { return heap_.size(); }
  void reserve(size_t timers);
  // Builds the heap from scratch in O(n) (start-up load). Replaces the current content;
  // later entries for the same id win.
  void assign(std::vector<DueTimer> timers);

 private:
  static constexpr std::int32_t kAbsent = -1;
  bool less(size_t a, size_t b) const {
    return heap_[a].due < heap_[b].due || (heap_[a].due == heap_[b].due && heap_[a].id < heap_[b].id);
  }
  void place(size_t index, DueTimer t);
  void sift_up(size_t index);
  void sift_down(size_t index);
  void remove_at(size_t index);

  PodVector<DueTimer> heap_;
  PodVector<std::int32_t> position_;  // timer id -> index in heap_, or kAbsent
};

}  // namespace rapidesk::sla
