// Data the client benchmarks share: realistic requests of 25 fields (Chinese and English
// text), made on a device and merged by the server's logic, and a replica pulling them.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "rapidesk/client/local_replica.h"
#include "rapidesk/shared/status.h"
#include "rapidesk/sqlite/database.h"
#include "rapidesk/sync/server_merge.h"

namespace rapidesk::bench {

// Descriptions mix a few domain words (each in about half of all requests) with words of a
// 1,600-word vocabulary drawn by Zipf's law, as words occur in real text: the word of
// rank 0 is the most frequent, and searches can be measured for rare, mid-frequency and
// common terms. The word of a rank (two CJK characters).
std::string vocabulary_word(std::size_t rank);

// The fields of request number `i`.
std::vector<sync::FieldEdit> request_fields(std::mt19937_64& rng, int i);

// Pushes `n` requests into `server`'s log, as one device made them (`now` is the clock the
// server and device read; advanced as it goes). `rows` receives each request's fields.
Status build_server_log(sync::ServerMerge& server, int n, std::mt19937_64& rng, std::int64_t& now,
                        std::vector<std::vector<sync::FieldEdit>>* rows);

// Applies the whole log to `replica` as the sync worker does: pages of 1000, applied
// together once they hold SyncWorkerOptions::apply_entries entries.
Status pull_all(sync::ServerMerge& server, client::LocalReplica& replica);

// The baseline of the pull benchmarks: `rows` inserted into a plain table `requests` of `db`
// (one column per field, an id primary key, no other index), 1000 per transaction. Rows/s;
// 0 if a statement failed.
double plain_insert_rows_per_s(sqlite::Database& db, const std::vector<std::vector<sync::FieldEdit>>& rows);

}  // namespace rapidesk::bench
