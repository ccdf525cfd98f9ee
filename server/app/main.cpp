// rapidesk-server: serves the Rapidesk API, or runs an administration command.
#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rapidesk/server/admin_cli.h"
#include "rapidesk/server/allocator.h"
#include "rapidesk/server/options.h"
#include "rapidesk/server/protocol.h"
#include "rapidesk/server/report_schedule.h"
#include "rapidesk/server/server.h"
#include "rapidesk/server/server_state.h"
#include "rapidesk/server/shared_instance.h"

namespace {

int report(const rapidesk::Status& status, int code) {
  std::cerr << "rapidesk-server: " << status.message().en << "\nrapidesk-server: " << status.message().zh << '\n';
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace rapidesk::server;
  tune_allocator_for_server();
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto command_line = parse_command_line(args);
  // A usage error exits 2; a config file that cannot be read is a runtime failure (1).
  if (!command_line) {
    return report(command_line.status(), command_line.status().code() == rapidesk::ErrorCode::kIo ? 1 : 2);
  }
  if (command_line->help) {
    std::cout << usage_text();
    return 0;
  }
  if (command_line->version) {
    std::cout << "rapidesk-server " << server_version() << " (protocol " << kProtocolVersion << ", schema "
              << latest_schema_version() << ")\n";
    return 0;
  }
  if (!command_line->admin_args.empty()) {
    return run_admin_command(command_line->config.data_dir, command_line->config.database, command_line->admin_args,
                             AdminIo{std::cin, std::cout, std::cerr, isatty(STDIN_FILENO) == 1},
                             command_line->config.duty_calendar);
  }

  ServerConfig config = std::move(command_line->config);
  if (rapidesk::Status s = validate_config(config); !s) return report(s, 2);
  auto storage = open_storage(config.data_dir, config.database);
  if (!storage) return report(storage.status(), 1);
  const std::string data_dir = config.data_dir.string();
  ServerState state(std::move(config), std::move(*storage), &std::cerr);
  if (rapidesk::Status s = state.start_sync(); !s) return report(s, 1);
  // Weekly and monthly reports to the webhooks; goes before `state`, which it reads.
  ReportSchedule reports(state, report_schedule_options(state));
  // The SLA scheduler and the reports run on one server: this one alone, or the leader
  // among several on one PostgreSQL database (shared_instance.h).
  std::unique_ptr<SharedInstance> shared;
  if (SharedLog* log = state.storage->shared_log()) {
    shared = std::make_unique<SharedInstance>(
        state, *log,
        SharedInstance::Roles{[&state, &reports]() -> rapidesk::Status {
                                // Rebuilt on the log and ledger as they are now.
                                if (rapidesk::Status s = state.sla->start(); !s) return s;
                                state.sla->start_scheduler();
                                reports.start();
                                return rapidesk::Status::ok();
                              },
                              [&state, &reports] {
                                state.sla->stop_scheduler();
                                reports.stop();
                              }});
    state.sla->set_fire_guard([&shared] { return shared->still_leading(); });
    reports.set_send_guard([&shared] { return shared->still_leading(); });
    shared->start();
  } else {
    state.metrics.set_sla_leader(true);
    state.sla->start_scheduler();
    reports.start();
  }
  Server server(state);
  auto address = server.start();
  if (!address) return report(address.status(), 1);
  // Scripts and tests read this line to learn the port when --listen asked for port 0.
  std::cout << "listening on " << *address << std::endl;
  state.log.event("info", "listening",
                  {{"address", *address},
                   {"data", data_dir},
                   {"database", state.config.database.empty() ? std::string("sqlite")
                                                              : redacted_database_url(state.config.database)},
                   {"schema", state.storage->schema_version()},
                   {"version", server_version()},
                   {"threads", state.config.io_threads},
                   {"workers", state.config.worker_threads},
                   {"tls", !state.config.tls_cert.empty()},
                   {"test_hooks", state.config.test_hooks}});
  server.run(/*handle_signals=*/true);
  state.log.event("info", "stopped", nullptr);
  return 0;
}
