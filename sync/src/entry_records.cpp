#include "rapidesk/sync/entry_records.h"

#include <algorithm>
#include <cstring>
#include <optional>

namespace rapidesk::sync {

namespace {

// Form 2 (first byte kBinaryForm). Integers are LEB128 varints (signed ones zigzag);
// strings are a varint length and the bytes:
//   0x02 seq outcome origin op entity row field author value hlc base?
//   value = kind [bool byte | zigzag int | 8 bytes of a double | string]
//   stamp = zigzag physical_ms, counter, device;  base? = 0 | 1 stamp
//
// Form 3 (kRunForm): a run of entries in one record, each written against the entry before
// it (the first against an empty one). Consecutive entries mostly share their entity, row,
// field names, author and device, and their seqs and stamps are close:
//   0x03 count entry*
//   entry = zigzag seq delta, outcome, origin, shared op, shared entity, shared row,
//           shared field, shared author, value, zigzag hlc ms delta, counter, shared device,
//           base? = 0 | 1 (zigzag ms delta from the hlc, counter, shared device)
//   shared = varint length of the prefix kept from the previous entry's string, then the
//            rest as a string
// Deltas wrap modulo 2^64, so any value round-trips.
constexpr char kBinaryForm = 0x02;
constexpr char kRunForm = 0x03;

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
std::uint64_t zigzag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
std::int64_t unzigzag(std::uint64_t v) {
  return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}
void put_string(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}
void put_delta(std::string& out, std::uint64_t value, std::uint64_t previous) {
  put_varint(out, zigzag(static_cast<std::int64_t>(value - previous)));
}
void put_shared(std::string& out, std::string_view s, std::string_view previous) {
  std::size_t keep = 0;
  const std::size_t most = std::min(s.size(), previous.size());
  while (keep < most && s[keep] == previous[keep]) ++keep;
  put_varint(out, keep);
  put_string(out, s.substr(keep));
}
void put_value(std::string& out, const Value& v) {
  if (v.is_bool()) {
    out.push_back(static_cast<char>(Value::Kind::kBool));
    out.push_back(v.as_bool() ? 1 : 0);
  } else if (v.is_int()) {
    out.push_back(static_cast<char>(Value::Kind::kInt));
    put_varint(out, zigzag(v.as_int()));
  } else if (v.is_double()) {
    out.push_back(static_cast<char>(Value::Kind::kDouble));
    const double d = v.as_double();
    char raw[sizeof d];
    std::memcpy(raw, &d, sizeof d);
    out.append(raw, sizeof raw);
  } else if (v.is_string()) {
    out.push_back(static_cast<char>(Value::Kind::kString));
    put_string(out, v.as_string());
  } else {
    out.push_back(static_cast<char>(Value::Kind::kNull));
  }
}
void put_stamp(std::string& out, const Stamp& s) {
  put_varint(out, zigzag(s.physical_ms));
  put_varint(out, s.counter);
  put_string(out, s.device);
}

// Reads form 2; every read is bounds-checked, and a failed one leaves ok() false.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  bool ok() const { return ok_; }
  bool at_end() const { return at_ == bytes_.size(); }

  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (at_ >= bytes_.size()) return fail();
      const auto b = static_cast<unsigned char>(bytes_[at_++]);
      v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return v;
    }
    return fail();
  }
  std::uint8_t byte() {
    if (at_ >= bytes_.size()) return static_cast<std::uint8_t>(fail());
    return static_cast<std::uint8_t>(bytes_[at_++]);
  }
  std::string string() {
    const std::uint64_t n = varint();
    if (!ok_ || n > bytes_.size() - at_) {
      fail();
      return {};
    }
    std::string s(bytes_.substr(at_, n));
    at_ += n;
    return s;
  }
  // A form-3 string: a prefix of `previous`, then its own bytes.
  std::string shared(const std::string& previous) {
    const std::uint64_t keep = varint();
    if (!ok_ || keep > previous.size()) {
      fail();
      return {};
    }
    const std::uint64_t n = varint();
    if (!ok_ || n > bytes_.size() - at_) {
      fail();
      return {};
    }
    std::string s;
    s.reserve(keep + n);
    s.append(previous, 0, keep);
    s.append(bytes_.substr(at_, n));
    at_ += n;
    return s;
  }
  std::uint64_t delta(std::uint64_t previous) { return previous + static_cast<std::uint64_t>(unzigzag(varint())); }
  std::uint16_t counter() {
    const std::uint64_t c = varint();
    if (c > 0xFFFF) fail();
    return static_cast<std::uint16_t>(c);
  }
  Stamp stamp() {
    Stamp s;
    s.physical_ms = unzigzag(varint());
    s.counter = counter();
    s.device = string();
    return s;
  }
  double real() {
    if (bytes_.size() - at_ < sizeof(double)) return static_cast<double>(fail());
    double d = 0;
    std::memcpy(&d, bytes_.data() + at_, sizeof d);
    at_ += sizeof d;
    return d;
  }
  std::uint64_t fail() {
    ok_ = false;
    at_ = bytes_.size();
    return 0;
  }

 private:
  std::string_view bytes_;
  std::size_t at_ = 0;
  bool ok_ = true;
};

bool read_value(Reader& in, Value& value) {
  switch (static_cast<Value::Kind>(in.byte())) {
    case Value::Kind::kNull:
      value = Value::null();
      return true;
    case Value::Kind::kBool:
      value = Value::boolean(in.byte() != 0);
      return true;
    case Value::Kind::kInt:
      value = Value::integer(unzigzag(in.varint()));
      return true;
    case Value::Kind::kDouble:
      value = Value::real(in.real());
      return true;
    case Value::Kind::kString:
      value = Value::string(in.string());
      return true;
    default:
      return false;
  }
}

// Appends the entries of a form-3 record to `out`; false (and `out` as it was) if damaged.
bool decode_run(std::string_view bytes, std::vector<LogEntry>& out) {
  Reader in(bytes);
  if (in.byte() != static_cast<std::uint8_t>(kRunForm)) return false;
  const std::uint64_t count = in.varint();
  // Every entry takes more than 8 bytes: a larger count is damage, not a reason to reserve.
  if (!in.ok() || count > bytes.size() / 8) return false;
  const std::size_t before = out.size();
  out.reserve(before + count);
  LogEntry empty;
  for (std::uint64_t i = 0; i < count; ++i) {
    const LogEntry& prev = out.size() > before ? out.back() : empty;
    LogEntry e;
    e.seq = in.delta(prev.seq);
    const std::uint8_t outcome = in.byte();
    const std::uint8_t origin = in.byte();
    if (outcome > static_cast<std::uint8_t>(Outcome::kRejected) ||
        origin > static_cast<std::uint8_t>(Origin::kServer)) {
      in.fail();
    }
    e.outcome = static_cast<Outcome>(outcome);
    e.op.origin = static_cast<Origin>(origin);
    e.op.op = in.shared(prev.op.op);
    e.op.entity = in.shared(prev.op.entity);
    e.op.row = in.shared(prev.op.row);
    e.op.field = in.shared(prev.op.field);
    e.op.author = in.shared(prev.op.author);
    if (!read_value(in, e.op.value)) in.fail();
    e.op.hlc.physical_ms = static_cast<std::int64_t>(in.delta(static_cast<std::uint64_t>(prev.op.hlc.physical_ms)));
    e.op.hlc.counter = in.counter();
    e.op.hlc.device = in.shared(prev.op.hlc.device);
    const std::uint8_t has_base = in.byte();
    if (has_base > 1) in.fail();
    if (has_base == 1) {
      Stamp base;
      base.physical_ms = static_cast<std::int64_t>(in.delta(static_cast<std::uint64_t>(e.op.hlc.physical_ms)));
      base.counter = in.counter();
      base.device = in.shared(e.op.hlc.device);
      e.op.base = std::move(base);
    }
    if (!in.ok()) break;
    out.push_back(std::move(e));
  }
  if (!in.ok() || !in.at_end()) {
    out.resize(before);
    return false;
  }
  return true;
}

std::optional<LogEntry> decode_binary(std::string_view bytes) {
  Reader in(bytes);
  if (in.byte() != static_cast<std::uint8_t>(kBinaryForm)) return std::nullopt;
  LogEntry e;
  e.seq = in.varint();
  const std::uint8_t outcome = in.byte();
  const std::uint8_t origin = in.byte();
  if (outcome > static_cast<std::uint8_t>(Outcome::kRejected) || origin > static_cast<std::uint8_t>(Origin::kServer)) {
    return std::nullopt;
  }
  e.outcome = static_cast<Outcome>(outcome);
  e.op.origin = static_cast<Origin>(origin);
  e.op.op = in.string();
  e.op.entity = in.string();
  e.op.row = in.string();
  e.op.field = in.string();
  e.op.author = in.string();
  if (!read_value(in, e.op.value)) return std::nullopt;
  e.op.hlc = in.stamp();
  const std::uint8_t has_base = in.byte();
  if (has_base > 1) return std::nullopt;
  if (has_base == 1) e.op.base = in.stamp();
  if (!in.ok() || !in.at_end()) return std::nullopt;
  return e;
}

}  // namespace

std::string encode_entry_record(const LogEntry& entry) {
  const FieldOp& op = entry.op;
  std::string out;
  out.reserve(64 + op.op.size() + op.row.size() + op.author.size() +
              (op.value.is_string() ? op.value.as_string().size() : 0));
  out.push_back(kBinaryForm);
  put_varint(out, entry.seq);
  out.push_back(static_cast<char>(entry.outcome));
  out.push_back(static_cast<char>(op.origin));
  put_string(out, op.op);
  put_string(out, op.entity);
  put_string(out, op.row);
  put_string(out, op.field);
  put_string(out, op.author);
  put_value(out, op.value);
  put_stamp(out, op.hlc);
  out.push_back(op.base ? 1 : 0);
  if (op.base) put_stamp(out, *op.base);
  return out;
}

std::string encode_entry_run(std::span<const LogEntry* const> entries) {
  std::string out;
  out.reserve(16 + entries.size() * 48);
  out.push_back(kRunForm);
  put_varint(out, entries.size());
  const LogEntry empty;
  const LogEntry* prev = &empty;
  for (const LogEntry* e : entries) {
    const FieldOp& op = e->op;
    put_delta(out, e->seq, prev->seq);
    out.push_back(static_cast<char>(e->outcome));
    out.push_back(static_cast<char>(op.origin));
    put_shared(out, op.op, prev->op.op);
    put_shared(out, op.entity, prev->op.entity);
    put_shared(out, op.row, prev->op.row);
    put_shared(out, op.field, prev->op.field);
    put_shared(out, op.author, prev->op.author);
    put_value(out, op.value);
    put_delta(out, static_cast<std::uint64_t>(op.hlc.physical_ms),
              static_cast<std::uint64_t>(prev->op.hlc.physical_ms));
    put_varint(out, op.hlc.counter);
    put_shared(out, op.hlc.device, prev->op.hlc.device);
    out.push_back(op.base ? 1 : 0);
    if (op.base) {
      put_delta(out, static_cast<std::uint64_t>(op.base->physical_ms), static_cast<std::uint64_t>(op.hlc.physical_ms));
      put_varint(out, op.base->counter);
      put_shared(out, op.base->device, op.hlc.device);
    }
    prev = e;
  }
  return out;
}

bool is_entry_record(std::string_view bytes) {
  return !bytes.empty() && (bytes.front() == kBinaryForm || bytes.front() == kRunForm);
}

bool decode_entry_record(std::string_view bytes, std::vector<LogEntry>& out) {
  if (bytes.empty()) return false;
  if (bytes.front() == kRunForm) return decode_run(bytes, out);
  auto e = decode_binary(bytes);
  if (!e) return false;
  out.push_back(std::move(*e));
  return true;
}

}  // namespace rapidesk::sync
