// Compact binary records of log entries, for storing a log (the client's profile, the
// server's SQLite store); the network carries the JSON wire form (codec.h) instead.
//
// Form 2: one entry per record. Form 3: a run of entries in one record, each written
// against the entry before it, so the row ids, names, authors and devices that consecutive
// entries share are stored once and their seqs and stamps as small deltas. A run of the
// entries of one transaction is typically a fifth of their JSON size.
//
// Decoding checks the framing (every read bounds-checked, kinds and enums in range), not
// the values: a store's records were valid when written. Callers that merge what they read
// validate it there (ReplicaStore::apply checks every op).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rapidesk/sync/protocol.h"

namespace rapidesk::sync {

// Form 2: one entry.
std::string encode_entry_record(const LogEntry& entry);
// Form 3: the entries in the given order (each written against the one before).
std::string encode_entry_run(std::span<const LogEntry* const> entries);

// True if `bytes` starts like a form-2 or form-3 record (its first byte).
bool is_entry_record(std::string_view bytes);
// Appends the entries of one form-2 or form-3 record to `out`. false, with `out` as it was,
// if the record is damaged or of another form.
bool decode_entry_record(std::string_view bytes, std::vector<LogEntry>& out);

}  // namespace rapidesk::sync
