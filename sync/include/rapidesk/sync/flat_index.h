// An open-addressing index from keys to 32-bit ids, for the merge hot path. The keys live
// elsewhere (in a store's arena); callers pass the key's hash and an equality test on ids,
// so the index itself never allocates per key. Not thread-safe.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace rapidesk::sync {

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

class FlatIndex {
 public:
  static constexpr std::uint32_t kNotFound = 0xFFFFFFFFu;

  // The id whose key equals the probed key (eq(id) == true), or kNotFound.
  template <typename Eq>
  std::uint32_t find(std::uint64_t hash, Eq&& eq) const {
    if (slots_.empty()) return kNotFound;
    const auto tag = static_cast<std::uint32_t>(hash);
    for (std::size_t i = tag & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.id == kNotFound) return kNotFound;
      if (s.tag == tag && eq(s.id)) return s.id;
    }
  }

  // Hints the CPU to load the home slot of `hash` (batch pipelines call it ahead of time).
  void prefetch(std::uint64_t hash) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[static_cast<std::uint32_t>(hash) & mask_]);
  }
  // The id in the home slot of `hash` (the likely match), or kNotFound; for prefetching only.
  std::uint32_t home_id(std::uint64_t hash) const {
    return slots_.empty() ? kNotFound : slots_[static_cast<std::uint32_t>(hash) & mask_].id;
  }

  // REQUIRES: no id with an equal key is present (call find first).
  void insert(std::uint64_t hash, std::uint32_t id) {
    if ((size_ + 1) * 8 > slots_.size() * 7) grow();
    place(Slot{id, static_cast<std::uint32_t>(hash)});
    ++size_;
  }

  void reserve(std::size_t n) {
    while (slots_.size() * 7 < n * 8 || slots_.empty()) grow();
  }
  std::size_t size() const { return size_; }

 private:
  struct Slot {
    std::uint32_t id = kNotFound;
    std::uint32_t tag = 0;  // low 32 bits of the hash; also picks the home slot
  };

  void place(Slot s) {
    std::size_t i = s.tag & mask_;
    while (slots_[i].id != kNotFound) i = (i + 1) & mask_;
    slots_[i] = s;
  }

  void grow() {
    std::vector<Slot> old = std::move(slots_);
    const std::size_t n = old.empty() ? 16 : old.size() * 2;
    slots_.assign(n, Slot{});
    mask_ = n - 1;
    for (const Slot& s : old) {
      if (s.id != kNotFound) place(s);
    }
  }

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
  std::size_t mask_ = 0;
};

}  // namespace rapidesk::sync
