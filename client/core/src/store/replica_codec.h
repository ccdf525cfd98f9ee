// How the profile stores ops: each outbox op as a compact binary record (form 2, a BLOB,
// sync::encode_entry_record), the pulled entries of one transaction as one record of a run
// of entries (form 3, sync::encode_entry_run); both forms are sync/entry_records.h's.
// Profiles written before hold one pulled entry per record, in form 2 or in the JSON wire
// form of a log entry (sync/codec.h, form 1); all three are read, form 1 through the
// decoder the network uses.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "rapidesk/shared/status.h"
#include "rapidesk/sync/protocol.h"

namespace rapidesk::client::store {

// Decodes stored records (any number, of any form) into their entries in order; kCorrupt
// naming the first bad record, counted from `first_index` (the position of stored[0] when
// a longer list is decoded in chunks).
Result<std::vector<sync::LogEntry>> decode_stored(std::span<const std::string> stored, std::size_t first_index = 0);

// The local UTC offset in minutes (for times typed or stamped on this device).
int local_utc_offset_minutes();

}  // namespace rapidesk::client::store
