#include "rapidesk/sync/uuid.h"

#include <algorithm>

namespace rapidesk::sync {

namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr std::size_t kUuidLength = 36;

bool is_lower_hex(char ch) { return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'); }

int hex_value(char ch) { return ch <= '9' ? ch - '0' : ch - 'a' + 10; }

}  // namespace

std::string make_uuid_v7(std::int64_t unix_ms, const RandomSource& random) {
  const std::uint64_t ms = static_cast<std::uint64_t>(std::clamp<std::int64_t>(unix_ms, 0, (std::int64_t{1} << 48) - 1));
  const std::uint64_t r1 = random();
  const std::uint64_t r2 = random();
  std::uint8_t bytes[16];
  for (int i = 0; i < 6; ++i) bytes[i] = static_cast<std::uint8_t>(ms >> (8 * (5 - i)));
  bytes[6] = static_cast<std::uint8_t>(0x70 | ((r1 >> 8) & 0x0F));  // version 7 + rand_a
  bytes[7] = static_cast<std::uint8_t>(r1);
  bytes[8] = static_cast<std::uint8_t>(0x80 | ((r1 >> 16) & 0x3F));  // variant 10 + rand_b
  for (int i = 9; i < 16; ++i) bytes[i] = static_cast<std::uint8_t>(r2 >> (8 * (i - 9)));
  std::string out;
  out.reserve(kUuidLength);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 0xF];
  }
  return out;
}

bool is_uuid_v7(std::string_view text) {
  // Checked on every op (row ids), so branch-light: hex runs, then the four dashes.
  if (text.size() != kUuidLength || text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-') {
    return false;
  }
  bool ok = true;
  for (std::size_t i : {0u, 1u, 2u, 3u, 4u, 5u, 6u, 7u, 9u, 10u, 11u, 12u, 14u, 15u, 16u, 17u, 19u, 20u, 21u, 22u,
                        24u, 25u, 26u, 27u, 28u, 29u, 30u, 31u, 32u, 33u, 34u, 35u}) {
    ok &= is_lower_hex(text[i]);
  }
  return ok && text[14] == '7' && (text[19] == '8' || text[19] == '9' || text[19] == 'a' || text[19] == 'b');
}

std::int64_t uuid_v7_time(std::string_view text) {
  std::int64_t ms = 0;
  for (std::size_t i = 0; i < 13; ++i) {
    if (i == 8) continue;
    ms = ms * 16 + hex_value(text[i]);
  }
  return ms;
}

}  // namespace rapidesk::sync
