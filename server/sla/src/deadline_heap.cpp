#include "rapidesk/sla/deadline_heap.h"

#include <utility>

namespace rapidesk::sla {

void DeadlineHeap::reserve(size_t timers) {
  heap_.reserve(timers);
  position_.reserve(timers);
}

void DeadlineHeap::place(size_t index, DueTimer t) {
  heap_[index] = t;
  position_[t.id] = static_cast<std::int32_t>(index);
}

void DeadlineHeap::sift_up(size_t index) {
  const DueTimer moving = heap_[index];
  while (index > 0) {
    const size_t parent = (index - 1) / 2;
    const DueTimer& p = heap_[parent];
    if (p.due < moving.due || (p.due == moving.due && p.id < moving.id)) break;
    place(index, p);
    index = parent;
  }
  place(index, moving);
}

void DeadlineHeap::sift_down(size_t index) {
  const size_t n = heap_.size();
  const DueTimer moving = heap_[index];
  while (true) {
    size_t child = 2 * index + 1;
    if (child >= n) break;
    if (child + 1 < n && less(child + 1, child)) ++child;
    const DueTimer& c = heap_[child];
    if (moving.due < c.due || (moving.due == c.due && moving.id < c.id)) break;
    place(index, c);
    index = child;
  }
  place(index, moving);
}

void DeadlineHeap::upsert(TimerId id, Instant due) {
  if (id >= position_.size()) position_.resize(static_cast<size_t>(id) + 1, kAbsent);
  const std::int32_t pos = position_[id];
  if (pos == kAbsent) {
    heap_.push_back(DueTimer{id, due});
    position_[id] = static_cast<std::int32_t>(heap_.size() - 1);
    sift_up(heap_.size() - 1);
    return;
  }
  const Instant old = heap_[pos].due;
  heap_[pos].due = due;
  if (due < old) sift_up(pos);
  else sift_down(pos);
}

void DeadlineHeap::remove_at(size_t index) {
  position_[heap_[index].id] = kAbsent;
  const DueTimer last = heap_.back();
  heap_.pop_back();
  if (index == heap_.size()) return;
  place(index, last);
  sift_down(index);
  sift_up(position_[last.id]);
}

bool DeadlineHeap::cancel(TimerId id) {
  if (!contains(id)) return false;
  remove_at(position_[id]);
  return true;
}

std::optional<DueTimer> DeadlineHeap::next() const {
  if (heap_.empty()) return std::nullopt;
  return heap_.front();
}

std::vector<DueTimer> DeadlineHeap::pop_due(Instant now) {
  std::vector<DueTimer> fired;
  while (!heap_.empty() && heap_.front().due <= now) {
    fired.push_back(heap_.front());
    remove_at(0);
  }
  return fired;
}

void DeadlineHeap::assign(std::vector<DueTimer> timers) {
  for (const auto& t : heap_) position_[t.id] = kAbsent;
  heap_.clear();
  TimerId max_id = 0;
  for (const auto& t : timers) max_id = std::max(max_id, t.id);
  if (!timers.empty() && max_id >= position_.size()) position_.resize(static_cast<size_t>(max_id) + 1, kAbsent);
  heap_.reserve(timers.size());
  for (const auto& t : timers) {
    const std::int32_t pos = position_[t.id];
    if (pos != kAbsent) {
      heap_[pos].due = t.due;  // duplicate id: the later entry wins
    } else {
      position_[t.id] = static_cast<std::int32_t>(heap_.size());
      heap_.push_back(t);
    }
  }
  for (size_t i = heap_.size() / 2; i-- > 0;) sift_down(i);
}

}  // namespace rapidesk::sla
