// A mutex that a reader walking shared state in slices takes again only after the threads
// already waiting for it have had their turn.
//
// std::mutex lets the thread that has just unlocked take the lock straight back before a
// woken waiter runs, so a report reading every request in slices of 512 still kept a push
// waiting for most of its slices (p99 358 ms over 100k requests, `rapidesk-bench
// report-wait`). lock() counts its caller as waiting until it holds the mutex;
// lock_after_waiters() waits (sleeping) for as many lock() entries as it saw callers
// waiting, then competes for the mutex, so a steady stream of pushes cannot starve the
// reader. (A push that arrives later may take one of those turns: std::mutex is not
// first come, first served.) Readers do not count as waiters, so two reports do not let
// each other in ahead of a push.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

namespace rapidesk::server {

class YieldingMutex {
 public:
  void lock() {
    waiting_.fetch_add(1);
    mutex_.lock();
    waiting_.fetch_sub(1);
    // After the decrement: a reader that saw this thread waiting wakes to a smaller count.
    entries_.fetch_add(1);
    entries_.notify_all();
  }
  bool try_lock() { return mutex_.try_lock(); }
  void unlock() { mutex_.unlock(); }

  // Locks once the lock() callers waiting now have entered (or none waits any more). For a
  // reader between two slices; pair with std::lock_guard(m, std::adopt_lock).
  void lock_after_waiters() {
    // Waiters first: one that enters between the two reads is then counted in `seen` and
    // not in `waiting`'s turns, and at worst this waits for one entry more. The other
    // order let its entry stand for the turn of a waiter still waiting.
    const std::uint64_t waiting = waiting_.load();
    const std::uint64_t seen = entries_.load();
    readers_looking_.fetch_add(1);
    for (;;) {
      const std::uint64_t now = entries_.load();
      if (now - seen >= waiting || waiting_.load() == 0) break;
      entries_.wait(now);  // every entry of a waiter changes entries_ and wakes this
    }
    readers_looking_.fetch_sub(1);
    mutex_.lock();
  }

  // Threads inside lock() that do not hold the mutex yet; readers inside
  // lock_after_waiters() that have counted them and not yet let them all in.
  std::uint64_t waiting() const { return waiting_.load(); }
  std::uint64_t readers_looking() const { return readers_looking_.load(); }

 private:
  std::mutex mutex_;
  std::atomic<std::uint64_t> waiting_{0};
  std::atomic<std::uint64_t> entries_{0};  // times lock() took the mutex
  std::atomic<std::uint64_t> readers_looking_{0};
};

}  // namespace rapidesk::server
