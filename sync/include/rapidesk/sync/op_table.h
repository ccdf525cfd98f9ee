// The applied operations of one replica, stored compactly: one fixed-size record per op,
// strings copied into one arena, device ids and authors interned, so applying an op
// allocates nothing but amortised arena/vector growth. Copyable (offsets, not pointers).
// Not thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rapidesk/shared/flat_index.h"
#include "rapidesk/shared/pod_vector.h"
#include "rapidesk/sync/field_op.h"

namespace rapidesk::sync {

using OpIndex = std::uint32_t;
inline constexpr OpIndex kNoOp = 0xFFFFFFFFu;

// Record flags.
inline constexpr std::uint8_t kOpLoser = 1;             // a conflict record exists for this op
inline constexpr std::uint8_t kOpStatusConflict = 2;    // refused transition kept as a conflict
inline constexpr std::uint8_t kOpServerOrigin = 4;      // Origin::kServer

// A string stored in an arena: byte offset (40 bits, up to 1 TiB of arena) and size (24
// bits, up to 16 MiB; every stored string is far smaller: op ids, authors, device ids and
// field values all have limits of a few kB) packed in 8 bytes, so the per-op records stay
// as small as with 32-bit offsets while the arena may grow past 4 GiB (a long-lived server's
// history does).
class StrRef {
 public:
  static constexpr std::uint64_t kMaxOffset = (std::uint64_t{1} << 40) - 1;
  static constexpr std::uint64_t kMaxSize = (std::uint64_t{1} << 24) - 1;
  StrRef() = default;
  // Throws std::length_error past kMaxOffset / kMaxSize: a wrapped offset would silently name
  // other bytes, so a merge stops (fail-stop) instead.
  static StrRef make(std::uint64_t offset, std::uint64_t size);
  std::uint64_t offset() const { return bits_ >> 24; }
  std::uint32_t size() const { return static_cast<std::uint32_t>(bits_ & kMaxSize); }

 private:
  std::uint64_t bits_ = 0;
};

class OpTable {
 public:
  static constexpr std::uint32_t kNoDevice = 0xFFFFFFFFu;

  struct Record {
    std::uint64_t clock = 0;       // hlc: physical << 16 | counter
    std::uint64_t base_clock = 0;  // meaningful when base_device != kNoDevice
    std::uint32_t device = 0;      // interned
    std::uint32_t base_device = kNoDevice;  // kNoDevice: base unset
    std::uint32_t row = 0;         // caller's row index
    std::uint32_t slot = 0;        // caller's field slot
    std::uint32_t author = 0;      // interned
    StrRef op_id;
    StrRef text;                   // string value
    std::int64_t number = 0;       // bool / int64 / double bits
    std::uint16_t field = 0;       // index in the entity's fields
    Value::Kind kind = Value::Kind::kNull;
    std::uint8_t flags = 0;
  };

  // Copies `op` in (strings into the arena) and returns its index. The op is not yet
  // findable by id: call index() once it is accepted, or pop_back() to undo.
  OpIndex append(const FieldOp& op, std::uint32_t row, std::uint16_t field, std::uint32_t slot);
  // Removes the last appended op and its strings. REQUIRES: it was not index()ed.
  void pop_back();
  // Makes op i findable by its op id. `hash` = hash_op_id(op id).
  void index(OpIndex i, std::uint64_t hash);
  static std::uint64_t hash_op_id(std::string_view op_id) { return hash_bytes(op_id, 0x6f70); }
  OpIndex find(std::string_view op_id, std::uint64_t hash) const;
  OpIndex find(std::string_view op_id) const { return find(op_id, hash_op_id(op_id)); }
  void prefetch(std::uint64_t hash) const { op_index_.prefetch(hash); }

  OpIndex size() const { return static_cast<OpIndex>(records_.size()); }
  // Room for `more` further ops with about `string_bytes` of op ids and string values.
  void reserve(std::size_t more, std::size_t string_bytes);
  const Record& at(OpIndex i) const { return records_[i]; }
  Record& at(OpIndex i) { return records_[i]; }

  std::string_view str(StrRef r) const { return {arena_.data() + r.offset(), r.size()}; }
  std::string_view op_id(OpIndex i) const { return str(records_[i].op_id); }
  std::string_view string_value(OpIndex i) const { return str(records_[i].text); }
  std::string_view device_name(std::uint32_t device) const { return str(devices_.refs[device]); }
  std::string_view author(OpIndex i) const { return str(authors_.refs[records_[i].author]); }
  Value value(OpIndex i) const;
  Stamp hlc(OpIndex i) const;
  std::optional<Stamp> base(OpIndex i) const;
  // Appends the wire form of op i's stamp / base without materialising a Stamp.
  void append_hlc(std::string& out, OpIndex i) const;
  void append_base(std::string& out, OpIndex i) const;  // "-" when unset
  // Equal payloads (kind and value; doubles bit for bit).
  bool same_value(OpIndex a, OpIndex b) const;

  // Stamp order, by (clock, device id bytes): -1, 0 or 1.
  int compare_stamps(std::uint64_t ca, std::uint32_t da, std::uint64_t cb, std::uint32_t db) const {
    if (ca != cb) return ca < cb ? -1 : 1;
    if (da == db) return 0;
    const int c = device_name(da).compare(device_name(db));
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  int compare_hlc(OpIndex a, OpIndex b) const {
    return compare_stamps(records_[a].clock, records_[a].device, records_[b].clock, records_[b].device);
  }

 private:
  StrRef store(std::string_view s);
  // Interned names (device ids, authors): few, and each op names two or three of them.
  struct Names {
    static constexpr std::size_t kCacheSize = 16;
    std::vector<StrRef> refs;  // by id
    FlatIndex index;
    // Direct-mapped cache of recent names by a cheap key of their bytes, so the usual lookup
    // is one short compare instead of a full hash and probe.
    std::array<std::uint32_t, kCacheSize> cache = filled_cache();
    static constexpr std::array<std::uint32_t, kCacheSize> filled_cache() {
      std::array<std::uint32_t, kCacheSize> c{};
      c.fill(kNoDevice);
      return c;
    }
  };
  std::uint32_t intern(Names& names, std::string_view s);

  PodVector<Record> records_;
  PodVector<char> arena_;
  Names devices_;
  Names authors_;
  FlatIndex op_index_;
  std::size_t undo_mark_ = 0;  // arena size before the last append's op-owned strings
};

}  // namespace rapidesk::sync
