// How the profile stores ops: each pulled entry and each outbox op as a compact binary
// record (form 2, a BLOB). Profiles written before hold the JSON wire form of a log entry
// (sync/codec.h, form 1); both are read, form 1 through the decoder the network uses.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "rapidesk/shared/status.h"
#include "rapidesk/sync/protocol.h"

namespace rapidesk::client::store {

std::string encode_stored(const sync::LogEntry& entry);
// Decodes stored entries (any number); kCorrupt naming the first bad one, counted from
// `first_index` (the position of stored[0] when a longer list is decoded in chunks).
Result<std::vector<sync::LogEntry>> decode_stored(std::span<const std::string> stored, std::size_t first_index = 0);

// The local UTC offset in minutes (for times typed or stamped on this device).
int local_utc_offset_minutes();

}  // namespace rapidesk::client::store
