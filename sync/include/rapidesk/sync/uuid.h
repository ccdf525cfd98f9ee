// UUIDv7 row ids (RFC 9562): 48-bit Unix ms, version 7, 74 random bits, variant 10.
// Made on the device that creates the row, so ids never clash and sort roughly by age.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace rapidesk::sync {

// Source of uniformly random 64-bit words. Injectable so that tests are exact.
using RandomSource = std::function<std::uint64_t()>;

// Canonical lower-case form "xxxxxxxx-xxxx-7xxx-[89ab]xxx-xxxxxxxxxxxx". Draws two words
// from `random`. unix_ms is clamped to 0..2^48-1.
std::string make_uuid_v7(std::int64_t unix_ms, const RandomSource& random);

// True for the canonical lower-case form with version 7 and the RFC variant.
bool is_uuid_v7(std::string_view text);

// The Unix ms embedded in a valid UUIDv7.
// REQUIRES: is_uuid_v7(text)
std::int64_t uuid_v7_time(std::string_view text);

}  // namespace rapidesk::sync
