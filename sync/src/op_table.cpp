#include "rapidesk/sync/op_table.h"

#include <bit>
#include <cstring>
#include <stdexcept>

namespace rapidesk::sync {

StrRef StrRef::make(std::uint64_t offset, std::uint64_t size) {
  if (size > kMaxSize || offset > kMaxOffset - size) {
    throw std::length_error("a string of the merged state does not fit its arena (1 TiB, 16 MiB a string)");
  }
  StrRef r;
  r.bits_ = offset << 24 | size;
  return r;
}

StrRef OpTable::store(std::string_view s) {
  const StrRef r = StrRef::make(arena_.size(), s.size());
  arena_.resize(arena_.size() + s.size());
  if (!s.empty()) std::memcpy(arena_.data() + r.offset(), s.data(), s.size());
  return r;
}

std::uint32_t OpTable::intern(Names& names, std::string_view s) {
  // Names that differ only in their last character ("dev-1", "dev-2") get different slots.
  const std::size_t key =
      s.empty() ? 0 : (s.size() * 7 + static_cast<unsigned char>(s.back()) * 3 + static_cast<unsigned char>(s[0]));
  std::uint32_t& cached = names.cache[key % Names::kCacheSize];
  if (cached != kNoDevice && str(names.refs[cached]) == s) return cached;
  const std::uint64_t h = hash_bytes(s, 0x6964);
  std::uint32_t id = names.index.find(h, [&](std::uint32_t c) { return str(names.refs[c]) == s; });
  if (id == FlatIndex::kNotFound) {
    id = static_cast<std::uint32_t>(names.refs.size());
    names.refs.push_back(store(s));
    names.index.insert(h, id);
  }
  cached = id;
  return id;
}

OpIndex OpTable::append(const FieldOp& op, std::uint32_t row, std::uint16_t field, std::uint32_t slot) {
  Record r;
  r.clock = op.hlc.clock();
  r.device = intern(devices_, op.hlc.device);
  if (op.base) {
    r.base_clock = op.base->clock();
    r.base_device = op.base->device == op.hlc.device ? r.device : intern(devices_, op.base->device);
  }
  r.author = intern(authors_, op.author);
  r.row = row;
  r.slot = slot;
  r.field = field;
  r.kind = op.value.kind();
  if (op.origin == Origin::kServer) r.flags |= kOpServerOrigin;
  undo_mark_ = arena_.size();  // interned names above stay: they may be shared
  r.op_id = store(op.op);
  switch (r.kind) {
    case Value::Kind::kNull: break;
    case Value::Kind::kBool: r.number = op.value.as_bool() ? 1 : 0; break;
    case Value::Kind::kInt: r.number = op.value.as_int(); break;
    case Value::Kind::kDouble: r.number = std::bit_cast<std::int64_t>(op.value.as_double()); break;
    case Value::Kind::kString: r.text = store(op.value.as_string()); break;
  }
  records_.push_back(r);
  return static_cast<OpIndex>(records_.size() - 1);
}

void OpTable::reserve(std::size_t more, std::size_t string_bytes) {
  reserve_touched(records_, more);
  reserve_touched(arena_, string_bytes);
  op_index_.reserve(op_index_.size() + more);
}

void OpTable::pop_back() {
  records_.pop_back();
  arena_.resize(undo_mark_);
}

void OpTable::index(OpIndex i, std::uint64_t hash) { op_index_.insert(hash, i); }

OpIndex OpTable::find(std::string_view op_id, std::uint64_t hash) const {
  const std::uint32_t found = op_index_.find(hash, [&](std::uint32_t id) { return this->op_id(id) == op_id; });
  return found == FlatIndex::kNotFound ? kNoOp : found;
}

Value OpTable::value(OpIndex i) const {
  const Record& r = records_[i];
  switch (r.kind) {
    case Value::Kind::kNull: return Value::null();
    case Value::Kind::kBool: return Value::boolean(r.number != 0);
    case Value::Kind::kInt: return Value::integer(r.number);
    case Value::Kind::kDouble: return Value::real(std::bit_cast<double>(r.number));
    case Value::Kind::kString: return Value::string(std::string(str(r.text)));
  }
  return Value::null();
}

Stamp OpTable::hlc(OpIndex i) const {
  const Record& r = records_[i];
  return Stamp{static_cast<std::int64_t>(r.clock >> 16), static_cast<std::uint16_t>(r.clock & 0xFFFF),
               std::string(device_name(r.device))};
}

std::optional<Stamp> OpTable::base(OpIndex i) const {
  const Record& r = records_[i];
  if (r.base_device == kNoDevice) return std::nullopt;
  return Stamp{static_cast<std::int64_t>(r.base_clock >> 16), static_cast<std::uint16_t>(r.base_clock & 0xFFFF),
               std::string(device_name(r.base_device))};
}

void OpTable::append_hlc(std::string& out, OpIndex i) const { append_stamp(out, hlc(i)); }

void OpTable::append_base(std::string& out, OpIndex i) const {
  const auto b = base(i);
  if (b) {
    append_stamp(out, *b);
  } else {
    out += '-';
  }
}

bool OpTable::same_value(OpIndex a, OpIndex b) const {
  const Record& ra = records_[a];
  const Record& rb = records_[b];
  if (ra.kind != rb.kind) return false;
  if (ra.kind == Value::Kind::kString) return str(ra.text) == str(rb.text);
  return ra.kind == Value::Kind::kNull || ra.number == rb.number;
}

}  // namespace rapidesk::sync
