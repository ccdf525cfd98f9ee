#include "rapidesk/sync/replica_store.h"

#include <algorithm>

namespace rapidesk::sync {

namespace {

// Independent of the entity so that apply_batch can hash ahead before resolving the schema.
std::uint64_t row_hash(std::string_view id) { return hash_bytes(id, 0x726f77u); }
std::uint64_t element_hash(std::uint32_t slot, std::string_view element) { return hash_bytes(element, 0x656c00000000ull + slot); }
std::uint64_t set_head_hash(std::uint32_t slot) { return hash_bytes({}, 0x736574000000ull + slot); }

MergeResult rejected(Problem p, Status s) { return MergeResult{Outcome::kRejected, p, std::move(s)}; }

}  // namespace

std::string_view op_fate_name(OpFate f) {
  switch (f) {
    case OpFate::kUnknown: return "unknown";
    case OpFate::kCurrent: return "current";
    case OpFate::kSuperseded: return "superseded";
    case OpFate::kConflictLoser: return "conflict_loser";
    case OpFate::kElementCurrent: return "element_current";
    case OpFate::kElementSuperseded: return "element_superseded";
  }
  return "unknown";
}

ReplicaStore::ReplicaStore() {
  const auto all = entities();
  for (std::size_t e = 0; e < all.size(); ++e) {
    if (all[e].row_kind == RowIdKind::kConflictId) conflict_entity_ = static_cast<std::uint8_t>(e);
  }
}

std::uint32_t ReplicaStore::find_row(std::uint8_t entity, std::string_view id) const {
  return find_row(entity, id, row_hash(id));
}

std::uint32_t ReplicaStore::find_row(std::uint8_t entity, std::string_view id, std::uint64_t h) const {
  return row_index_.find(h, [&](std::uint32_t r) { return rows_[r].entity == entity && row_id(rows_[r]) == id; });
}

std::uint32_t ReplicaStore::add_row(std::uint8_t entity, std::string_view id, std::uint64_t h) {
  Row row;
  row.entity = entity;
  if (id.size() <= kInlineRowId && !id.empty()) {
    std::copy(id.begin(), id.end(), row.short_id);
    row.short_size = static_cast<std::uint8_t>(id.size());
  } else {
    row.long_id = StrRef::make(names_.size(), id.size());
    names_.append(id.data(), id.data() + id.size());
  }
  row.first_slot = static_cast<std::uint32_t>(slots_.size());
  slots_.resize(slots_.size() + entities()[entity].fields.size());
  const auto index = static_cast<std::uint32_t>(rows_.size());
  rows_.push_back(row);
  row_index_.insert(h, index);
  return index;
}

std::uint32_t ReplicaStore::find_element(std::uint32_t slot, std::string_view element, std::uint64_t hash) const {
  return element_index_.find(hash, [&](std::uint32_t e) {
    return elements_[e].slot == slot && element_of(elements_[e]) == element;
  });
}

std::uint32_t ReplicaStore::find_set_head(std::uint32_t slot, std::uint64_t slot_hash) const {
  return set_heads_.find(slot_hash, [&](std::uint32_t e) { return elements_[e].slot == slot; });
}

ReplicaStore::OpKeys ReplicaStore::keys_of(const FieldOp& op) {
  return OpKeys{OpTable::hash_op_id(op.op), row_hash(op.row), std::nullopt};
}

MergeResult ReplicaStore::apply(const FieldOp& op, std::vector<std::string>* new_conflicts) {
  return apply_keyed(op, keys_of(op), new_conflicts);
}

MergeResult ReplicaStore::apply_new(const FieldOp& op, std::vector<std::string>* new_conflicts) {
  OpKeys keys = keys_of(op);
  keys.id_is_new = true;
  return apply_keyed(op, keys, new_conflicts);
}

MergeResult ReplicaStore::apply_keyed(const FieldOp& op, const OpKeys& keys, std::vector<std::string>* new_conflicts) {
  const auto ref = keys.field ? keys.field : find_field(op.entity, op.field);
  if (!ref) {
    const Problem p = find_entity(op.entity) ? Problem::kUnknownField : Problem::kUnknownEntity;
    return rejected(p, problem_status(p, op.entity, op.field));
  }
  // Rows are never removed, so a row found ahead is still this op's row.
  std::uint32_t row = keys.row_index != FlatIndex::kNotFound ? keys.row_index
                                                             : find_row(ref->entity_index, op.row, keys.row);
  Problem problem = Problem::kNone;
  const KnownRow known = row != FlatIndex::kNotFound ? KnownRow::kYes : KnownRow::kNo;
  if (Status s = check_op(op, *ref, problem, known); !s) return rejected(problem, std::move(s));

  const std::uint64_t id_hash = keys.op_id;
  if (!keys.id_is_new && ops_.find(op.op, id_hash) != kNoOp) return MergeResult{Outcome::kDuplicate, {}, {}};

  if (row == FlatIndex::kNotFound) row = add_row(ref->entity_index, op.row, keys.row);
  const std::uint32_t slot = rows_[row].first_slot + ref->field_index;
  const OpIndex i = ops_.append(op, row, ref->field_index, slot);

  MergeResult result;
  if (ref->field->policy == MergePolicy::kSet) {
    const std::string_view element = std::string_view(op.value.as_string()).substr(1);
    const std::uint64_t h = element_hash(slot, element);
    std::uint32_t e = find_element(slot, element, h);
    if (e == FlatIndex::kNotFound) {
      e = static_cast<std::uint32_t>(elements_.size());
      const std::uint64_t slot_hash = set_head_hash(slot);
      const std::uint32_t head = find_set_head(slot, slot_hash);
      if (head == FlatIndex::kNotFound) {
        elements_.push_back(Element{slot, FlatIndex::kNotFound, {}});
        set_heads_.insert(slot_hash, e);
      } else {
        elements_.push_back(Element{slot, elements_[head].next_in_slot, {}});
        elements_[head].next_in_slot = e;
      }
      result = merge_set_element(elements_[e].history, history_, ops_, i);
      element_index_.insert(h, e);  // after the first op is in: the key is read from it
    } else {
      result = merge_set_element(elements_[e].history, history_, ops_, i);
    }
  } else {
    scratch_losers_.clear();
    result = merge_field(slots_[slot], history_, *ref->entity, *ref->field, ops_, i, scratch_losers_);
    if (result.outcome == Outcome::kRejected || result.outcome == Outcome::kDuplicate) {
      ops_.pop_back();
      return result;
    }
    for (OpIndex l : scratch_losers_) {
      losers_.push_back(l);
      if (new_conflicts) new_conflicts->push_back(conflict_id_for(ops_.op_id(l)));
    }
  }
  ops_.index(i, id_hash);
  ++rows_[row].ops;
  ++accepted_;
  return result;
}

void ReplicaStore::apply_batch(std::span<const FieldOp> ops, std::vector<MergeResult>* results) {
  if (results) results->reserve(results->size() + ops.size());
  // A software pipeline over the batch: each op's memory is requested a few ops before it
  // is merged, so the cache misses of hash lookups overlap instead of adding up. Stages,
  // by distance ahead: load the op's strings; hash them and load the index slots; load the
  // row record the index points at; load the field's slot; load the field's newest history
  // entry. Hints only: a wrong guess costs a wasted load, never a wrong result. (The FieldOps
  // themselves are read in order: the hardware prefetcher has them.)
  constexpr std::size_t kLoad = 16;
  constexpr std::size_t kHash = 12;
  constexpr std::size_t kRow = 8;
  constexpr std::size_t kSlot = 4;
  constexpr std::size_t kHistory = 2;
  constexpr std::size_t kRing = 32;  // keys of ops hashed ahead, indexed by op position
  static_assert(kRing > kHash && kHash > kRow && kRow > kSlot && kSlot > kHistory && kLoad > kHash,
                "a ring slot must not be reused before its op is merged");
  OpKeys keys[kRing];
  std::uint32_t slot_guess[kRing];
  const std::size_t n = ops.size();
  const auto load = [&](std::size_t j) {
    __builtin_prefetch(ops[j].row.data());
    __builtin_prefetch(ops[j].op.data());
    if (ops[j].value.is_string()) __builtin_prefetch(ops[j].value.as_string().data());
  };
  const auto hash = [&](std::size_t j) {
    keys[j % kRing] = keys_of(ops[j]);
    ops_.prefetch(keys[j % kRing].op_id);
    row_index_.prefetch(keys[j % kRing].row);
  };
  const auto row = [&](std::size_t j) {
    const std::uint32_t r = row_index_.home_id(keys[j % kRing].row);
    if (r != FlatIndex::kNotFound) __builtin_prefetch(&rows_[r]);
  };
  const auto slot = [&](std::size_t j) {
    slot_guess[j % kRing] = kNoSlot;
    const auto ref = find_field(ops[j].entity, ops[j].field);
    keys[j % kRing].field = ref;
    if (!ref) return;
    const std::uint32_t r = find_row(ref->entity_index, ops[j].row, keys[j % kRing].row);
    keys[j % kRing].row_index = r;
    if (r == FlatIndex::kNotFound) return;
    slot_guess[j % kRing] = rows_[r].first_slot + ref->field_index;
    const char* state = reinterpret_cast<const char*>(&slots_[slot_guess[j % kRing]]);
    __builtin_prefetch(state);
    __builtin_prefetch(state + sizeof(FieldState) - 1);  // it may straddle two cache lines
  };
  const auto history = [&](std::size_t j) {
    const std::uint32_t s = slot_guess[j % kRing];
    if (s != kNoSlot) history_.prefetch(slots_[s]);
  };
  for (std::size_t j = 0; j < std::min(n, kLoad); ++j) load(j);
  for (std::size_t j = 0; j < std::min(n, kHash); ++j) hash(j);
  for (std::size_t j = 0; j < std::min(n, kRow); ++j) row(j);
  for (std::size_t j = 0; j < std::min(n, kSlot); ++j) slot(j);
  for (std::size_t j = 0; j < std::min(n, kHistory); ++j) history(j);
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kLoad < n) load(i + kLoad);
    if (i + kHash < n) hash(i + kHash);
    if (i + kRow < n) row(i + kRow);
    if (i + kSlot < n) slot(i + kSlot);
    if (i + kHistory < n) history(i + kHistory);
    MergeResult r = apply_keyed(ops[i], keys[i % kRing], nullptr);
    if (results) results->push_back(std::move(r));
  }
}

void ReplicaStore::reserve(std::size_t more_ops) {
  constexpr std::size_t kBytesPerOp = 48;  // op id + a short string value
  constexpr std::size_t kOpsPerRow = 25;
  ops_.reserve(more_ops, more_ops * kBytesPerOp);
  const std::size_t more_rows = more_ops / kOpsPerRow + 1;
  reserve_touched(rows_, more_rows);
  reserve_touched(names_, more_rows * 36);
  row_index_.reserve(row_index_.size() + more_rows);
  history_.reserve(2 * more_ops);  // blocks move when they fill up
}

bool ReplicaStore::contains(std::string_view op_id) const { return ops_.find(op_id) != kNoOp; }

bool ReplicaStore::same_op(const FieldOp& op) const {
  const OpIndex i = ops_.find(op.op);
  const OpView v = op_view(i);
  return v.entity == op.entity && v.row == op.row && v.field == op.field && ops_.hlc(i) == op.hlc &&
         ops_.base(i) == op.base && ops_.value(i) == op.value;
}

std::uint32_t ReplicaStore::slot_of(std::string_view entity, std::string_view row, std::string_view field,
                                    const FieldSpec** spec) const {
  const auto ref = find_field(entity, field);
  if (!ref) return kNoSlot;
  const std::uint32_t r = find_row(ref->entity_index, row);
  if (r == FlatIndex::kNotFound) return kNoSlot;
  if (spec) *spec = ref->field;
  return rows_[r].first_slot + ref->field_index;
}

OpView ReplicaStore::op_view(OpIndex i) const {
  const OpTable::Record& rec = ops_.at(i);
  const Row& row = rows_[rec.row];
  const EntitySpec& entity = entities()[row.entity];
  OpView v;
  v.op = ops_.op_id(i);
  v.entity = entity.name;
  v.row = row_id(row);
  v.field = entity.fields[rec.field].name;
  v.author = ops_.author(i);
  v.origin = (rec.flags & kOpServerOrigin) != 0 ? Origin::kServer : Origin::kClient;
  v.physical_ms = static_cast<std::int64_t>(rec.clock >> 16);
  v.kind = rec.kind;
  if (rec.kind == Value::Kind::kString) v.text = ops_.string_value(i);
  return v;
}

FieldOp ReplicaStore::op_at(OpIndex i) const {
  const OpView v = op_view(i);
  FieldOp op;
  op.op.assign(v.op);
  op.entity.assign(v.entity);
  op.row.assign(v.row);
  op.field.assign(v.field);
  op.value = ops_.value(i);
  op.hlc = ops_.hlc(i);
  op.base = ops_.base(i);
  op.author.assign(v.author);
  op.origin = v.origin;
  return op;
}

FieldValue ReplicaStore::field_value(OpIndex i) const {
  return FieldValue{ops_.value(i), ops_.hlc(i), std::string(ops_.author(i)), std::string(ops_.op_id(i))};
}

std::optional<FieldValue> ReplicaStore::read(std::string_view entity, std::string_view row,
                                             std::string_view field) const {
  const FieldSpec* spec = nullptr;
  const std::uint32_t slot = slot_of(entity, row, field, &spec);
  if (slot == kNoSlot || spec->policy == MergePolicy::kSet) return std::nullopt;
  const OpIndex head = history_.newest(slots_[slot]);
  if (head == kNoOp) return std::nullopt;
  FieldValue fv = field_value(head);
  if (spec->group != 0) {
    // A group shows only what its newest write wrote: a member not written with that stamp
    // reads as null rather than pairing with a value from another edit.
    const OpTable::Record& rec = ops_.at(head);
    const std::uint32_t first = slot - rec.field;
    const auto& fields = entities()[rows_[rec.row].entity].fields;
    OpIndex newest = head;
    for (std::size_t f = 0; f < fields.size(); ++f) {
      const OpIndex h = history_.newest(slots_[first + f]);
      if (fields[f].group == spec->group && h != kNoOp && ops_.compare_hlc(h, newest) > 0) newest = h;
    }
    if (newest != head) fv.value = Value::null();
  }
  return fv;
}

std::vector<std::string> ReplicaStore::read_set(std::string_view entity, std::string_view row,
                                                std::string_view field) const {
  std::vector<std::string> out;
  const FieldSpec* spec = nullptr;
  const std::uint32_t slot = slot_of(entity, row, field, &spec);
  if (slot == kNoSlot || spec->policy != MergePolicy::kSet) return out;
  for (std::uint32_t i = find_set_head(slot, set_head_hash(slot)); i != FlatIndex::kNotFound;
       i = elements_[i].next_in_slot) {
    const Element& e = elements_[i];
    if (ops_.string_value(history_.newest(e.history))[0] == '+') out.emplace_back(element_of(e));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<Stamp> ReplicaStore::current_stamp(std::string_view entity, std::string_view row,
                                                 std::string_view field) const {
  const std::uint32_t slot = slot_of(entity, row, field);
  if (slot == kNoSlot || slots_[slot].size == 0) return std::nullopt;
  return ops_.hlc(history_.newest(slots_[slot]));
}

std::optional<FieldValue> ReplicaStore::find_write(std::string_view entity, std::string_view row,
                                                   std::string_view field, const Stamp& hlc) const {
  const std::uint32_t slot = slot_of(entity, row, field);
  if (slot == kNoSlot) return std::nullopt;
  for (std::uint32_t k = 0; k < slots_[slot].size; ++k) {
    const OpIndex p = history_.at(slots_[slot], k).op;
    if (ops_.hlc(p) == hlc) return field_value(p);
  }
  // Status changes kept as conflicts are not in the list.
  for (OpIndex l : losers_) {
    if (ops_.at(l).slot == slot && ops_.hlc(l) == hlc) return field_value(l);
  }
  return std::nullopt;
}

bool ReplicaStore::is_deleted(std::string_view entity, std::string_view row) const {
  const auto v = read(entity, row, "deleted");
  return v && v->value.is_bool() && v->value.as_bool();
}

std::vector<std::string> ReplicaStore::rows(std::string_view entity) const {
  std::vector<std::string> out;
  append_rows(entity, 0, rows_.size(), out);
  std::sort(out.begin(), out.end());
  return out;
}

void ReplicaStore::append_rows(std::string_view entity, std::size_t from, std::size_t to,
                               std::vector<std::string>& out) const {
  const EntitySpec* spec = find_entity(entity);
  if (!spec) return;
  const auto e = static_cast<std::uint8_t>(spec - entities().data());
  for (std::size_t i = from; i < std::min(to, rows_.size()); ++i) {
    if (rows_[i].entity == e && rows_[i].ops > 0) out.emplace_back(row_id(rows_[i]));
  }
}

ConflictRecord ReplicaStore::make_record(OpIndex loser) const {
  const OpTable::Record& rec = ops_.at(loser);
  const Row& row = rows_[rec.row];
  const EntitySpec& entity = entities()[row.entity];
  ConflictRecord c;
  c.id = conflict_id_for(ops_.op_id(loser));
  c.entity = std::string(entity.name);
  c.row = std::string(row_id(row));
  c.field = std::string(entity.fields[rec.field].name);
  c.loser = ConflictSide{ops_.value(loser), ops_.hlc(loser), std::string(ops_.author(loser)),
                         std::string(ops_.op_id(loser))};
  const OpIndex head = history_.newest(slots_[rec.slot]);
  if (head != kNoOp) {
    c.winner = ConflictSide{ops_.value(head), ops_.hlc(head), std::string(ops_.author(head)),
                            std::string(ops_.op_id(head))};
  }
  c.invalid_transition = (rec.flags & kOpStatusConflict) != 0;
  const std::uint32_t r = find_row(conflict_entity_, c.id);
  if (r != FlatIndex::kNotFound) {
    const OpIndex res = history_.newest(slots_[rows_[r].first_slot]);  // the conflict entity's only field
    if (res != kNoOp) {
      c.resolution = parse_resolution(ops_.string_value(res)).value_or(Resolution::kOpen);
      c.resolution_stamp = ops_.hlc(res);
    }
  }
  return c;
}

std::vector<ConflictRecord> ReplicaStore::conflicts() const {
  std::vector<ConflictRecord> out;
  out.reserve(losers_.size());
  for (OpIndex l : losers_) out.push_back(make_record(l));
  std::sort(out.begin(), out.end(), [](const ConflictRecord& a, const ConflictRecord& b) { return a.id < b.id; });
  return out;
}

std::optional<ConflictRecord> ReplicaStore::conflict(std::string_view conflict_id) const {
  if (!is_conflict_id(conflict_id)) return std::nullopt;
  const OpIndex l = ops_.find(loser_op_of(conflict_id));
  if (l == kNoOp || (ops_.at(l).flags & kOpLoser) == 0) return std::nullopt;
  return make_record(l);
}

OpFate ReplicaStore::fate(std::string_view op_id) const {
  const OpIndex i = ops_.find(op_id);
  if (i == kNoOp) return OpFate::kUnknown;
  const OpTable::Record& rec = ops_.at(i);
  if (rec.flags & kOpLoser) return OpFate::kConflictLoser;
  const Row& row = rows_[rec.row];
  if (entities()[row.entity].fields[rec.field].policy == MergePolicy::kSet) {
    const std::string_view element = ops_.string_value(i).substr(1);
    const std::uint32_t e = find_element(rec.slot, element, element_hash(rec.slot, element));
    return e != FlatIndex::kNotFound && history_.newest(elements_[e].history) == i ? OpFate::kElementCurrent
                                                                                  : OpFate::kElementSuperseded;
  }
  return history_.newest(slots_[rec.slot]) == i ? OpFate::kCurrent : OpFate::kSuperseded;
}

}  // namespace rapidesk::sync
