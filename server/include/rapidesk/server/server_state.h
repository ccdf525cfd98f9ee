// Everything a request handler may touch. Built once at start and shared by every thread;
// each member states its own thread-safety.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "rapidesk/shared/status.h"
#include "rapidesk/shared/time.h"
#include "rapidesk/server/blob_store.h"
#include "rapidesk/server/config.h"
#include "rapidesk/server/cursor_announcer.h"
#include "rapidesk/server/event_log.h"
#include "rapidesk/server/metrics.h"
#include "rapidesk/server/password.h"
#include "rapidesk/server/rate_limiter.h"
#include "rapidesk/server/router.h"
#include "rapidesk/server/sla_service.h"
#include "rapidesk/server/storage.h"
#include "rapidesk/server/stream_slots.h"
#include "rapidesk/server/sync_service.h"

namespace rapidesk::server {

using Clock = std::function<Instant()>;
Instant system_now();

struct ServerState {
  // `log_out` may be null (tests). The router defaults to make_router(config); tests may
  // pass their own.
  ServerState(ServerConfig config, std::unique_ptr<Storage> storage, std::ostream* log_out,
              Clock clock = system_now, std::optional<Router> router = std::nullopt);
  ServerState(const ServerState&) = delete;
  ServerState& operator=(const ServerState&) = delete;

  // Rebuilds the merged sync state from the stored log and starts the SLA service on it
  // (clocks, assignment). Call once before serving. The scheduler thread that fires SLA
  // deadlines is started separately (sla->start_scheduler()), so tests fire by hand.
  Status start_sync();

  // Constant after construction.
  const ServerConfig config;
  const Router router;
  const Clock clock;
  const PasswordParams password_params = kOwaspPasswordParams;
  // Hash of a random password, verified against for unknown users so that a login for a
  // name that does not exist costs as much as one with a wrong password.
  const std::string dummy_password_hash;

  // Thread-safe.
  std::unique_ptr<Storage> storage;
  // Built on `storage`; start_sync() loads its state before the server serves.
  std::unique_ptr<SyncService> sync;
  // Attachment files, in config.data_dir/blobs (directories made on first use).
  std::unique_ptr<BlobStore> blobs;
  Metrics metrics;
  CursorAnnouncer announcer;
  LoginRateLimiter login_limiter;
  StreamSlots stream_slots;
  EventLog log;
  // SLA clocks and assignment; observes every push of `sync`. Last, so that it (and its
  // scheduler thread) goes before everything it uses.
  std::unique_ptr<SlaService> sla;
};

}  // namespace rapidesk::server
