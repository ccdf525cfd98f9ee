// PodVector: a growable array of trivially copyable values, grown in place where it can be.
// The merge store keeps its ops, rows and field histories in a few large arrays, the SLA
// engine its deadline heap. Grown as a std::vector, each doubling allocates a new block,
// copies the whole array into it and frees the old one, under the server's merge lock.
// A PodVector's block comes from large_blocks.h: a large one grows by remapping its pages,
// never copying them, and uses huge pages where the kernel allows; a small one grows with
// realloc. A large block also has its next few MiB faulted in by a background thread while
// the ones before are being filled (fault_in_ahead), so the thread filling it, the merge
// under its lock, does not wait for the kernel to zero fresh pages. Only the std::vector
// operations the store uses are provided; resize() value-initialises new elements, like
// std::vector.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

#include "rapidesk/shared/large_blocks.h"

namespace rapidesk {

template <typename T>
class PodVector {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>,
                "PodVector moves its values as bytes");

 public:
  using value_type = T;
  using iterator = T*;
  using const_iterator = const T*;

  PodVector() = default;
  PodVector(const PodVector& other) { *this = other; }
  PodVector(PodVector&& other) noexcept { swap(other); }
  // A copy keeps the source's capacity: the copy of a merged state is edited next, and
  // room it lacked would cost a regrowth (a copy for a small block, a remapping for a large
  // one) at the first edit. Capacity beyond the size is not touched, so a large block's
  // takes address space, not memory.
  PodVector& operator=(const PodVector& other) {
    if (this != &other) {
      clear();
      reserve(other.capacity_);
      if (other.size_ != 0) std::memcpy(data_, other.data_, other.size_ * sizeof(T));
      size_ = other.size_;
    }
    return *this;
  }
  PodVector& operator=(PodVector&& other) noexcept {
    PodVector(std::move(other)).swap(*this);
    return *this;
  }
  ~PodVector() { release(); }

  void swap(PodVector& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
    std::swap(limit_, other.limit_);
    std::swap(faulted_, other.faulted_);
  }

  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }
  bool empty() const { return size_ == 0; }
  T* data() { return data_; }
  const T* data() const { return data_; }
  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }
  T& front() { return data_[0]; }
  const T& front() const { return data_[0]; }
  T& back() { return data_[size_ - 1]; }
  const T& back() const { return data_[size_ - 1]; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }

  void push_back(const T& v) {
    if (size_ >= limit_) make_room(size_ + 1);
    data_[size_++] = v;
  }
  template <typename... Args>
  T& emplace_back(Args&&... args) {
    if (size_ >= limit_) make_room(size_ + 1);
    return data_[size_++] = T{std::forward<Args>(args)...};
  }
  // Room for `more` values past the end: the next `more` appends cannot fail.
  void make_room_for(std::size_t more) {
    if (size_ + more > limit_) make_room(size_ + more);
  }
  void pop_back() { --size_; }
  void clear() { size_ = 0; }
  // Room for n values; unlike std::vector's, a large block may still grow (and move) before
  // it is full, when its fault-in lead reaches its end.
  void reserve(std::size_t n) {
    if (n > capacity_) reallocate(n);
  }
  void resize(std::size_t n) { resize(n, T{}); }
  void resize(std::size_t n, const T& v) {
    if (n > limit_) make_room(n);
    for (std::size_t i = size_; i < n; ++i) data_[i] = v;
    size_ = n;
  }
  void assign(std::size_t n, const T& v) {
    clear();
    resize(n, v);
  }
  // Appends [first, last), which must not point into this array.
  void append(const T* first, const T* last) {
    const auto n = static_cast<std::size_t>(last - first);
    if (size_ + n > limit_) make_room(size_ + n);
    if (n != 0) std::memcpy(data_ + size_, first, n * sizeof(T));
    size_ += n;
  }

 private:
  // How far ahead of the filled part a large block is faulted in; a new request goes out
  // each time half of that has been filled.
  static constexpr std::size_t kFaultLeadBytes = std::size_t{4} << 20;
  // From this size a block grows early (see make_room): half the huge-page size, so that
  // its first growth to huge pages leaves room for the lead too.
  static constexpr std::size_t kEarlyGrowthBytes = kHugePageAdviceBytes / 2;

  // The slow path of every growing operation: makes room for `n` elements, then asks for
  // the bytes up to kFaultLeadBytes past them to be faulted in, and sets the limit at which
  // the fast path next comes here.
  void make_room(std::size_t n) {
    std::size_t target = n > capacity_ ? std::max({n, capacity_ * 2, std::size_t{16}}) : capacity_;
    // A block of 2 MiB and up grows until the fault-in lead fits before its end, not when it
    // is full: growing copies nothing, and the pages past the old end are then faulted in
    // before the filling thread gets there. Doubling only when full left it to fault them
    // itself, a few milliseconds at once under the merge lock; so did a block's first growth
    // to huge pages (at 2 to 4 MiB), which therefore goes straight to 8 MiB.
    while (target * sizeof(T) >= kEarlyGrowthBytes && n * sizeof(T) + kFaultLeadBytes >= target * sizeof(T)) {
      target *= 2;
    }
    if (target != capacity_) reallocate(target);
    const std::size_t bytes = capacity_ * sizeof(T);
    if (bytes < kHugePageAdviceBytes) {
      limit_ = capacity_;
      return;
    }
    const std::size_t wanted = std::min(bytes, n * sizeof(T) + kFaultLeadBytes);
    if (wanted > faulted_) {
      fault_in_ahead(data_, bytes, std::max(faulted_, n * sizeof(T)), wanted);
      faulted_ = wanted;
    }
    limit_ = faulted_ == bytes ? capacity_ : std::max(n, (faulted_ - kFaultLeadBytes / 2) / sizeof(T));
  }

  void reallocate(std::size_t n) {
    data_ = static_cast<T*>(resize_block(data_, capacity_ * sizeof(T), n * sizeof(T)));
    capacity_ = n;
    // Pending fault-ins were dropped with the old place; filled pages moved along.
    faulted_ = std::min(faulted_, size_ * sizeof(T));
    limit_ = std::min(limit_, size_);
  }

  void release() {
    free_block(data_, capacity_ * sizeof(T));
    data_ = nullptr;
    size_ = capacity_ = limit_ = faulted_ = 0;
  }

  T* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
  std::size_t limit_ = 0;    // size_ <= limit_ <= capacity_ unless size_ just changed: then the fast path stops here
  std::size_t faulted_ = 0;  // bytes of a large block asked to be faulted in (or filled)
};

}  // namespace rapidesk
