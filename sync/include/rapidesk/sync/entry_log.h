// EntryLog: the server's accepted log entries, numbered from 1, stored in fixed-size chunks.
// A std::vector doubles and moves every entry when it fills: with a few hundred thousand
// entries that is one push stalled for hundreds of milliseconds while the merge lock is
// held (and, with millions, for seconds, at 1.5x the memory). Chunks never move, so an
// append costs the same at any size and references to entries stay valid. Each chunk is a
// large block (large_blocks.h) that uses huge pages where the kernel allows: filling it then
// takes a page fault per 2 MiB of entries instead of one per 4 KiB, which on a virtual
// machine was a tenth of the server's time merging pushes.
//
// Even so, faulting a fresh chunk in (the kernel zeroing its pages) was still about a sixth
// of the time the server holds its merge lock. So once a log has filled a chunk, the chunk
// after the one it starts is allocated with it and faulted in by a background thread while
// entries go into the current one (fault_in_ahead, large_blocks.h). Small logs (a client's,
// a test's) never hold such a prepared chunk.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <new>
#include <utility>
#include <vector>

#include "rapidesk/shared/large_blocks.h"
#include "rapidesk/sync/protocol.h"

namespace rapidesk::sync {

class EntryLog {
 public:
  // Random-access iterator over a log (read only).
  class const_iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = LogEntry;
    using difference_type = std::ptrdiff_t;
    using pointer = const LogEntry*;
    using reference = const LogEntry&;

    const_iterator() = default;
    const_iterator(const EntryLog* log, std::size_t index) : log_(log), index_(index) {}

    reference operator*() const { return (*log_)[index_]; }
    pointer operator->() const { return &(*log_)[index_]; }
    reference operator[](difference_type n) const { return (*log_)[offset(n)]; }
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

  EntryLog() = default;
  EntryLog(const EntryLog& other) {
    for (const LogEntry& e : other) push_back(e);
  }
  EntryLog& operator=(const EntryLog& other) {
    if (this != &other) EntryLog(other).swap(*this);
    return *this;
  }
  EntryLog(EntryLog&& other) noexcept { swap(other); }
  EntryLog& operator=(EntryLog&& other) noexcept {
    EntryLog(std::move(other)).swap(*this);
    return *this;
  }
  ~EntryLog() {
    for (std::size_t i = 0; i < size_; ++i) slot(i)->~LogEntry();
    for (LogEntry* chunk : chunks_) free_block(chunk, kChunkBytes);
    free_block(next_, kChunkBytes);
  }
  void swap(EntryLog& other) noexcept {
    chunks_.swap(other.chunks_);
    std::swap(size_, other.size_);
    std::swap(next_, other.next_);
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // REQUIRES: i < size().
  const LogEntry& operator[](std::size_t i) const { return *slot(i); }
  // REQUIRES: !empty().
  const LogEntry& back() const { return (*this)[size_ - 1]; }
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size_}; }

  void push_back(LogEntry entry) {
    if (size_ == chunks_.size() * kChunkSize) {
      chunks_.reserve(chunks_.size() + 1);  // cannot throw once the chunk is allocated
      LogEntry* chunk = next_ != nullptr ? std::exchange(next_, nullptr) : allocate_chunk();
      chunks_.push_back(chunk);
      if (chunks_.size() > 1) prepare_next();
    }
    ::new (static_cast<void*>(slot(size_))) LogEntry(std::move(entry));
    ++size_;
  }

 private:
  static constexpr unsigned kChunkBits = 14;  // 16,384 entries (about 4.5 MB) per chunk
  static constexpr std::size_t kChunkSize = std::size_t{1} << kChunkBits;
  static constexpr std::size_t kChunkMask = kChunkSize - 1;
  static constexpr std::size_t kChunkBytes = kChunkSize * sizeof(LogEntry);

  static LogEntry* allocate_chunk() { return static_cast<LogEntry*>(allocate_zeroed_block(kChunkBytes)); }
  // Allocates the chunk after the last and asks for it to be faulted in; a hint, so running
  // out of memory here only leaves the next push_back to allocate its chunk itself.
  void prepare_next() noexcept;

  // Where entry i lives (or will be constructed). REQUIRES: its chunk is allocated.
  LogEntry* slot(std::size_t i) const { return chunks_[i >> kChunkBits] + (i & kChunkMask); }

  std::vector<LogEntry*> chunks_;  // each holds kChunkSize entries; the first size_ are live
  std::size_t size_ = 0;
  LogEntry* next_ = nullptr;  // the chunk after the last, faulted in ahead, or null
};

}  // namespace rapidesk::sync
