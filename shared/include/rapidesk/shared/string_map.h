// StringMap: a map from strings to values for indexes that only grow (one entry per row or
// request, kept for the life of the process) and must never pause to rehash. Entries live
// in a std::deque, which never moves them once placed, and are found through a FlatIndex,
// which grows incrementally. A std::unordered_map with a few hundred thousand keys spent
// 8-12 ms rehashing when it doubled, under the server's merge lock.
//
// Insert and lookup only (no erase); iteration in insertion order. References to values
// stay valid as the map grows. Not thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "rapidesk/shared/flat_index.h"

namespace rapidesk {

template <typename V>
class StringMap {
 public:
  using Entry = std::pair<std::string, V>;

  V* find(std::string_view key) { return const_cast<V*>(std::as_const(*this).find(key)); }
  const V* find(std::string_view key) const {
    const std::uint32_t id = find_id(key, hash_bytes(key));
    return id == FlatIndex::kNotFound ? nullptr : &entries_[id].second;
  }

  // The value of `key`, inserting V(args...) first if the key is new (only then are the
  // arguments used); second: whether it was.
  template <typename... Args>
  std::pair<V*, bool> try_emplace(std::string_view key, Args&&... args) {
    const std::uint64_t h = hash_bytes(key);
    const std::uint32_t id = find_id(key, h);
    if (id != FlatIndex::kNotFound) return {&entries_[id].second, false};
    entries_.emplace_back(std::piecewise_construct, std::forward_as_tuple(key),
                          std::forward_as_tuple(std::forward<Args>(args)...));
    index_.insert(h, static_cast<std::uint32_t>(entries_.size() - 1));
    return {&entries_.back().second, true};
  }
  V& operator[](std::string_view key) { return *try_emplace(key).first; }

  void clear() {
    entries_.clear();
    index_ = FlatIndex();
  }
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }

 private:
  std::uint32_t find_id(std::string_view key, std::uint64_t h) const {
    return index_.find(h, [&](std::uint32_t id) { return entries_[id].first == key; });
  }

  std::deque<Entry> entries_;
  FlatIndex index_;
};

}  // namespace rapidesk
