// ReplicaStore: one replica's merged state, in memory. Applies field operations through
// the merge policies of the schema, keeps every field's history, the conflict records and
// the set of applied op ids (so replaying an op or a whole batch changes nothing), and can
// write its full state as canonical bytes: two stores that merged the same ops (in any
// order, for the order-independent policies) produce identical bytes.
//
// Built for speed: hash indexes over arena strings, fixed-size op records, per-row
// contiguous field slots; applying an op allocates only amortised vector growth.
// Copyable (a ClientReplica copies its confirmed state to build the visible one).
// Not thread-safe: one owner at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rapidesk/shared/pod_vector.h"
#include "rapidesk/sync/conflict.h"
#include "rapidesk/sync/field_op.h"
#include "rapidesk/sync/merge.h"

namespace rapidesk::sync {

// What a field shows now.
struct FieldValue {
  Value value;  // null when a field group is incomplete at its newest stamp (see schema.h)
  Stamp hlc;    // the stamp of the op shown: the base for the next edit of this field
  std::string author;
  std::string op;
};

// An applied op read in place: views into the store, valid until it changes.
struct OpView {
  std::string_view op;
  std::string_view entity;
  std::string_view row;
  std::string_view field;
  std::string_view author;
  Origin origin = Origin::kClient;
  std::int64_t physical_ms = 0;  // of its stamp
  Value::Kind kind = Value::Kind::kNull;
  std::string_view text;  // the value, when a string (kind == kString)
};

// What became of an applied op (for audits and the convergence test).
enum class OpFate : std::uint8_t {
  kUnknown,            // never applied here (or rejected)
  kCurrent,            // its value is the field's value
  kSuperseded,         // overwritten by a newer op whose author had seen it
  kConflictLoser,      // kept as a conflict record
  kElementCurrent,     // a set op that decides its element now
  kElementSuperseded,  // a set op overridden by a newer op on the same element
};
std::string_view op_fate_name(OpFate f);

class ReplicaStore {
 public:
  ReplicaStore();

  // Validates `op` against the schema (check_op), detects replays by op id, and merges it.
  // Ids of conflict records this op created (its own, or those of ops it overwrote) are
  // appended to `new_conflicts` when given. A rejected op leaves no trace, so it is judged
  // again if it comes back: a status change refused as an invalid transition from the
  // newest status may merge as an older write once a newer status is in. Replaying what
  // was acknowledged changes nothing; ServerMerge also keeps refusals for replays.
  MergeResult apply(const FieldOp& op, std::vector<std::string>* new_conflicts = nullptr);
  // apply() for an op whose id the caller knows is not in the store (a server's merge checks
  // each pushed id first, and keeps its own ops' ids out of every push and every restored
  // log's way): the id is not looked up again. REQUIRES: !contains(op.op).
  MergeResult apply_new(const FieldOp& op, std::vector<std::string>* new_conflicts = nullptr);
  // apply() for each op in order; one result per op appended to `results` when given.
  void apply_batch(std::span<const FieldOp> ops, std::vector<MergeResult>* results = nullptr);

  // Reserves (and touches) room for `more_ops` further ops and a row per 25 of them, so a
  // large merge pays neither table growth nor first-touch page faults midway.
  void reserve(std::size_t more_ops);

  bool contains(std::string_view op_id) const;
  // Whether the op applied under `op`'s id is `op` again: same entity, row, field, value,
  // stamp and base (author and origin are what the receiver set). REQUIRES: contains(op.op).
  bool same_op(const FieldOp& op) const;
  // A hint that `op_id` is looked up or added soon: its slot in the op index, most likely
  // a cache miss in a large store, is fetched meanwhile.
  void prefetch_op(std::string_view op_id) const { ops_.prefetch(OpTable::hash_op_id(op_id)); }
  // Applied ops are numbered from 0 in the order they were applied; the next one applied
  // gets op_count(). The server's log names its ops by these numbers.
  std::size_t op_count() const { return accepted_; }
  // REQUIRES: i < op_count().
  OpView op_view(OpIndex i) const;
  FieldOp op_at(OpIndex i) const;  // the op as it was applied

  // The field's current value; nullopt if never written (or a set field: use read_set).
  std::optional<FieldValue> read(std::string_view entity, std::string_view row, std::string_view field) const;
  // Present elements of a set field, sorted bytewise.
  std::vector<std::string> read_set(std::string_view entity, std::string_view row, std::string_view field) const;
  // Stamp of the field's current winner (the base for the next edit); nullopt if none.
  std::optional<Stamp> current_stamp(std::string_view entity, std::string_view row, std::string_view field) const;
  // The write of `field` stamped exactly `hlc`, if applied here (field groups use it).
  std::optional<FieldValue> find_write(std::string_view entity, std::string_view row, std::string_view field,
                                       const Stamp& hlc) const;
  // `deleted` is true now (tombstone). A deleted row keeps its fields.
  bool is_deleted(std::string_view entity, std::string_view row) const;
  // Ids of rows with at least one applied op, sorted.
  std::vector<std::string> rows(std::string_view entity) const;
  // Rows are numbered in the order they were first seen and never removed, so a reader that
  // must not hold its lock over the whole store can walk them in slices: row_numbers() is
  // the next number, and append_rows adds the ids of the rows of `entity` numbered in
  // [from, to) (clamped to row_numbers()) with at least one applied op, in number order.
  std::size_t row_numbers() const { return rows_.size(); }
  void append_rows(std::string_view entity, std::size_t from, std::size_t to, std::vector<std::string>& out) const;

  // All conflict records, sorted by id, each with the field's current winner.
  std::vector<ConflictRecord> conflicts() const;
  std::optional<ConflictRecord> conflict(std::string_view conflict_id) const;
  OpFate fate(std::string_view op_id) const;

  // Full state as canonical bytes (rows by entity and id, fields in schema order with their
  // complete ordered history, set elements, conflict records with their current winner and
  // resolution). Equal bytes <=> equal state.
  std::string canonical_bytes() const;
  // FNV-1a 64 of canonical_bytes().
  std::uint64_t state_hash() const;

 private:
  static constexpr std::size_t kInlineRowId = 36;  // a UUID: kept in the row, no extra miss
  struct Row {
    char short_id[kInlineRowId] = {};
    std::uint8_t short_size = 0;  // id length when inline; 0: the id is in names_
    std::uint8_t entity = 0;
    StrRef long_id;               // in names_, for ids longer than kInlineRowId
    std::uint32_t first_slot = 0;
    std::uint32_t ops = 0;        // accepted ops; rows with none are invisible
  };
  // Hashes of an op's keys, computed ahead in apply_batch's pipeline.
  struct OpKeys {
    std::uint64_t op_id = 0;
    std::uint64_t row = 0;
    std::optional<FieldRef> field;  // resolved ahead when known (saves a second lookup)
    std::uint32_t row_index = 0xFFFFFFFFu;  // the row of (field's entity, row id) when found ahead
    bool id_is_new = false;                 // the caller knows no op has this id
  };
  struct Element {
    std::uint32_t slot = 0;
    std::uint32_t next_in_slot = 0xFFFFFFFFu;  // the slot's next element (first element, then newest first)
    FieldState history;
  };

  std::string_view row_id(const Row& r) const {
    return r.short_size ? std::string_view(r.short_id, r.short_size)
                        : std::string_view(names_.data() + r.long_id.offset(), r.long_id.size());
  }
  static OpKeys keys_of(const FieldOp& op);
  MergeResult apply_keyed(const FieldOp& op, const OpKeys& keys, std::vector<std::string>* new_conflicts);
  std::uint32_t find_row(std::uint8_t entity, std::string_view id) const;
  std::uint32_t find_row(std::uint8_t entity, std::string_view id, std::uint64_t hash) const;
  // REQUIRES: find_row(entity, id) finds nothing.
  std::uint32_t add_row(std::uint8_t entity, std::string_view id, std::uint64_t hash);
  // Slot of (entity, row, field); kNoSlot if the row or field is unknown.
  std::uint32_t slot_of(std::string_view entity, std::string_view row, std::string_view field,
                        const FieldSpec** spec = nullptr) const;
  std::uint32_t find_element(std::uint32_t slot, std::string_view element, std::uint64_t hash) const;
  // The first element of set slot `slot`, or kNotFound when it has none.
  std::uint32_t find_set_head(std::uint32_t slot, std::uint64_t slot_hash) const;
  // The element's name, read from its newest op ("+name" / "-name").
  std::string_view element_of(const Element& e) const { return ops_.string_value(history_.newest(e.history)).substr(1); }
  FieldValue field_value(OpIndex i) const;
  ConflictRecord make_record(OpIndex loser) const;

  static constexpr std::uint32_t kNoSlot = 0xFFFFFFFFu;

  OpTable ops_;
  PodVector<char> names_;  // row ids longer than kInlineRowId
  PodVector<Row> rows_;
  FlatIndex row_index_;
  PodVector<FieldState> slots_;  // one per field of each row, contiguous per row
  HistoryPool history_;
  PodVector<Element> elements_;
  FlatIndex element_index_;
  FlatIndex set_heads_;  // set slot -> its first element (the others follow it, next_in_slot)
  std::vector<OpIndex> losers_;  // in the order they became losers
  std::vector<OpIndex> scratch_losers_;
  std::size_t accepted_ = 0;
  std::uint8_t conflict_entity_ = 0;
};

}  // namespace rapidesk::sync
