// Server settings: built-in defaults, overridden by a JSON config file, overridden by
// command-line flags. Every key and default is documented in docs/server.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "rapidesk/notify/webhook_sender.h"
#include "rapidesk/shared/status.h"

namespace rapidesk::server {

struct ServerConfig {
  std::filesystem::path data_dir;        // holds rapidesk.db (SQLite), blobs, the SLA policy
  // Empty: the database is SQLite in data_dir. A postgresql:// or postgres:// URL: the
  // database is PostgreSQL there (docs/server.md); data_dir still holds the files.
  std::string database;
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;      // 0 = an ephemeral port, printed at start

  int io_threads = 2;      // threads running socket I/O
  // Threads running handlers (SQLite, password hashing). Pushes wait in a handler for their
  // group commit, so more waiting handlers make larger commits: this is not a CPU count.
  int worker_threads = 16;
  int max_connections = 1024;
  // Connections one client address group (an IPv4 address, an IPv6 /64) may hold, so that
  // one host cannot take them all; trusted_proxies are not counted. 0 = no limit.
  int max_connections_per_address = 256;
  // Streams (/api/v1/stream) one user may hold open; a further one is refused with 429.
  // 0 = no limit.
  int max_streams_per_user = 8;

  int token_ttl_days = 30;

  // Timeouts, in seconds. A header must arrive whole within header_timeout of its first
  // byte (so a client sending one byte per second is cut off); a new connection must start
  // its request within header_timeout; a kept-alive connection may idle for idle_timeout.
  int header_timeout_s = 10;
  int body_timeout_s = 30;
  int idle_timeout_s = 60;
  int write_timeout_s = 30;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 8 * 1024 * 1024;

  // WebSocket stream: idle connections are pinged after half of this and dropped after it.
  int ws_idle_timeout_s = 60;
  std::size_t ws_max_queue = 64;  // queued messages per client before it is dropped as too slow
  // An open stream's sign-in is checked again this often (and when its token expires): a
  // stream of a user who signed out or was disabled is closed.
  int ws_auth_recheck_s = 30;

  // Reverse proxies (IP addresses) whose X-Forwarded-For is believed, so that the sign-in
  // limit per address and the log see the client's address, not the proxy's (forwarded.h).
  std::vector<std::string> trusted_proxies;

  // Failed logins allowed per sliding window, per user name and per remote address.
  int login_failures_per_user = 5;
  int login_failures_per_address = 20;
  int login_window_s = 60;

  int shutdown_grace_s = 10;  // after SIGTERM, in-flight work gets this long

  // Attachment files (PUT /api/v1/blobs/...): the largest file accepted, and how many
  // unfinished uploads one user may hold at a time.
  std::uint64_t max_attachment_bytes = std::uint64_t{50} << 20;
  int max_uploads_per_user = 8;
  // Free space on the data directory's volume that attachments never take: the database
  // needs it to go on taking changes (a push on a full disk fails).
  std::uint64_t attachment_disk_reserve_bytes = std::uint64_t{1} << 30;

  // SLA and assignment (docs/server.md, docs/sla.md). The SLA policy itself lives in the
  // data directory (PUT /api/v1/sla/policy, `rapidesk-server sla set`).
  std::string assignment_rules;  // JSON rules file; empty: the built-in defaults
  bool auto_assign = true;       // new requests without an owner are assigned by rule
  std::string duty_calendar;     // an SLA policy calendar giving on-duty hours; empty: always
  std::vector<notify::WebhookTarget> webhooks;  // breaches, escalations, ... (config file only)

  // Scheduled reports to the webhooks (config file key "reports", docs/server.md): the weekly
  // summary on Mondays and the monthly one on the 1st, at report_hour local time. Unset:
  // on when a webhook takes "report" events.
  std::optional<bool> weekly_report;
  std::optional<bool> monthly_report;
  int report_hour = 8;                    // 0..23, at report_utc_offset_minutes
  int report_utc_offset_minutes = 480;    // where a report's days start (+08:00)

  std::string tls_cert;  // PEM certificate chain; with tls_key: serve HTTPS and WSS only
  std::string tls_key;   // PEM private key (unencrypted)

  // Enables internal routes for tests (POST /_test/announce, GET /_test/sleep). Never in
  // production: they are unauthenticated.
  bool test_hooks = false;
};

// Applies the keys of a config object onto `config`. Unknown keys, wrong types and
// out-of-range values are kInvalid errors that name the key.
Status apply_config_json(const nlohmann::json& object, ServerConfig& config);
// Reads a JSON config file and applies it. kIo if unreadable, kInvalid if malformed.
Status apply_config_file(const std::filesystem::path& file, ServerConfig& config);
// Splits "HOST:PORT" ("127.0.0.1:8080", "[::1]:0", ":8080" = all interfaces).
Status parse_listen(std::string_view text, std::string& host, std::uint16_t& port);
// Checks cross-field rules (threads >= 1, limits > 0, cert and key both or neither).
Status validate_config(const ServerConfig& config);

}  // namespace rapidesk::server
