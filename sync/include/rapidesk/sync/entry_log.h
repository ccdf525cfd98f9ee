// EntryLog: the server's accepted log entries, numbered from 1. An entry names its op in the
// server's store, which keeps every op it applied (ReplicaStore), instead of holding a copy
// of it: 8 bytes per entry where a copy took about 600 (a FieldOp of 336 bytes and the heap
// strings it owns). A server holds its whole log in memory, so that was most of its memory,
// and on a virtual machine, where the kernel zeroes fresh memory at well under 1 GB/s,
// faulting it in was about a tenth of the server's time merging pushes.
//
// Reading: view(i) reads an entry in place (string views into the store, valid until the
// store changes), for the merge's bookkeeping; operator[] and the iterators build a whole
// LogEntry, for pulls and tests. Either reads the store, so only under the lock guarding it.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <iterator>

#include "rapidesk/shared/pod_vector.h"
#include "rapidesk/sync/protocol.h"
#include "rapidesk/sync/replica_store.h"

namespace rapidesk::sync {

// One log entry read in place.
struct EntryView {
  std::uint64_t seq = 0;
  Outcome outcome = Outcome::kApplied;
  OpView op;
};

class EntryLog {
 public:
  // Random-access iterator over a log (read only); dereferencing builds the entry.
  class const_iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = LogEntry;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = LogEntry;

    const_iterator() = default;
    const_iterator(const EntryLog* log, std::size_t index) : log_(log), index_(index) {}

    LogEntry operator*() const { return (*log_)[index_]; }
    LogEntry operator[](difference_type n) const { return (*log_)[offset(n)]; }
    const_iterator& operator++() { ++index_; return *this; }
    const_iterator operator++(int) { auto old = *this; ++index_; return old; }
    const_iterator& operator--() { --index_; return *this; }
    const_iterator operator--(int) { auto old = *this; --index_; return old; }
    const_iterator& operator+=(difference_type n) { index_ = offset(n); return *this; }
    const_iterator& operator-=(difference_type n) { index_ = offset(-n); return *this; }
    friend const_iterator operator+(const_iterator it, difference_type n) { return it += n; }
    friend const_iterator operator+(difference_type n, const_iterator it) { return it += n; }
    friend const_iterator operator-(const_iterator it, difference_type n) { return it -= n; }
    friend difference_type operator-(const const_iterator& a, const const_iterator& b) {
      return static_cast<difference_type>(a.index_) - static_cast<difference_type>(b.index_);
    }
    friend bool operator==(const const_iterator& a, const const_iterator& b) { return a.index_ == b.index_; }
    friend auto operator<=>(const const_iterator& a, const const_iterator& b) { return a.index_ <=> b.index_; }

   private:
    std::size_t offset(difference_type n) const {
      return static_cast<std::size_t>(static_cast<difference_type>(index_) + n);
    }
    const EntryLog* log_ = nullptr;
    std::size_t index_ = 0;
  };

  // The log of the ops `store` holds; it must outlive the log (ServerMerge owns both).
  explicit EntryLog(const ReplicaStore& store) : store_(&store) {}
  // Bound to one store: neither copied nor moved with it.
  EntryLog(const EntryLog&) = delete;
  EntryLog& operator=(const EntryLog&) = delete;

  std::size_t size() const { return slots_.size(); }
  bool empty() const { return slots_.empty(); }
  // REQUIRES: i < size().
  EntryView view(std::size_t i) const { return {i + 1, slots_[i].outcome, store_->op_view(slots_[i].op)}; }
  LogEntry operator[](std::size_t i) const { return {i + 1, store_->op_at(slots_[i].op), slots_[i].outcome}; }
  // REQUIRES: !empty().
  LogEntry back() const { return (*this)[size() - 1]; }
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size()}; }

  // Appends the entry of the store's op `op`, merged with `outcome`.
  // Cannot fail after make_room_for_one().
  void push_back(OpIndex op, Outcome outcome) { slots_.push_back(Slot{op, outcome}); }
  // Room for one more entry (may throw std::bad_alloc; changes nothing else).
  void make_room_for_one() { slots_.make_room_for(1); }

 private:
  struct Slot {
    OpIndex op = 0;
    Outcome outcome = Outcome::kApplied;
  };

  const ReplicaStore* store_;
  PodVector<Slot> slots_;
};

}  // namespace rapidesk::sync
