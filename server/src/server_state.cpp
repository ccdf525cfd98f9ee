#include "rapidesk/server/server_state.h"

#include <chrono>
#include <exception>

#include <nlohmann/json.hpp>

#include "rapidesk/notify/webhook_url.h"
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
      stream_slots(config.max_streams_per_user),
      log(log_out) {
  sync = std::make_unique<SyncService>(*storage, [c = clock] { return c(); });
  sync->set_commit_listener(
      [this](std::size_t writers, std::size_t entries) { metrics.add_group_commit(writers, entries); });
  sync->set_stop_listener([this](const Status& why) {
    metrics.set_accepting_changes(false);
    log.event("error", "changes_stopped", {{"code", error_code_name(why.code())}, {"message", why.message().en}});
  });
  SlaServiceOptions sla_options;
  sla_options.data_dir = config.data_dir;
  sla_options.assignment_rules = config.assignment_rules;
  sla_options.auto_assign = config.auto_assign;
  sla_options.duty_calendar = config.duty_calendar;
  sla_options.webhooks = config.webhooks;
  sla_options.on_delivery = [this](const notify::DeliveryReport& r) {
    log.event(r.delivered ? "info" : "warning", "webhook",
              {{"url", notify::loggable_webhook_url(r.url)}, {"event", to_wire(r.kind)}, {"attempts", r.attempts}, {"status", r.last_status},
               {"delivered", r.delivered}, {"error", r.error}});
  };
  sla_options.on_commit = [this](std::uint64_t cursor) { announcer.announce(cursor); };
  sla_options.on_problem = [this](std::string_view event, const Status& s) {
    log.event("warning", event, {{"message", s.message().en}});
  };
  sla = std::make_unique<SlaService>(*sync, *storage, clock, std::move(sla_options));
  sync->set_observer(sla.get());
  blobs = open_file_blob_store(config.data_dir / kBlobDirName);
}

Status ServerState::start_sync() {
  // The merged state is rebuilt in memory: running out of it refuses to start with the reason
  // instead of aborting.
  try {
    if (Status s = sync->load(); !s) return s;
  } catch (const std::exception& e) {
    return Status(ErrorCode::kInternal, format_text(Text{"cannot load the sync log into memory: {}",
                                                         "无法将同步日志载入内存：{}"},
                                                    {same_text(e.what())}));
  }
  if (Status s = sla->start(); !s) return s;
  announcer.announce(sync->durable_cursor());
  return Status::ok();
}

}  // namespace rapidesk::server
