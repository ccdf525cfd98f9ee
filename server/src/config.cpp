#include "rapidesk/server/config.h"

#include <cctype>
#include <charconv>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>

#include "rapidesk/server/json_body.h"
#include "rapidesk/shared/request_number.h"
#include "rapidesk/server/forwarded.h"
#include "rapidesk/server/storage.h"

namespace rapidesk::server {

namespace {

Status bad_key(std::string_view key, const Text& why) {
  return Status::invalid(format_text(Text{"config key \"{}\": {}", "配置项“{}”：{}"}, {same_text(key), why}),
                         std::string(key));
}

// Reads an integer in [min, max] into `out`.
template <typename T>
Status read_int(const nlohmann::json& v, std::string_view key, long long min, long long max, T& out) {
  if (!v.is_number_integer()) return bad_key(key, Text{"must be a whole number", "必须是整数"});
  const auto n = v.get<long long>();
  if (n < min || n > max) {
    return bad_key(key, format_text(Text{"must be between {} and {}", "必须在 {} 到 {} 之间"},
                                    {same_text(std::to_string(min)), same_text(std::to_string(max))}));
  }
  out = static_cast<T>(n);
  return Status::ok();
}

Status read_string(const nlohmann::json& v, std::string_view key, std::string& out) {
  if (!v.is_string()) return bad_key(key, Text{"must be a string", "必须是字符串"});
  out = v.get<std::string>();
  return Status::ok();
}

constexpr long long kDay = 86'400;

Status read_bool(const nlohmann::json& v, std::string_view key, bool& out) {
  if (!v.is_boolean()) return bad_key(key, Text{"must be true or false", "必须是 true 或 false"});
  out = v.get<bool>();
  return Status::ok();
}

// "webhooks": [{"url": "https://...", "team": "TECH" | "*", "format": "wecom",
//               "events": ["breach", "escalation"]}, ...]
Status read_webhooks(const nlohmann::json& v, std::string_view key, std::vector<notify::WebhookTarget>& out) {
  if (!v.is_array()) return bad_key(key, Text{"must be a list of webhook objects", "必须是 webhook 对象的列表"});
  std::vector<notify::WebhookTarget> targets;
  for (const auto& item : v) {
    if (!item.is_object()) return bad_key(key, Text{"each webhook must be an object", "每个 webhook 必须是一个对象"});
    notify::WebhookTarget t;
    t.team = "*";
    for (const auto& [name, value] : item.items()) {
      if (name == "url" && value.is_string()) {
        t.url = value.get<std::string>();
        if (auto url = notify::parse_webhook_url(t.url); !url) return bad_key(key, url.status().message());
      } else if (name == "team" && value.is_string()) {
        // Compared with the request's team exactly: "north" or a typo would never fire.
        t.team = value.get<std::string>();
        for (char& c : t.team) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (t.team != "*" && !is_valid_team_code(t.team)) {
          return bad_key(key, format_text(Text{"team \"{}\" is not a team code (2 to 8 of A-Z, 0-9) or \"*\"",
                                               "team“{}”不是团队代码（2 到 8 位 A-Z、0-9）或“*”"},
                                          {same_text(value.get<std::string>().substr(0, 32))}));
        }
      } else if (name == "format" && value.is_string()) {
        auto format = from_wire<notify::PayloadTemplate>(value.get<std::string>());
        if (!format) {
          return bad_key(key, format_text(Text{"format must be one of {}", "format 必须是以下之一：{}"},
                                          {same_text(wire_list<notify::PayloadTemplate>())}));
        }
        t.format = *format;
      } else if (name == "events" && value.is_array()) {
        for (const auto& e : value) {
          auto kind = e.is_string() ? from_wire<notify::EventKind>(e.get<std::string>()) : std::nullopt;
          if (!kind) {
            return bad_key(key, format_text(Text{"events must be a list of {}", "events 必须是以下名称的列表：{}"},
                                            {same_text(wire_list<notify::EventKind>())}));
          }
          t.events.push_back(*kind);
        }
      } else {
        return bad_key(key, format_text(Text{"unknown or mistyped member \"{}\" (use url, team, format, events)",
                                             "成员“{}”未知或类型错误（可用 url、team、format、events）"},
                                        {same_text(name.substr(0, 40))}));
      }
    }
    if (t.url.empty()) return bad_key(key, Text{"each webhook needs a \"url\"", "每个 webhook 都需要“url”"});
    targets.push_back(std::move(t));
  }
  out = std::move(targets);
  return Status::ok();
}

// "reports": {"weekly": true, "monthly": true, "hour": 8, "utc_offset": "+08:00"}
Status read_reports(const nlohmann::json& v, std::string_view key, ServerConfig& c) {
  if (!v.is_object()) return bad_key(key, Text{"must be an object", "必须是一个对象"});
  for (const auto& [name, value] : v.items()) {
    const std::string full = std::string(key) + "." + name;
    Status s;
    if (name == "weekly" || name == "monthly") {
      bool on = false;
      s = read_bool(value, full, on);
      if (s) (name == "weekly" ? c.weekly_report : c.monthly_report) = on;
    } else if (name == "hour") {
      s = read_int(value, full, 0, 23, c.report_hour);
    } else if (name == "utc_offset") {
      std::string text;
      s = read_string(value, full, text);
      if (s) {
        auto offset = parse_utc_offset(text);
        if (!offset) s = bad_key(full, Text{"must look like +08:00", "必须形如 +08:00"});
        else c.report_utc_offset_minutes = *offset;
      }
    } else {
      s = bad_key(full, Text{"unknown key (use weekly, monthly, hour, utc_offset)",
                             "未知配置项（可用 weekly、monthly、hour、utc_offset）"});
    }
    if (!s) return s;
  }
  return Status::ok();
}

}  // namespace

Status parse_listen(std::string_view text, std::string& host, std::uint16_t& port) {
  const Status bad = Status::invalid(format_text(
      Text{"\"{}\" is not HOST:PORT (e.g. 127.0.0.1:8080, [::1]:8080, 0.0.0.0:0)",
           "“{}”不是 主机:端口 格式（例如 127.0.0.1:8080、[::1]:8080、0.0.0.0:0）"},
      {same_text(text.substr(0, 100))}));
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad;
  std::string_view h = text.substr(0, colon);
  const std::string_view p = text.substr(colon + 1);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (p.empty() || ec != std::errc() || end != p.data() + p.size() || value > 65535) return bad;
  host = h.empty() ? "0.0.0.0" : std::string(h);
  port = static_cast<std::uint16_t>(value);
  return Status::ok();
}

Status apply_config_json(const nlohmann::json& object, ServerConfig& c) {
  if (!object.is_object()) {
    return Status::invalid(Text{"the config file must hold one JSON object", "配置文件必须是一个 JSON 对象"});
  }
  for (const auto& [key, v] : object.items()) {
    Status s;
    if (key == "data") {
      std::string dir;
      s = read_string(v, key, dir);
      if (s) c.data_dir = dir;
    } else if (key == "database") {
      std::string url;
      s = read_string(v, key, url);
      if (s) {
        if (Status u = check_database_url(url); !u) s = bad_key(key, u.message());
      }
      if (s) c.database = url;
    } else if (key == "listen") {
      std::string text;
      s = read_string(v, key, text);
      if (s) s = parse_listen(text, c.listen_host, c.listen_port);
    } else if (key == "threads") {
      s = read_int(v, key, 1, 256, c.io_threads);
    } else if (key == "workers") {
      s = read_int(v, key, 1, 256, c.worker_threads);
    } else if (key == "max_connections") {
      s = read_int(v, key, 1, 1'000'000, c.max_connections);
    } else if (key == "max_connections_per_address") {
      s = read_int(v, key, 0, 1'000'000, c.max_connections_per_address);
    } else if (key == "max_streams_per_user") {
      s = read_int(v, key, 0, 100'000, c.max_streams_per_user);
    } else if (key == "token_ttl_days") {
      s = read_int(v, key, 1, 3650, c.token_ttl_days);
    } else if (key == "header_timeout_seconds") {
      s = read_int(v, key, 1, 3600, c.header_timeout_s);
    } else if (key == "body_timeout_seconds") {
      s = read_int(v, key, 1, 3600, c.body_timeout_s);
    } else if (key == "idle_timeout_seconds") {
      s = read_int(v, key, 1, kDay, c.idle_timeout_s);
    } else if (key == "write_timeout_seconds") {
      s = read_int(v, key, 1, 3600, c.write_timeout_s);
    } else if (key == "max_header_bytes") {
      s = read_int(v, key, 1024, 1 << 20, c.max_header_bytes);
    } else if (key == "max_body_bytes") {
      s = read_int(v, key, 1024, 1LL << 30, c.max_body_bytes);
    } else if (key == "ws_idle_timeout_seconds") {
      s = read_int(v, key, 2, kDay, c.ws_idle_timeout_s);
    } else if (key == "ws_auth_recheck_seconds") {
      s = read_int(v, key, 1, kDay, c.ws_auth_recheck_s);
    } else if (key == "ws_max_queue") {
      s = read_int(v, key, 1, 100'000, c.ws_max_queue);
    } else if (key == "login_failures_per_user") {
      s = read_int(v, key, 1, 1'000'000, c.login_failures_per_user);
    } else if (key == "login_failures_per_address") {
      s = read_int(v, key, 1, 1'000'000, c.login_failures_per_address);
    } else if (key == "trusted_proxies") {
      std::vector<std::string> proxies;
      if (!v.is_array()) s = bad_key(key, Text{"must be a list of IP addresses", "必须是 IP 地址列表"});
      for (size_t i = 0; s && i < v.size(); ++i) {
        if (!v[i].is_string() || !is_ip_address(v[i].get_ref<const std::string&>())) {
          s = bad_key(key, Text{"must be a list of IP addresses (e.g. [\"10.0.0.5\"])",
                                "必须是 IP 地址列表（例如 [\"10.0.0.5\"]）"});
        } else {
          proxies.push_back(v[i].get<std::string>());
        }
      }
      if (s) c.trusted_proxies = std::move(proxies);
    } else if (key == "login_window_seconds") {
      s = read_int(v, key, 1, kDay, c.login_window_s);
    } else if (key == "shutdown_grace_seconds") {
      s = read_int(v, key, 0, 3600, c.shutdown_grace_s);
    } else if (key == "max_attachment_bytes") {
      s = read_int(v, key, 1, 1LL << 40, c.max_attachment_bytes);
    } else if (key == "max_uploads_per_user") {
      s = read_int(v, key, 1, 10'000, c.max_uploads_per_user);
    } else if (key == "attachment_disk_reserve_bytes") {
      s = read_int(v, key, 0, 1LL << 50, c.attachment_disk_reserve_bytes);
    } else if (key == "assignment_rules") {
      s = read_string(v, key, c.assignment_rules);
    } else if (key == "auto_assign") {
      s = read_bool(v, key, c.auto_assign);
    } else if (key == "duty_calendar") {
      s = read_string(v, key, c.duty_calendar);
    } else if (key == "webhooks") {
      s = read_webhooks(v, key, c.webhooks);
    } else if (key == "reports") {
      s = read_reports(v, key, c);
    } else if (key == "tls_cert") {
      s = read_string(v, key, c.tls_cert);
    } else if (key == "tls_key") {
      s = read_string(v, key, c.tls_key);
    } else {
      s = bad_key(key, Text{"unknown key (see docs/server.md for the list)", "未知配置项（完整列表见 docs/server.md）"});
    }
    if (!s) return s;
  }
  return Status::ok();
}

Status apply_config_file(const std::filesystem::path& file, ServerConfig& config) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    const int error = errno;  // the reason matters: a 0640 root:rapidesk file read by another user
    return Status::io(format_text(Text{"cannot read the config file {}: {}", "无法读取配置文件 {}：{}"},
                                  {same_text(file.string()), same_text(std::strerror(error))}));
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto json = parse_json_file_text(text.str());
  if (!json) {
    return Status::invalid(format_text(Text{"config file {}: {}", "配置文件 {}：{}"},
                                       {same_text(file.string()), json.status().message()}));
  }
  return apply_config_json(*json, config);
}

Status validate_config(const ServerConfig& c) {
  if (c.tls_cert.empty() != c.tls_key.empty()) {
    return Status::invalid(Text{"--tls-cert and --tls-key must be given together",
                                "--tls-cert 与 --tls-key 必须同时指定"});
  }
  if (c.io_threads < 1 || c.worker_threads < 1) {
    return Status::invalid(Text{"--threads and --workers must be at least 1", "--threads 与 --workers 至少为 1"});
  }
  return Status::ok();
}

}  // namespace rapidesk::server
