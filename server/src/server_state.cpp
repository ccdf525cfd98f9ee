#include "rapidesk/server/server_state.h"

#include <chrono>

#include "rapidesk/server/tokens.h"

namespace rapidesk::server {

Instant system_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {
std::string make_dummy_hash(PasswordParams params) {
  auto hash = hash_password(make_token(), params);
  return hash ? *hash : std::string();
}
}  // namespace

ServerState::ServerState(ServerConfig config_in, std::unique_ptr<Storage> storage_in, std::ostream* log_out,
                         Clock clock_in, std::optional<Router> router_in)
    : config(std::move(config_in)),
      router(router_in ? std::move(*router_in) : make_router(config)),
      clock(std::move(clock_in)),
      dummy_password_hash(make_dummy_hash(password_params)),
      storage(std::move(storage_in)),
      login_limiter(LoginRateLimiter::Limits{config.login_failures_per_user, config.login_failures_per_address,
                                             static_cast<std::int64_t>(config.login_window_s) * 1000}),
      log(log_out) {
  sync = std::make_unique<SyncService>(*storage, [c = clock] { return c(); });
}

Status ServerState::start_sync() {
  if (Status s = sync->load(); !s) return s;
  announcer.announce(sync->durable_cursor());
  return Status::ok();
}

}  // namespace rapidesk::server
