// The seam between the sync service and the server's own automation (SLA clocks,
// auto-assignment): what automation may read and write while the sync service holds its
// merge lock. Server-made edits are ordinary log entries (origin server), so replicas get
// them by pull, and they are committed in the same transaction as whatever caused them.
#pragma once

#include <functional>
#include <span>
#include <string_view>

#include "rapidesk/shared/time.h"
#include "rapidesk/sync/entry_log.h"
#include "rapidesk/sync/protocol.h"
#include "rapidesk/sync/replica_store.h"

namespace rapidesk::server {

// Valid only during the call it is handed to (the merge lock is held throughout).
class ServerEdits {
 public:
  virtual ~ServerEdits() = default;
  virtual const sync::ReplicaStore& store() const = 0;
  // Every entry merged so far, seq = index + 1 (including edits made through this object).
  virtual const sync::EntryLog& log() const = 0;
  // The server clock (UTC ms).
  virtual Instant now() const = 0;
  // A server-made op, stamped by the server clock; joins the surrounding commit.
  virtual sync::OpResult edit(std::string_view entity, std::string_view row, std::string_view field,
                              sync::Value value) = 0;
};

// Told about every push after it merged and its new requests were numbered.
class SyncObserver {
 public:
  virtual ~SyncObserver() = default;
  // What to do once the push is durable (announce it to the world: a webhook must never
  // name a request a failed commit lost); empty for nothing. Runs outside every lock, and
  // not at all when the push fails. Must not throw: the push is acknowledged by then.
  using WhenDurable = std::function<void()>;
  // Runs under the merge lock; edits made through `edits` are committed with the push and
  // acknowledged together with it. Must not block on I/O other than the storage it owns.
  virtual WhenDurable after_push(ServerEdits& edits) = 0;
  // Several servers on one database: runs under the merge lock after entries another server
  // committed were applied (that server already made their automatic edits). Must not edit;
  // only keeps what the observer tracks current.
  virtual void after_catch_up(const sync::ReplicaStore& store, const sync::EntryLog& log, Instant now) {
    (void)store, (void)log, (void)now;
  }
};

}  // namespace rapidesk::server
