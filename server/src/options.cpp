#include "rapidesk/server/options.h"

#include <charconv>
#include <cstdlib>

#include "rapidesk/server/admin_cli.h"
#include "rapidesk/server/storage.h"

namespace rapidesk::server {

namespace {

Status bad_option(std::string_view option, const Text& why) {
  return Status::invalid(format_text(Text{"option {}: {} (see --help)", "选项 {}：{}（参见 --help）"},
                                     {same_text(option), why}));
}

Status read_number(std::string_view option, std::string_view text, long long min, long long max, long long& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || out < min || out > max) {
    return bad_option(option, format_text(Text{"expected a whole number from {} to {}, got \"{}\"",
                                               "应为 {} 到 {} 之间的整数，实际为“{}”"},
                                          {same_text(std::to_string(min)), same_text(std::to_string(max)),
                                           same_text(text.substr(0, 32))}));
  }
  return Status::ok();
}

}  // namespace

Result<CommandLine> parse_command_line(const std::vector<std::string>& args) {
  CommandLine cl;
  if (const char* env = std::getenv("RAPIDESK_DATA"); env != nullptr && *env != '\0') cl.config.data_dir = env;
  if (cl.config.data_dir.empty()) cl.config.data_dir = "rapidesk-data";

  static constexpr std::string_view kTakesValue[] = {
      "--data", "--database", "--listen", "--config", "--threads", "--workers", "--token-ttl-days", "--header-timeout",
      "--body-timeout", "--idle-timeout", "--max-body-bytes", "--max-connections", "--max-connections-per-address",
      "--shutdown-grace",
      "--tls-cert", "--tls-key"};
  auto takes_value = [](std::string_view name) {
    for (auto v : kTakesValue) {
      if (v == name) return true;
    }
    return false;
  };

  // (name, value) pairs up to the first word that is not an option: the admin command.
  std::vector<std::pair<std::string, std::string>> options;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (!a.starts_with("-")) break;
    const size_t eq = a.find('=');
    if (a.starts_with("--") && eq != std::string::npos) {
      // A switch given a value is refused: --test-hooks=false must not turn the hooks on.
      const std::string name = a.substr(0, eq);
      if (name == "--help" || name == "--version" || name == "--test-hooks") {
        return bad_option(name, Text{"takes no value", "不接受取值"});
      }
      options.emplace_back(a.substr(0, eq), a.substr(eq + 1));
    } else if (takes_value(a)) {
      if (i + 1 >= args.size()) return bad_option(a, Text{"needs a value", "需要一个值"});
      options.emplace_back(a, args[++i]);
    } else {
      options.emplace_back(a, std::string());
    }
  }
  if (i < args.size()) {
    if (!is_admin_command(args[i])) {
      return Status::invalid(format_text(Text{"unknown command \"{}\"; commands: user, team, sla (see --help)",
                                              "未知命令“{}”；可用命令：user、team、sla（参见 --help）"},
                                         {same_text(args[i].substr(0, 64))}));
    }
    cl.admin_args.assign(args.begin() + static_cast<long>(i), args.end());
  }
  auto value_of = [&](size_t& k, const std::string&) -> Result<std::string> { return options[k].second; };

  // Pass 1: the config file, so that every flag overrides it whatever the order.
  for (size_t k = 0; k < options.size(); ++k) {
    if (options[k].first == "--config") {
      if (Status s = apply_config_file(options[k].second, cl.config); !s) return s;
    }
  }
  for (size_t k = 0; k < options.size(); ++k) {
    const std::string name = options[k].first;
    long long n = 0;
    auto number = [&](long long min, long long max) -> Status {
      auto v = value_of(k, name);
      if (!v) return v.status();
      return read_number(name, *v, min, max, n);
    };
    Status s;
    if (name == "--help" || name == "-h") {
      cl.help = true;
    } else if (name == "--version") {
      cl.version = true;
    } else if (name == "--test-hooks") {
      cl.config.test_hooks = true;
    } else if (name == "--config") {
      auto v = value_of(k, name);  // applied in pass 1
      if (!v) return v.status();
    } else if (name == "--data") {
      auto v = value_of(k, name);
      if (!v) return v.status();
      cl.config.data_dir = *v;
    } else if (name == "--database") {
      auto v = value_of(k, name);
      if (!v) return v.status();
      if (Status u = check_database_url(*v); !u) return bad_option(name, u.message());
      cl.config.database = *v;
    } else if (name == "--listen") {
      auto v = value_of(k, name);
      if (!v) return v.status();
      s = parse_listen(*v, cl.config.listen_host, cl.config.listen_port);
    } else if (name == "--tls-cert" || name == "--tls-key") {
      auto v = value_of(k, name);
      if (!v) return v.status();
      (name == "--tls-cert" ? cl.config.tls_cert : cl.config.tls_key) = *v;
    } else if (name == "--threads") {
      if (s = number(1, 256); s) cl.config.io_threads = static_cast<int>(n);
    } else if (name == "--workers") {
      if (s = number(1, 256); s) cl.config.worker_threads = static_cast<int>(n);
    } else if (name == "--token-ttl-days") {
      if (s = number(1, 3650); s) cl.config.token_ttl_days = static_cast<int>(n);
    } else if (name == "--header-timeout") {
      if (s = number(1, 3600); s) cl.config.header_timeout_s = static_cast<int>(n);
    } else if (name == "--body-timeout") {
      if (s = number(1, 3600); s) cl.config.body_timeout_s = static_cast<int>(n);
    } else if (name == "--idle-timeout") {
      if (s = number(1, 86'400); s) cl.config.idle_timeout_s = static_cast<int>(n);
    } else if (name == "--max-body-bytes") {
      if (s = number(1024, 1LL << 30); s) cl.config.max_body_bytes = static_cast<size_t>(n);
    } else if (name == "--max-connections") {
      if (s = number(1, 1'000'000); s) cl.config.max_connections = static_cast<int>(n);
    } else if (name == "--max-connections-per-address") {
      if (s = number(0, 1'000'000); s) cl.config.max_connections_per_address = static_cast<int>(n);
    } else if (name == "--shutdown-grace") {
      if (s = number(0, 3600); s) cl.config.shutdown_grace_s = static_cast<int>(n);
    } else {
      s = bad_option(name, Text{"unknown option", "未知选项"});
    }
    if (!s) return s;
  }
  return cl;
}

std::string usage_text() {
  return R"(rapidesk-server — the Rapidesk central server / Rapidesk 中央服务器

Usage / 用法:
  rapidesk-server [OPTIONS]                      serve HTTP + WebSocket / 启动服务
  rapidesk-server [--data DIR] [--database URL] COMMAND ...
                                                 administer accounts / 管理账户

Options (flags override the --config file, which overrides the defaults):
  --data DIR             data directory holding rapidesk.db (default: $RAPIDESK_DATA or ./rapidesk-data)
                         数据目录（存放 rapidesk.db）
  --database URL         keep the database in PostgreSQL instead of SQLite, e.g.
                         postgresql://rapidesk@db.example:5432/rapidesk (libpq URL; password
                         via ~/.pgpass or PGPASSWORD); attachments and the SLA policy stay in
                         --data. Several servers may share one database (and one --data
                         directory): see docs/deployment.md
                         使用 PostgreSQL 数据库代替 SQLite（附件与 SLA 策略仍在 --data）；
                         多个服务器可共用同一数据库与数据目录，见 docs/deployment.md
  --listen HOST:PORT     address to listen on (default 127.0.0.1:8080; port 0 = any free port,
                         the bound address is printed as "listening on HOST:PORT")  监听地址
  --config FILE          JSON config file; keys in docs/server.md  JSON 配置文件
  --threads N            I/O threads (default 2)  网络线程数
  --workers N            handler threads for database work and password hashing (default 16)  处理线程数
  --token-ttl-days N     sign-in tokens expire after N days (default 30)  令牌有效天数
  --header-timeout S     seconds allowed for a request's headers (default 10)  请求头超时
  --body-timeout S       seconds allowed for a request's body (default 30)  请求体超时
  --idle-timeout S       seconds an idle keep-alive connection is kept (default 60)  空闲连接超时
  --max-body-bytes N     largest request body accepted (default 8388608 = 8 MiB)  请求体上限
  --max-connections N    concurrent connections (default 1024)  最大连接数
  --max-connections-per-address N
                         concurrent connections from one address, an IPv6 /64 counting as one;
                         trusted proxies are not counted (default 256; 0 = no limit)
                         单个地址的最大连接数（IPv6 按 /64 计；可信代理不计）
  --shutdown-grace S     after SIGINT/SIGTERM, seconds in-flight requests may take (default 10)
  --tls-cert FILE, --tls-key FILE
                         serve HTTPS/WSS (TLS 1.2+) with this PEM certificate chain and key  启用 TLS
  --test-hooks           enable unauthenticated test routes (/_test/announce, /_test/sleep);
                         for automated tests only, never in production  仅用于自动化测试
  --help, --version

Commands / 命令:
  user add NAME --role field|agent|coordinator|admin --team TEAM
           [--display-name X] [--skills a,b] --password-stdin       add a user / 添加用户
  user list [--json]                                                 list users / 列出用户
  user disable NAME          disable and revoke all their tokens / 停用并吊销其全部令牌
  user enable NAME                                                   enable / 启用
  user passwd NAME --password-stdin                                  set password / 设置密码
  team add CODE --name NAME [--lead USER]                            add a team / 添加团队
  team set CODE [--name NAME] [--lead USER]                          change a team / 修改团队
  team list [--json]                                                 list teams / 列出团队
  sla show                                  print the SLA policy in force / 显示当前 SLA 策略
  sla set FILE          validate FILE and make it the SLA policy (a running server applies it
                        within 30 s) / 校验并设为 SLA 策略（运行中的服务器 30 秒内生效）

  --password-stdin reads one line from standard input (not echoed on a terminal).
  Team codes are 2-8 capital letters or digits (lower case is capitalised).
  Exit codes: 0 ok, 1 failed, 2 usage error.  退出码：0 成功，1 失败，2 用法错误。
)";
}

}  // namespace rapidesk::server
