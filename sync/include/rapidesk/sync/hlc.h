// Hybrid logical clock (Kulkarni et al., "Logical Physical Clocks", 2014) and its stamps.
//
// A stamp is (physical ms, counter, device). Physical time is 48 bits on the wire as
// 13 zero-padded decimal digits (so the usable range ends at 9'999'999'999'999 ms, in the
// year 2286); the counter is 16 bits as 4 lowercase hex digits; the device id breaks ties:
//
//   1732345678901-002a-laptop-li
//
// Because both numeric parts are fixed width, comparing two wire strings byte by byte gives
// the same order as comparing the stamps (physical, counter, device).
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "rapidesk/shared/status.h"

namespace rapidesk::sync {

constexpr std::int64_t kMaxPhysicalMs = 9'999'999'999'999;  // 13 digits; < 2^48
constexpr std::uint32_t kMaxCounter = 0xFFFF;
constexpr std::size_t kMaxDeviceIdLength = 64;
constexpr std::size_t kStampPrefixLength = 19;               // "<13 digits>-<4 hex>-"
constexpr std::int64_t kDefaultMaxDriftMs = 5 * 60 * 1000;  // 5 minutes

struct Stamp {
  std::int64_t physical_ms = 0;  // Unix ms, 0..kMaxPhysicalMs
  std::uint16_t counter = 0;
  std::string device;            // see is_valid_device_id()

  // physical_ms and counter packed so that integer order is clock order (device aside).
  std::uint64_t clock() const { return (static_cast<std::uint64_t>(physical_ms) << 16) | counter; }

  // Clock order with the device id (bytewise) as tie-break: the order of the wire strings.
  friend std::strong_ordering operator<=>(const Stamp&, const Stamp&) = default;
  friend bool operator==(const Stamp&, const Stamp&) = default;
};

// 1..64 characters of [A-Za-z0-9_-].
bool is_valid_device_id(std::string_view device);

// The wire form, e.g. "1732345678901-002a-laptop-li".
// REQUIRES: 0 <= physical_ms <= kMaxPhysicalMs and a valid device id.
std::string format_stamp(const Stamp& stamp);
void append_stamp(std::string& out, const Stamp& stamp);

// Parses the wire form strictly (13 digits, 4 lowercase hex digits, valid device id);
// anything else is kInvalid with a message naming the expected shape.
Result<Stamp> parse_stamp(std::string_view text);

// Source of physical time in Unix ms. Injectable so that tests are exact.
using PhysicalClock = std::function<std::int64_t()>;
// The system's wall clock (std::chrono::system_clock).
PhysicalClock system_physical_clock();

// One device's hybrid logical clock. Not thread-safe: one owner (the replica or the
// server's merge state) calls it.
//
// Guarantees: every stamp from now() is greater than every stamp this clock issued or
// received before, even if the physical clock jumps backwards; the physical part never
// falls behind the physical clock; when the counter would pass 0xFFFF the physical part
// advances by 1 ms and the counter restarts at 1 (it never wraps; 0 is left to stamps whose
// time is a reading of the physical clock).
class HybridClock {
 public:
  // REQUIRES: is_valid_device_id(device), physical is callable.
  HybridClock(std::string device, PhysicalClock physical, std::int64_t max_drift_ms = kDefaultMaxDriftMs);

  // Send / local-event rule: l' = max(l, pt); c' = (l' == l) ? c + 1 : 0.
  Stamp now();

  // Receive rule for a stamp from another node. Rejects (kInvalid, field "hlc") a stamp
  // whose physical part is more than max_drift_ms ahead of this node's physical clock,
  // telling the user to fix that device's clock; the local clock is then left unchanged.
  // Otherwise l' = max(l, m.l, pt) and c' follows the paper; returns the new local stamp.
  Result<Stamp> receive(const Stamp& remote);

  // Receive rule without the drift check, for stamps an authority already accepted (a
  // replica pulling the server's log must not refuse the server's history).
  void observe(const Stamp& remote);

  // Ok, or the drift error receive() would return. Reads the physical clock. Drift is measured
  // from the highest reading this clock has made, so a physical clock stepped back (NTP fixing
  // a server that ran ahead) does not refuse the stamps of devices that took in its earlier
  // time. Readings count, and stamps of this clock's device with counter 0 read back by
  // observe() (a restarted server's log), which only a reading starts; no other stamp: its
  // time may be a remote one taken in, and counting those would let clients raise the bound
  // step by step.
  Status check_drift(const Stamp& remote) const;

  // The last stamp issued or absorbed (device is this clock's device).
  Stamp last() const;
  // Restores persisted state after a restart; the clock never goes below `last` again.
  void restore(const Stamp& last);
  // Moves the clock back to `floor` (the physical time takes over once it is later): for a
  // device whose wall clock was found ahead. Only stamps nobody accepted may lie above it.
  // The wrong clock's readings stop counting as the highest reading.
  void rebase(const Stamp& floor);

  const std::string& device() const { return device_; }
  std::int64_t max_drift_ms() const { return max_drift_ms_; }
  // The physical clock's reading, clamped to the representable range (noted as the highest
  // reading when it is).
  std::int64_t physical_now() const;

 private:
  // Sets (l, c) = (l, counter), carrying a counter overflow into the physical part.
  void set(std::int64_t l, std::uint32_t counter);

  std::string device_;
  PhysicalClock physical_;
  std::int64_t max_drift_ms_;
  std::int64_t l_ = 0;
  std::uint32_t c_ = 0;
  // The highest physical reading so far (see check_drift); a cache of readings, so const
  // functions that read the clock keep it.
  mutable std::int64_t highest_reading_ = 0;
  // observe() set (l_, 0) from a reading ahead of everything taken in, and now() has not yet
  // handed it out: now() issues it as it is, counter 0, rather than (l_, 1). A server that
  // merges a client's op and stamps its own edits in the same millisecond (numbering the new
  // request) so logs a reading its restart can find.
  bool unissued_reading_ = false;
};

}  // namespace rapidesk::sync
