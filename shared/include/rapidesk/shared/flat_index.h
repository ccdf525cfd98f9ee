// An open-addressing index from keys to 32-bit ids, for the merge hot path. The keys live
// elsewhere (in a store's arena); callers pass the key's hash and an equality test on ids,
// so the index itself never allocates per key. Not thread-safe.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>
#include <utility>

#include "rapidesk/shared/large_blocks.h"

namespace rapidesk {

// Grows v's capacity to size() + more and touches the new memory once, so that later
// appends neither reallocate nor take first-touch page faults (costly on some VMs).
template <typename Vector>
void reserve_touched(Vector& v, std::size_t more) {
  const std::size_t old = v.size();
  if (v.capacity() < old + more) v.reserve(old + more);
  v.resize(old + more);
  v.resize(old);
}

// Fast, well-mixed 64-bit hash of bytes (word-at-a-time multiply/xorshift). Not for
// security; stable across runs and platforms of the same endianness.
inline std::uint64_t hash_bytes(std::string_view s, std::uint64_t seed = 0) {
  std::uint64_t h = 0x9E3779B97F4A7C15ull ^ seed ^ (s.size() * 0xFF51AFD7ED558CCDull);
  const char* p = s.data();
  std::size_t n = s.size();
  while (n >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 31;
    p += 8;
    n -= 8;
  }
  std::uint64_t w = 0;
  if (n != 0) std::memcpy(&w, p, n);  // an empty view may have no data pointer at all
  h = (h ^ w) * 0x94D049BB133111EBull;
  h ^= h >> 29;
  h *= 0xBF58476D1CE4E5B9ull;
  h ^= h >> 32;
  return h;
}

// Growth is incremental: when the table fills, one twice the size is started and every later
// insert moves a few entries of the old table across, so no single insert pays for rehashing
// the whole index (tens of milliseconds at a few million keys, all under the server's merge
// lock). Tables come zero-filled from large_blocks.h, in huge pages where the kernel allows,
// and a growing index has a background thread fault its new table in. While two tables
// exist, lookups probe the new one, then the old.
class FlatIndex {
 public:
  static constexpr std::uint32_t kNotFound = 0xFFFFFFFFu;

  FlatIndex() = default;
  // Copies both tables mid-growth; a table prepared ahead is not copied (made again later).
  FlatIndex(const FlatIndex& other)
      : table_(other.table_), old_(other.old_), moved_(other.moved_), size_(other.size_) {}
  FlatIndex& operator=(const FlatIndex& other) {
    if (this != &other) FlatIndex(other).swap(*this);
    return *this;
  }
  FlatIndex(FlatIndex&& other) noexcept { swap(other); }
  FlatIndex& operator=(FlatIndex&& other) noexcept {
    swap(other);
    return *this;
  }

  // The id whose key equals the probed key (eq(id) == true), or kNotFound.
  template <typename Eq>
  std::uint32_t find(std::uint64_t hash, Eq&& eq) const {
    const std::uint32_t id = table_.find(hash, eq);
    return id != kNotFound || old_.empty() ? id : old_.find(hash, eq);
  }

  // Hints the CPU to load the home slot of `hash` (batch pipelines call it ahead of time).
  void prefetch(std::uint64_t hash) const {
    if (!table_.empty()) __builtin_prefetch(&table_.home(hash));
  }
  // The id in the home slot of `hash` (the likely match), or kNotFound; for prefetching only.
  std::uint32_t home_id(std::uint64_t hash) const {
    const std::uint32_t id = table_.empty() ? kNotFound : table_.home(hash).id();
    return id != kNotFound || old_.empty() ? id : old_.home(hash).id();
  }

  // REQUIRES: no id with an equal key is present (call find first).
  void insert(std::uint64_t hash, std::uint32_t id) {
    if (!old_.empty()) move_some(kMovesPerInsert);
    if ((size_ + 1) * 8 > table_.capacity() * 7) {
      start_growth(table_.empty() ? 16 : table_.capacity() * 2);
    } else if ((size_ + 1) * 4 > table_.capacity() * 3 && next_.empty() && old_.empty()) {
      prepare_growth();
    } else if (next_touched_ < next_.capacity() * sizeof(Slot)) {
      next_.zero(next_touched_, kTouchPerInsert);
      next_touched_ += kTouchPerInsert;
    }
    table_.place(Slot::of(id, hash));
    ++size_;
  }

  // Room for n keys without growing; finishes any growth under way.
  void reserve(std::size_t n) {
    std::size_t capacity = table_.empty() ? 16 : table_.capacity();
    while (capacity * 7 < n * 8) capacity *= 2;
    if (capacity != table_.capacity()) {
      start_growth(capacity);
      table_.touch();  // reserved ahead: its page faults are taken now, not by later inserts
    }
    move_some(old_.capacity());
  }
  std::size_t size() const { return size_; }
  bool growing() const { return !old_.empty(); }  // for tests
  bool prepared() const { return !next_.empty(); }  // a table to grow into is ready (tests)

  void swap(FlatIndex& other) noexcept {
    table_.swap(other.table_);
    old_.swap(other.old_);
    next_.swap(other.next_);
    std::swap(next_touched_, other.next_touched_);
    std::swap(moved_, other.moved_);
    std::swap(size_, other.size_);
  }

 private:
  // Old slots moved per insert: the old table (capacity c, 7/8 full) is empty after c/8
  // inserts, long before the new one (capacity 2c) fills.
  static constexpr std::size_t kMovesPerInsert = 8;
  // Tables from this size are prepared ahead; the inserts of the last eighth before growth
  // (capacity / 8 of them) zero this much each, well over the new table's 16 x capacity bytes.
  static constexpr std::size_t kPreparedBytes = std::size_t{64} << 10;
  static constexpr std::size_t kTouchPerInsert = 4096;

  // A slot holds id + 1 (0: empty, so that a zero-filled block's slots are empty) and the
  // low 32 bits of the hash, which also pick the home slot.
  struct Slot {
    std::uint32_t id_plus_one = 0;
    std::uint32_t tag = 0;
    std::uint32_t id() const { return id_plus_one - 1; }  // kNotFound when empty
    static Slot of(std::uint32_t id, std::uint64_t hash) { return Slot{id + 1, static_cast<std::uint32_t>(hash)}; }
  };

  // One open-addressing table with linear probing; capacity is a power of two.
  class Table {
   public:
    Table() = default;
    explicit Table(std::size_t capacity)
        : slots_(static_cast<Slot*>(allocate_zeroed_block(capacity * sizeof(Slot)))), mask_(capacity - 1) {}
    // A table whose slots the caller zeroes (zero()) before using it: see prepare_growth().
    struct Unzeroed {};
    Table(std::size_t capacity, Unzeroed)
        : slots_(static_cast<Slot*>(allocate_block(capacity * sizeof(Slot)))), mask_(capacity - 1) {}
    Table(const Table& other) { *this = other; }
    Table& operator=(const Table& other) {
      if (this == &other) return *this;
      Table copy = other.empty() ? Table() : Table(other.capacity());
      if (!other.empty()) std::memcpy(copy.slots_, other.slots_, other.capacity() * sizeof(Slot));
      swap(copy);
      return *this;
    }
    Table(Table&& other) noexcept { swap(other); }
    Table& operator=(Table&& other) noexcept {
      swap(other);
      return *this;
    }
    ~Table() { free_block(slots_, capacity() * sizeof(Slot)); }
    void swap(Table& other) noexcept {
      std::swap(slots_, other.slots_);
      std::swap(mask_, other.mask_);
    }

    bool empty() const { return slots_ == nullptr; }
    std::size_t capacity() const { return slots_ == nullptr ? 0 : mask_ + 1; }
    const Slot& home(std::uint64_t hash) const { return slots_[static_cast<std::uint32_t>(hash) & mask_]; }
    const Slot& at(std::size_t i) const { return slots_[i]; }
    // Zeroes up to `bytes` bytes from byte `from`.
    void zero(std::size_t from, std::size_t bytes) {
      const std::size_t end = std::min(from + bytes, capacity() * sizeof(Slot));
      if (from < end) std::memset(reinterpret_cast<char*>(slots_) + from, 0, end - from);
    }
    // Writes every slot once (REQUIRES: still empty), so that none is first touched later.
    void touch() { zero(0, capacity() * sizeof(Slot)); }
    // Has a background thread fault the slots in (large tables only; see large_blocks.h).
    void fault_in() { fault_in_ahead(slots_, capacity() * sizeof(Slot), 0, capacity() * sizeof(Slot)); }

    template <typename Eq>
    std::uint32_t find(std::uint64_t hash, Eq& eq) const {
      if (slots_ == nullptr) return kNotFound;
      const auto tag = static_cast<std::uint32_t>(hash);
      for (std::size_t i = tag & mask_;; i = (i + 1) & mask_) {
        const Slot& s = slots_[i];
        if (s.id_plus_one == 0) return kNotFound;
        if (s.tag == tag && eq(s.id())) return s.id();
      }
    }
    void place(Slot s) {
      std::size_t i = s.tag & mask_;
      while (slots_[i].id_plus_one != 0) i = (i + 1) & mask_;
      slots_[i] = s;
    }

   private:
    Slot* slots_ = nullptr;
    std::size_t mask_ = 0;
  };

  void start_growth(std::size_t capacity) {
    move_some(old_.capacity());  // a growth under way ends first
    old_ = std::move(table_);
    if (next_.capacity() == capacity) {
      next_.zero(next_touched_, capacity * sizeof(Slot));  // the part no insert has zeroed yet
      table_ = std::move(next_);  // faulted in since it was prepared (or being so)
    } else {
      table_ = Table(capacity);
      // Entries land all over the new table within the next inserts: faulted in meanwhile,
      // off the inserting thread.
      table_.fault_in();
    }
    next_ = Table();
    next_touched_ = 0;
    moved_ = 0;
  }
  // At three quarters full, an index of some size allocates the table it will grow into
  // and has its pages faulted in while it fills the last eighth. A table allocated zeroed
  // only when full took its page faults at once (calloc zeroing it, or the inserts landing
  // all over it), and several indexes of the same rows grow at the same insert: 5-15 ms
  // under the merge lock. Now each insert zeroes the next few KiB of it (the allocation
  // itself zeroes nothing), except for a table of huge pages, which the background thread
  // faults in (zeroing it here would take a huge page's fault at a time on this thread).
  // An index that stops growing past three quarters keeps the prepared table: twice its
  // own memory, once faulted in.
  void prepare_growth() {
    const std::size_t capacity = table_.capacity() * 2;
    const std::size_t bytes = capacity * sizeof(Slot);
    if (bytes < kPreparedBytes) return;  // small: quickly allocated when needed
    if (bytes >= kHugePageAdviceBytes) {
      next_ = Table(capacity);  // a mapping: reads as zeroes
      next_touched_ = bytes;
      next_.fault_in();
    } else {
      next_ = Table(capacity, Table::Unzeroed{});
      next_touched_ = 0;
    }
  }
  // Moves the next `n` old slots across (their entries stay readable in the old table until
  // it is dropped, and are found in the new one first); drops the old table once all moved.
  void move_some(std::size_t n) {
    if (old_.empty()) return;
    const std::size_t end = std::min(old_.capacity(), moved_ + n);
    for (; moved_ < end; ++moved_) {
      if (old_.at(moved_).id_plus_one != 0) table_.place(old_.at(moved_));
    }
    if (moved_ == old_.capacity()) old_ = Table();
  }

  Table table_;
  Table old_;              // the table being emptied into table_, while growing
  Table next_;             // the table to grow into, prepared ahead (from kPreparedBytes)
  std::size_t next_touched_ = 0;  // bytes of next_ zeroed (or known zero) so far
  std::size_t moved_ = 0;  // old_ slots already moved
  std::size_t size_ = 0;
};

}  // namespace rapidesk
