// A mutex that a reader walking shared state in slices takes again only after the threads
// already waiting for it have had their turn.
//
// std::mutex lets the thread that has just unlocked take the lock straight back before a
// woken waiter runs, so a report reading every request in slices of 512 still kept a push
// waiting for most of its slices (p99 358 ms over 100k requests, `rapidesk-bench
// report-wait`). lock() counts its caller as waiting until it holds the mutex;
// lock_after_waiters() lets the threads it sees waiting enter first (yielding meanwhile),
// but not the ones that arrive after it looked, so a steady stream of pushes cannot starve
// the reader.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>

namespace rapidesk::server {

class YieldingMutex {
 public:
  void lock() {
    waiting_.fetch_add(1);
    mutex_.lock();
    entered_.fetch_add(1);
    waiting_.fetch_sub(1);
  }
  bool try_lock() {
    if (!mutex_.try_lock()) return false;
    entered_.fetch_add(1);
    return true;
  }
  void unlock() { mutex_.unlock(); }

  // Locks once the threads waiting now have entered (or given up waiting). For a reader
  // between two slices; pair with std::lock_guard(m, std::adopt_lock).
  void lock_after_waiters() {
    const std::uint64_t entered = entered_.load();
    const std::uint64_t waiting = waiting_.load();
    while (waiting_.load() > 0 && entered_.load() - entered < waiting) std::this_thread::yield();
    mutex_.lock();
    entered_.fetch_add(1);
  }

  // Threads inside lock() that do not hold the mutex yet.
  std::uint64_t waiting() const { return waiting_.load(); }

 private:
  std::mutex mutex_;
  std::atomic<std::uint64_t> waiting_{0};
  std::atomic<std::uint64_t> entered_{0};  // times the mutex was taken
};

}  // namespace rapidesk::server
