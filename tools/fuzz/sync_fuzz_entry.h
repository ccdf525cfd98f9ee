// The sync fuzz entry point, shared by the libFuzzer target (rapidesk-fuzz-sync) and the
// GoogleTest that replays tools/fuzz/corpus-regressions/, so every crash found stays a test.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rapidesk::sync::fuzz {

// Decodes `data` as a push batch, a pull page and a push result; merges whatever decodes
// through ServerMerge, a ClientReplica and a ReplicaStore; and checks invariants (replays
// change nothing, the replica equals the server, encode/decode round-trips). A broken
// invariant aborts with a message on stderr. Returns 0.
int run_one(const std::uint8_t* data, std::size_t size);

}  // namespace rapidesk::sync::fuzz
