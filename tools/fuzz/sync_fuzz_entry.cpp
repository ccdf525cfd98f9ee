#include "sync_fuzz_entry.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "rapidesk/sync/client_replica.h"
#include "rapidesk/sync/codec.h"
#include "rapidesk/sync/entry_records.h"
#include "rapidesk/sync/server_merge.h"

namespace rapidesk::sync::fuzz {

namespace {

constexpr std::int64_t kServerNow = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "rapidesk sync fuzz: invariant broken: %s\n", what);
    std::abort();
  }
}

bool same_status(const Status& a, const Status& b) {
  return a.code() == b.code() && a.message().en == b.message().en && a.message().zh == b.message().zh &&
         a.field() == b.field();
}

// The problem and each op's error: what every decoded body answers besides its own members.
template <typename Decoded>
bool same_answer(const Decoded& a, const Decoded& b) {
  if (a.problem != b.problem || !same_status(a.status, b.status) || a.errors.size() != b.errors.size()) return false;
  for (std::size_t i = 0; i < a.errors.size(); ++i) {
    const OpError &x = a.errors[i], &y = b.errors[i];
    if (x.index != y.index || x.op != y.op || x.problem != y.problem || !same_status(x.status, y.status)) return false;
  }
  return true;
}

// The decoders' fast paths answer exactly as the general decoders.
bool same_push(const DecodedPush& a, const DecodedPush& b) {
  return same_answer(a, b) && a.protocol == b.protocol && a.device == b.device && a.ops == b.ops;
}
bool same_pull(const DecodedPull& a, const DecodedPull& b) {
  return same_answer(a, b) && a.entries == b.entries && a.cursor == b.cursor && a.more == b.more;
}

void fuzz_push(const DecodedPush& push) {
  require(push.ops.size() + push.errors.size() <= CodecLimits{}.max_ops, "decoded more ops than the limit");

  // Encode -> decode round trip of what decoded.
  const DecodedPush again = decode_push(encode_push(push.device, push.ops));
  require(again.ok() && again.errors.empty() && again.ops == push.ops, "push round trip differs");

  ServerMerge server([] { return kServerNow; });
  const PushResult first = server.push(push.ops, "fuzz.user");
  require(first.results.size() == push.ops.size(), "one result per op");
  const std::string state = server.store().canonical_bytes();
  const std::uint64_t cursor = server.cursor();
  // A batch handed over (its ops moved into the log, grouped ones copied) merges the same.
  ServerMerge given([] { return kServerNow; });
  const PushResult given_answer = given.push(std::vector<FieldOp>(push.ops), "fuzz.user");
  require(given.store().canonical_bytes() == state, "a batch handed over merged differently");
  require(encode_push_result(given_answer) == encode_push_result(first), "a batch handed over answered differently");
  require(given.take_new_entries() == std::vector<LogEntry>(server.log().begin(), server.log().end()),
          "a batch handed over logged differently");

  // Replaying the batch changes nothing and answers each op as before (or as a duplicate).
  const PushResult second = server.push(push.ops, "fuzz.user");
  require(server.cursor() == cursor, "replay grew the log");
  require(server.store().canonical_bytes() == state, "replay changed the state");
  for (std::size_t i = 0; i < second.results.size(); ++i) {
    const bool acked_before = is_acknowledged(first.results[i].outcome);
    require(acked_before == is_acknowledged(second.results[i].outcome), "replay changed an answer");
  }

  // A replica applying the log ends in the server's state; also through the codec.
  ClientReplica client(ClientOptions{"fuzz-client", "fuzz.user", 1}, [] { return kServerNow; },
                       [] { return std::uint64_t{42}; });
  const DecodedPull page = decode_pull(encode_pull(server.pull(0, server.cursor()), server.cursor(), false));
  require(page.ok() && page.errors.empty(), "server log does not decode");
  require(page.entries.size() == server.log().size(), "pull round trip lost entries");
  require(client.on_pull(page.entries).is_ok(), "replica diverged from the server");
  require(client.confirmed().canonical_bytes() == state, "replica state differs from the server");
  // The stored form: the log as one binary run reads back whole.
  const std::vector<LogEntry> whole(server.log().begin(), server.log().end());
  // The log keeps references to the store's ops; what the merge handed over whole for
  // storing must be the same entries.
  require(server.take_new_entries() == whole, "entries handed over differ from the log");
  std::vector<const LogEntry*> refs;
  for (const LogEntry& e : whole) refs.push_back(&e);
  std::vector<LogEntry> stored;
  require(decode_entry_record(encode_entry_run(refs), stored), "stored run does not decode");
  require(stored.size() == refs.size(), "stored run lost entries");
  for (std::size_t i = 0; i < stored.size(); ++i) require(stored[i] == *refs[i], "stored run changed an entry");

  const DecodedPushResult answer = decode_push_result(encode_push_result(first));
  require(answer.ok() && answer.result.results.size() == first.results.size(), "push result round trip");

  // The plain store: replaying what it acknowledged changes nothing (a refused op leaves no
  // trace and is judged again, against the state it now finds); conflicts are readable.
  ReplicaStore store;
  std::vector<MergeResult> results;
  store.apply_batch(push.ops, &results);
  std::vector<FieldOp> acknowledged;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (is_acknowledged(results[i].outcome)) acknowledged.push_back(push.ops[i]);
  }
  const std::uint64_t h = store.state_hash();
  store.apply_batch(acknowledged);
  require(store.state_hash() == h, "store replay changed the state");
  for (const ConflictRecord& c : store.conflicts()) require(store.conflict(c.id).has_value(), "conflict lookup");
}

}  // namespace

int run_one(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);

  const DecodedPush push = decode_push(body);
  require(same_push(push, detail::decode_push_general(body)), "the push decoders disagree");
  if (push.ok()) {
    fuzz_push(push);
  } else {
    require(!push.status.is_ok(), "a batch-level problem without a status");
  }

  const DecodedPull pull = decode_pull(body);
  require(same_pull(pull, detail::decode_pull_general(body)), "the pull decoders disagree");
  if (pull.ok()) {
    ClientReplica client(ClientOptions{"fuzz-client", "fuzz.user", 1}, [] { return kServerNow; },
                         [] { return std::uint64_t{7}; });
    (void)client.on_pull(pull.entries);  // may legitimately refuse (gaps, divergence)
    (void)client.visible().canonical_bytes();
  }

  (void)decode_push_result(body);

  // Stored records are read back from disk: damaged ones must be refused, never crash.
  std::vector<LogEntry> stored;
  if (!decode_entry_record(body, stored)) require(stored.empty(), "a refused record left entries");
  return 0;
}

}  // namespace rapidesk::sync::fuzz
