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
constexpr char kBinaryForm = 0x02;

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
  sync::Stamp stamp() {
    sync::Stamp s;
    s.physical_ms = unzigzag(varint());
    const std::uint64_t counter = varint();
    if (counter > 0xFFFF) fail();
    s.counter = static_cast<std::uint16_t>(counter);
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
  switch (static_cast<sync::Value::Kind>(in.byte())) {
    case sync::Value::Kind::kNull: e.op.value = sync::Value::null(); break;
    case sync::Value::Kind::kBool: e.op.value = sync::Value::boolean(in.byte() != 0); break;
    case sync::Value::Kind::kInt: e.op.value = sync::Value::integer(unzigzag(in.varint())); break;
    case sync::Value::Kind::kDouble: e.op.value = sync::Value::real(in.real()); break;
    case sync::Value::Kind::kString: e.op.value = sync::Value::string(in.string()); break;
    default: return std::nullopt;
  }
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
  const sync::Value& v = op.value;
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
  put_stamp(out, op.hlc);
  out.push_back(op.base ? 1 : 0);
  if (op.base) put_stamp(out, *op.base);
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
