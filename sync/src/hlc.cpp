#include "rapidesk/sync/hlc.h"

#include <algorithm>
#include <chrono>

#include "rapidesk/shared/utf8.h"

namespace rapidesk::sync {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

bool is_device_char(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
         ch == '-';
}

int hex_value(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  return -1;  // upper case would break "string order = clock order", so it is refused
}

Status bad_stamp(std::string_view text, std::string_view why_en, std::string_view why_zh) {
  std::string shown(utf8_prefix(text, 100));
  return Status::invalid(format_text(Text{"\"{}\" is not a valid clock stamp ({}); expected "
                                          "\"<13-digit Unix ms>-<4 lowercase hex digits>-<device id>\".",
                                          "“{}”不是有效的时钟戳（{}）；应为“<13 位 Unix 毫秒>-<4 位小写十六进制>-<设备 ID>”。"},
                                     {same_text(shown), Text{std::string(why_en), std::string(why_zh)}}),
                         "hlc");
}

}  // namespace

bool is_valid_device_id(std::string_view device) {
  if (device.empty() || device.size() > kMaxDeviceIdLength) return false;
  return std::all_of(device.begin(), device.end(), is_device_char);
}

void append_stamp(std::string& out, const Stamp& stamp) {
  char buf[kStampPrefixLength];
  std::uint64_t ms = static_cast<std::uint64_t>(std::clamp<std::int64_t>(stamp.physical_ms, 0, kMaxPhysicalMs));
  for (int i = 12; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + ms % 10);
    ms /= 10;
  }
  buf[13] = '-';
  buf[14] = kHexDigits[(stamp.counter >> 12) & 0xF];
  buf[15] = kHexDigits[(stamp.counter >> 8) & 0xF];
  buf[16] = kHexDigits[(stamp.counter >> 4) & 0xF];
  buf[17] = kHexDigits[stamp.counter & 0xF];
  buf[18] = '-';
  out.append(buf, kStampPrefixLength);
  out.append(stamp.device);
}

std::string format_stamp(const Stamp& stamp) {
  std::string out;
  out.reserve(kStampPrefixLength + stamp.device.size());
  append_stamp(out, stamp);
  return out;
}

Result<Stamp> parse_stamp(std::string_view text) {
  if (text.size() < kStampPrefixLength + 1) return bad_stamp(text, "too short", "太短");
  Stamp s;
  for (std::size_t i = 0; i < 13; ++i) {
    const char ch = text[i];
    if (ch < '0' || ch > '9') return bad_stamp(text, "the time must be 13 digits", "时间必须是 13 位数字");
    s.physical_ms = s.physical_ms * 10 + (ch - '0');
  }
  if (text[13] != '-' || text[18] != '-') return bad_stamp(text, "missing \"-\"", "缺少“-”");
  std::uint32_t counter = 0;
  for (std::size_t i = 14; i < 18; ++i) {
    const int v = hex_value(text[i]);
    if (v < 0) {
      return bad_stamp(text, "the counter must be 4 lowercase hex digits", "计数器必须是 4 位小写十六进制数字");
    }
    counter = counter * 16 + static_cast<std::uint32_t>(v);
  }
  s.counter = static_cast<std::uint16_t>(counter);
  const std::string_view device = text.substr(kStampPrefixLength);
  if (!is_valid_device_id(device)) {
    return bad_stamp(text, "the device id must be 1 to 64 characters of A-Z, a-z, 0-9, _ or -",
                     "设备 ID 必须是 1 到 64 个字母、数字、_ 或 -");
  }
  s.device.assign(device);
  return s;
}

PhysicalClock system_physical_clock() {
  return [] {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  };
}

HybridClock::HybridClock(std::string device, PhysicalClock physical, std::int64_t max_drift_ms)
    : device_(std::move(device)), physical_(std::move(physical)), max_drift_ms_(max_drift_ms) {}

std::int64_t HybridClock::physical_now() const {
  const std::int64_t pt = std::clamp<std::int64_t>(physical_(), 0, kMaxPhysicalMs);
  highest_reading_ = std::max(highest_reading_, pt);
  return pt;
}

void HybridClock::set(std::int64_t l, std::uint32_t counter) {
  if (counter > kMaxCounter) {
    // Overflow: move to the next millisecond rather than wrap, which would go backwards.
    // Saturates at the end of the representable range (year 2286). The counter restarts at
    // 1: counter 0 is kept for stamps whose time was read off the physical clock (observe()).
    if (l < kMaxPhysicalMs) {
      ++l;
      counter = 1;
    } else {
      counter = kMaxCounter;
    }
  }
  l_ = l;
  c_ = counter;
}

Stamp HybridClock::now() {
  const std::int64_t pt = physical_now();
  if (pt > l_) {
    set(pt, 0);
  } else if (unissued_reading_) {
    // observe() moved the clock to a reading, (l_, 0), above everything taken in: issued as
    // it is, so that the stamp shows it was a reading (see observe()).
  } else {
    set(l_, c_ + 1);
  }
  unissued_reading_ = false;
  return last();
}

Status HybridClock::check_drift(const Stamp& remote) const {
  physical_now();  // a reading: highest_reading_ takes it in
  const std::int64_t ahead = remote.physical_ms - highest_reading_;
  if (ahead <= max_drift_ms_) return Status::ok();
  constexpr std::int64_t kMinute = 60'000;
  const auto minutes = [](std::int64_t ms) { return std::to_string((ms + kMinute - 1) / kMinute); };
  return Status::invalid(
      format_text(Text{"The clock of device \"{}\" is about {} minutes ahead of this clock (at most {} minutes are "
                       "allowed), so its changes were not accepted. Fix the date and time on device \"{}\" and "
                       "sync again.",
                       "设备“{}”的时钟比本机快约 {} 分钟（最多允许 {} 分钟），因此其修改未被接受。"
                       "请校正设备“{}”的日期和时间后重新同步。"},
                  {same_text(remote.device), same_text(minutes(ahead)), same_text(minutes(max_drift_ms_)),
                   same_text(remote.device)}),
      "hlc");
}

Result<Stamp> HybridClock::receive(const Stamp& remote) {
  if (Status s = check_drift(remote); !s) return s;
  observe(remote);
  unissued_reading_ = false;  // handed out here
  return last();
}

void HybridClock::observe(const Stamp& remote) {
  const std::int64_t pt = physical_now();
  const std::int64_t ml = std::clamp<std::int64_t>(remote.physical_ms, 0, kMaxPhysicalMs);
  // A stamp of this clock's own read back (a restarted server restoring its log, or another
  // server on one database) with counter 0 was a reading: the counter restarts only when
  // the physical clock is ahead of everything taken in (now(), observe()). Any other
  // stamp's time may be a client's.
  if (remote.counter == 0 && remote.device == device_) highest_reading_ = std::max(highest_reading_, ml);
  const std::int64_t l = std::max({l_, ml, pt});
  unissued_reading_ = false;
  if (l == l_ && l == ml) {
    set(l, std::max<std::uint32_t>(c_, remote.counter) + 1);
  } else if (l == l_) {
    set(l, c_ + 1);
  } else if (l == ml) {
    set(l, static_cast<std::uint32_t>(remote.counter) + 1);
  } else {
    set(l, 0);  // the reading is ahead of both: not yet handed out as a stamp
    unissued_reading_ = true;
  }
}

Stamp HybridClock::last() const { return Stamp{l_, static_cast<std::uint16_t>(c_), device_}; }

void HybridClock::restore(const Stamp& last) {
  if (Stamp{l_, static_cast<std::uint16_t>(c_), {}} < Stamp{last.physical_ms, last.counter, {}}) {
    l_ = std::clamp<std::int64_t>(last.physical_ms, 0, kMaxPhysicalMs);
    c_ = last.counter;
    unissued_reading_ = false;
  }
}

void HybridClock::rebase(const Stamp& floor) {
  l_ = std::clamp<std::int64_t>(floor.physical_ms, 0, kMaxPhysicalMs);
  c_ = floor.counter;
  highest_reading_ = 0;
  unissued_reading_ = false;
}

}  // namespace rapidesk::sync
