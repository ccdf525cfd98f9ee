// Commands that talk to the server: login, logout, sync, status, report.
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "cli.h"
#include "rapidesk/client/server_api.h"
#include "rapidesk/client/sync_worker.h"

namespace rapidesk::cli {

namespace {

int run_login(const Args& a) {
  if (a.positional.size() != 1) {
    return fail(a, usage_error(Text{"Usage: login USER --password-stdin", "用法：login 用户名 --password-stdin"}));
  }
  if (!a.flag("password-stdin")) {
    return fail(a, usage_error(Text{"Pass the password on standard input with --password-stdin (it never appears in "
                                    "the process list or shell history).",
                                    "请用 --password-stdin 从标准输入提供密码（不会出现在进程列表或命令历史中）。"}));
  }
  std::string password;
  std::getline(std::cin, password);
  if (!password.empty() && password.back() == '\r') password.pop_back();
  auto replica = open_replica(a, false);
  if (!replica) return fail(a, replica.status());
  client::ProfileIdentity who = (*replica)->identity();
  if (!a.server.empty()) who.server_url = a.server;  // kept with the sign-in, once it succeeds
  if (who.server_url.empty()) {
    return fail(a, usage_error(Text{"Name the server once with --server URL (e.g. http://127.0.0.1:8080).",
                                    "请用 --server 地址 指定服务器（例如 http://127.0.0.1:8080），只需一次。"}));
  }
  auto address = client::ServerAddress::parse(who.server_url);
  if (!address) return fail(a, address.status());
  client::ServerApi api(*address);
  auto login = api.login(a.positional[0], password, who.device);
  if (!login) return fail(a, login.status());
  who = client::identity_after_login(std::move(who), *login);
  if (Status s = (*replica)->set_sign_in(who); !s) {
    (void)api.logout();  // the profile is someone else's: the token just issued is not left valid
    return fail(a, s);
  }
  if (a.json) {
    print_json({{"user", who.user}, {"display_name", who.display_name}, {"role", who.role}, {"team", who.team},
                {"device", who.device}, {"expires_at", who.token_expires_at}});
  } else {
    std::cout << say(a, format_text(Text{"Signed in as {} ({}, team {}).", "已登录：{}（{}，团队 {}）。"},
                                    {same_text(who.display_name.empty() ? who.user : who.display_name), same_text(who.role),
                                     same_text(who.team)}))
              << "\n";
  }
  return 0;
}

int run_logout(const Args& a) {
  auto replica = open_replica(a, false);
  if (!replica) return fail(a, replica.status());
  const auto who = (*replica)->identity();
  // Offline, the sign-in is forgotten here and the server's token expires on its own.
  Status revoked;
  if (!who.token.empty()) {
    auto address = client::ServerAddress::parse(who.server_url);
    if (!address) {
      revoked = address.status();
    } else {
      client::ServerApi api(*address);
      api.set_token(who.token);
      revoked = api.logout();
    }
  }
  if (Status s = (*replica)->forget_token(); !s) return fail(a, s);
  if (a.json) {
    print_json({{"signed_out", true}, {"server_told", revoked.is_ok()}});
    return 0;
  }
  std::cout << say(a, Text{"Signed out; local data and queued edits are kept.", "已退出登录；本地数据和待发修改均保留。"}) << "\n";
  if (!revoked) {
    std::cerr << say(a, format_text(Text{"The server could not be told ({}); the old sign-in stays valid there until "
                                         "it expires.",
                                         "无法通知服务器（{}）；原登录在服务器上仍有效，直到过期。"},
                                    {revoked.message()}))
              << "\n";
  }
  return 0;
}

int run_sync(const Args& a) {
  client::SyncWorkerOptions options;
  options.live_stream = false;
  auto pages = whole_number_option(a, "max-pages");
  if (!pages) return fail(a, pages.status());
  options.max_pages_per_round = pages->value_or(0);
  auto replica = open_replica(a);
  if (!replica) return fail(a, replica.status());
  client::SyncWorker worker(**replica, options);
  const bool tty = isatty(STDOUT_FILENO) != 0 && !a.json && !a.flag("plain");
  std::pair<int, std::uint64_t> last_line{-1, 0};
  auto show = [&](const client::SyncProgress& p) {
    if (a.json) return;
    const char* what = p.phase == client::SyncProgress::Phase::kPushing ? (a.zh ? "上传" : "push") : (a.zh ? "下载" : "pull");
    if (p.phase == client::SyncProgress::Phase::kDone) {
      if (tty) std::cout << "\n";
      return;
    }
    if (tty) {
      const double share = p.total == 0 ? 1.0 : std::min(1.0, static_cast<double>(p.done) / static_cast<double>(p.total));
      const int filled = static_cast<int>(share * 30);
      std::cout << "\r" << what << " [" << std::string(static_cast<std::size_t>(filled), '#')
                << std::string(static_cast<std::size_t>(30 - filled), ' ') << "] " << static_cast<int>(share * 100) << "% "
                << p.done << "/" << p.total << std::flush;
    } else if (std::pair<int, std::uint64_t>{static_cast<int>(p.phase), p.done} != last_line) {
      last_line = {static_cast<int>(p.phase), p.done};
      std::cout << what << " " << p.done << "/" << p.total << "\n";
    }
  };
  const Status s = worker.sync_once(show);
  const auto state = (*replica)->sync_state();
  // Also after a failed round, and what an earlier sync that was cut short left untold.
  const auto untold = (*replica)->take_unreported_refusals();
  const std::size_t refused_now = untold ? *untold : 0;
  // On stderr also with --json, whose failure answer has no room for it.
  if (refused_now > 0) std::cerr << say(a, client::refused_edits_text(refused_now)) << "\n";
  const client::SyncStatus after = worker.status();
  if (after.clock_ahead_ms > 0) std::cerr << say(a, client::clock_ahead_text(after.clock_ahead_ms)) << "\n";
  if (after.files_missing > 0) {
    std::cerr << say(a, client::missing_files_text(after.files_missing, after.file_problem)) << "\n";
  }
  if (!s) {
    if (s.code() == ErrorCode::kUnavailable && s.field() != "max_pages" && !a.json) {
      std::cerr << say(a, format_text(Text{"{} edits stay queued and will be sent by the next sync.",
                                           "{} 条修改仍在队列中，下次同步时发送。"},
                                      {same_text(std::to_string(state.pending_ops))}))
                << "\n";
    }
    return fail(a, s);
  }
  if (a.json) {
    print_json({{"cursor", state.cursor},
                {"pending", state.pending_ops},
                {"refused", refused_now},
                {"files_missing", after.files_missing},
                {"clock_ahead_ms", after.clock_ahead_ms}});
  } else {
    std::cout << say(a, format_text(Text{"Synced: up to date at cursor {}; {} edits awaiting confirmation.",
                                         "同步完成：已到游标 {}；{} 条修改等待确认。"},
                                    {same_text(std::to_string(state.cursor)), same_text(std::to_string(state.pending_ops))}))
              << "\n";
  }
  return 0;
}

int run_status(const Args& a) {
  auto replica = open_replica(a, false);
  if (!replica) return fail(a, replica.status());
  const auto who = (*replica)->identity();
  const auto st = (*replica)->sync_state();
  const nlohmann::json j{{"user", who.user},         {"role", who.role},           {"team", who.team},
                         {"device", who.device},     {"server", who.server_url},   {"signed_in", !who.token.empty()},
                         {"cursor", st.cursor},      {"pending", st.pending_ops},  {"unsent", st.unsent_ops},
                         {"last_sync", st.last_sync_ms ? format_iso8601(st.last_sync_ms) : ""}};
  if (a.json) print_json(j);
  else for (const auto& [k, v] : j.items()) std::cout << k << ": " << (v.is_string() ? v.get<std::string>() : v.dump()) << "\n";
  return 0;
}

// The summary resource for an output file's kind: "" (JSON), ".csv", ".xlsx" or ".html".
std::optional<std::string> report_suffix(const std::string& file) {
  std::string ext = std::filesystem::path(file).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".json") return std::string();
  if (ext == ".csv" || ext == ".xlsx" || ext == ".html") return ext;
  return std::nullopt;
}

int run_report(const Args& a) {
  const auto output = a.option("output");
  std::string target = "/api/v1/reports/summary";
  if (output) {
    auto suffix = report_suffix(*output);
    if (!suffix) {
      return fail(a, usage_error(Text{"--output must name a .json, .csv, .xlsx or .html file",
                                      "--output 必须是 .json、.csv、.xlsx 或 .html 文件"}));
    }
    target += *suffix;
  }
  auto replica = open_replica(a, false);
  if (!replica) return fail(a, replica.status());
  const auto who = (*replica)->identity();
  auto address = client::ServerAddress::parse(who.server_url);
  if (!address) return fail(a, address.status());
  client::ServerApi api(*address);
  api.set_token(who.token);
  target += "?";
  for (const char* key : {"from", "to", "group"}) {
    if (auto v = a.option(key)) target += std::string(key) + "=" + *v + "&";
  }
  target.pop_back();
  if (!output) {
    auto report = api.get_json(target);
    if (!report) return fail(a, report.status());
    print_json(*report);
    return 0;
  }
  auto response = api.http().get(target);
  if (!response) return fail(a, response.status());
  const Status cannot_write = Status::io(format_text(Text{"cannot write {}", "无法写入 {}"}, {same_text(*output)}));
  const std::string tmp = *output + ".part";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << response->body;
    if (!f.flush()) return fail(a, cannot_write);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, *output, ec);  // never a half-written report
  if (ec) return fail(a, cannot_write);
  if (a.json) print_json({{"file", *output}, {"bytes", response->body.size()}});
  else std::cout << say(a, format_text(Text{"Wrote the report to {}.", "报表已写入 {}。"}, {same_text(*output)})) << "\n";
  return 0;
}

}  // namespace

void add_sync_commands(std::vector<Command>& out) {
  out.push_back({"login", Text{"login USER --password-stdin", "login 用户名 --password-stdin"},
                 Text{"sign in (needs --server the first time)", "登录（首次需 --server）"},
                 Text{"Reads the password from standard input. The token is kept in the profile (created readable "
                      "by you only); after the first sign-in everything works offline.",
                      "从标准输入读取密码。令牌保存在配置文件中（仅您可读）；首次登录后可完全离线工作。"},
                 run_login, {"password-stdin"}});
  out.push_back({"logout", Text{"logout", "logout"}, Text{"sign out (local data stays)", "退出登录（保留本地数据）"},
                 Text{"Revokes the token on the server when reachable and forgets it here.", "可连接时在服务器上注销令牌，并在本地删除。"},
                 run_logout, {}});
  out.push_back({"sync", Text{"sync [--plain] [--max-pages N]", "sync [--plain] [--max-pages N]"}, Text{"send queued edits, fetch the others'", "发送待发修改并获取他人的修改"},
                 Text{"Pushes the outbox in batches, then pulls by cursor in pages; interrupted syncs resume where they "
                      "stopped. A progress bar on a terminal, plain lines otherwise (--plain forces lines). --max-pages N "
                      "stops the pull after N pages (on a slow link; exit 3, and the next sync goes on from there). "
                      "Exit 3 when the server cannot be reached: the edits stay queued.",
                      "分批上传待发队列，再按游标分页下载；中断的同步会从中断处继续。终端上显示进度条，否则逐行输出"
                      "（--plain 强制逐行）。--max-pages N 下载 N 页后停止（用于慢速网络；退出码为 3，下次同步从该处继续）。"
                      "无法连接服务器时退出码为 3，修改仍保留在队列中。"},
                 run_sync, {"plain", "max-pages"}});
  out.push_back({"status", Text{"status", "status"}, Text{"who, where, and what is queued", "当前用户、服务器和待发内容"},
                 Text{"The profile's user, device, server, cursor and queued edits.", "配置的用户、设备、服务器、游标和待发修改。"},
                 run_status, {}});
  out.push_back({"report", Text{"report [--from DATE] [--to DATE] [--group G] [--output FILE]",
                                "report [--from 日期] [--to 日期] [--group 分组] [--output 文件]"},
                 Text{"the review figures from the server", "来自服务器的复盘数据"},
                 Text{"Asks the server for the summary of a period (group: category, priority, channel, team, owner, "
                      "customer_tier) and prints it as JSON. With --output the server's report is saved in the file's "
                      "format: .json, .csv, .xlsx (Excel, three sheets) or .html (a printable page).",
                      "向服务器获取某一时期的汇总（分组：category、priority、channel、team、owner、customer_tier），以 JSON 输出。"
                      "使用 --output 时按文件类型保存服务器生成的报表：.json、.csv、.xlsx（Excel，三个工作表）或 .html"
                      "（可打印的页面）。"},
                 run_report, {"from", "to", "group", "output"}});
}

}  // namespace rapidesk::cli
