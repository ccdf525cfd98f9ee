#include "store/replica_codec.h"

#include <cstring>
#include <ctime>

#include "rapidesk/sync/codec.h"

namespace rapidesk::client::store {

namespace {

// Stored form 2 (first byte kBinaryForm). Integers are LEB128 varints (signed ones zigzag);
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
std::uint64_t zigzag(std::int64_t v) { return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63); }
std::int64_t unzigzag(std::uint64_t v) { return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1); }
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
void put_value(std::string& out, const sync::Value& v) {
  if (v.is_bool()) {
    out.push_back(static_cast<char>(sync::Value::Kind::kBool));
    out.push_back(v.as_bool() ? 1 : 0);
  } else if (v.is_int()) {
    out.push_back(static_cast<char>(sync::Value::Kind::kInt));
    put_varint(out, zigzag(v.as_int()));
  } else if (v.is_double()) {
    out.push_back(static_cast<char>(sync::Value::Kind::kDouble));
    const double d = v.as_double();
    char raw[sizeof d];
    std::memcpy(raw, &d, sizeof d);
    out.append(raw, sizeof raw);
  } else if (v.is_string()) {
    out.push_back(static_cast<char>(sync::Value::Kind::kString));
    put_string(out, v.as_string());
  } else {
    out.push_back(static_cast<char>(sync::Value::Kind::kNull));
  }
}
void put_stamp(std::string& out, const sync::Stamp& s) {
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
  sync::Stamp stamp() {
    sync::Stamp s;
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

bool read_value(Reader& in, sync::Value& value) {
  switch (static_cast<sync::Value::Kind>(in.byte())) {
    case sync::Value::Kind::kNull: value = sync::Value::null(); return true;
    case sync::Value::Kind::kBool: value = sync::Value::boolean(in.byte() != 0); return true;
    case sync::Value::Kind::kInt: value = sync::Value::integer(unzigzag(in.varint())); return true;
    case sync::Value::Kind::kDouble: value = sync::Value::real(in.real()); return true;
    case sync::Value::Kind::kString: value = sync::Value::string(in.string()); return true;
    default: return false;
  }
}

// Appends the entries of a form-3 record to `out`; false (and `out` as it was) if damaged.
bool decode_run(std::string_view bytes, std::vector<sync::LogEntry>& out) {
  Reader in(bytes);
  if (in.byte() != static_cast<std::uint8_t>(kRunForm)) return false;
  const std::uint64_t count = in.varint();
  // Every entry takes more than 8 bytes: a larger count is damage, not a reason to reserve.
  if (!in.ok() || count > bytes.size() / 8) return false;
  const std::size_t before = out.size();
  out.reserve(before + count);
  sync::LogEntry empty;
  for (std::uint64_t i = 0; i < count; ++i) {
    const sync::LogEntry& prev = out.size() > before ? out.back() : empty;
    sync::LogEntry e;
    e.seq = in.delta(prev.seq);
    const std::uint8_t outcome = in.byte();
    const std::uint8_t origin = in.byte();
    if (outcome > static_cast<std::uint8_t>(sync::Outcome::kRejected) || origin > static_cast<std::uint8_t>(sync::Origin::kServer)) {
      in.fail();
    }
    e.outcome = static_cast<sync::Outcome>(outcome);
    e.op.origin = static_cast<sync::Origin>(origin);
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
      sync::Stamp base;
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

std::optional<sync::LogEntry> decode_binary(std::string_view bytes) {
  Reader in(bytes);
  if (in.byte() != static_cast<std::uint8_t>(kBinaryForm)) return std::nullopt;
  sync::LogEntry e;
  e.seq = in.varint();
  const std::uint8_t outcome = in.byte();
  const std::uint8_t origin = in.byte();
  if (outcome > static_cast<std::uint8_t>(sync::Outcome::kRejected) || origin > static_cast<std::uint8_t>(sync::Origin::kServer)) {
    return std::nullopt;
  }
  e.outcome = static_cast<sync::Outcome>(outcome);
  e.op.origin = static_cast<sync::Origin>(origin);
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

Status damaged(std::size_t index, const Text& why) {
  return Status::corrupt(format_text(Text{"The local copy is damaged near stored operation {}: {}",
                                          "本地副本在第 {} 条已存操作附近损坏：{}"},
                                     {same_text(std::to_string(index)), why}));
}

// Decodes form-1 (JSON wire form) entries [begin, end) of `stored` into `out`.
Status decode_json(std::span<const std::string> stored, std::size_t begin, std::size_t end, std::size_t first_index,
                   std::vector<sync::LogEntry>& out) {
  constexpr std::size_t kPage = 1000;
  std::string page;
  for (std::size_t from = begin; from < end; from += kPage) {
    const std::size_t to = std::min(end, from + kPage);
    page.assign("{\"protocol\":1,\"ops\":[");
    for (std::size_t i = from; i < to; ++i) {
      if (i != from) page += ',';
      page += stored[i];
    }
    page += "],\"cursor\":0,\"more\":false}";
    sync::DecodedPull decoded = sync::decode_pull(page);
    if (!decoded.ok() || !decoded.errors.empty()) {
      const Status& why = decoded.ok() ? decoded.errors.front().status : decoded.status;
      return damaged(first_index + from + (decoded.ok() ? decoded.errors.front().index : 0), why.message());
    }
    for (auto& e : decoded.entries) out.push_back(std::move(e));
  }
  return Status::ok();
}

}  // namespace

std::string encode_stored(const sync::LogEntry& entry) {
  const sync::FieldOp& op = entry.op;
  std::string out;
  out.reserve(64 + op.op.size() + op.row.size() + op.author.size() + (op.value.is_string() ? op.value.as_string().size() : 0));
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

std::string encode_stored_run(std::span<const sync::LogEntry* const> entries) {
  std::string out;
  out.reserve(16 + entries.size() * 48);
  out.push_back(kRunForm);
  put_varint(out, entries.size());
  const sync::LogEntry empty;
  const sync::LogEntry* prev = &empty;
  for (const sync::LogEntry* e : entries) {
    const sync::FieldOp& op = e->op;
    put_delta(out, e->seq, prev->seq);
    out.push_back(static_cast<char>(e->outcome));
    out.push_back(static_cast<char>(op.origin));
    put_shared(out, op.op, prev->op.op);
    put_shared(out, op.entity, prev->op.entity);
    put_shared(out, op.row, prev->op.row);
    put_shared(out, op.field, prev->op.field);
    put_shared(out, op.author, prev->op.author);
    put_value(out, op.value);
    put_delta(out, static_cast<std::uint64_t>(op.hlc.physical_ms), static_cast<std::uint64_t>(prev->op.hlc.physical_ms));
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

Result<std::vector<sync::LogEntry>> decode_stored(std::span<const std::string> stored, std::size_t first_index) {
  std::vector<sync::LogEntry> out;
  out.reserve(stored.size());
  // Runs of form-1 entries (written before form 2) go through the wire decoder together.
  std::size_t json_from = 0;
  bool in_json = false;
  for (std::size_t i = 0; i <= stored.size(); ++i) {
    const bool json = i < stored.size() && !stored[i].empty() && stored[i].front() == '{';
    if (in_json && !json) {
      if (Status s = decode_json(stored, json_from, i, first_index, out); !s) return s;
      in_json = false;
    }
    if (i == stored.size()) break;
    if (json) {
      if (!in_json) json_from = i;
      in_json = true;
      continue;
    }
    if (!stored[i].empty() && stored[i].front() == kRunForm) {
      if (!decode_run(stored[i], out)) return damaged(first_index + i, Text{"an unreadable record", "记录无法读取"});
      continue;
    }
    auto e = decode_binary(stored[i]);
    if (!e) return damaged(first_index + i, Text{"an unreadable record", "记录无法读取"});
    out.push_back(std::move(*e));
  }
  return out;
}

int local_utc_offset_minutes() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return static_cast<int>(local.tm_gmtoff / 60);
}

}  // namespace rapidesk::client::store
