// rapidesk-cli --db FILE [--server URL] [--json] [--lang zh|en] COMMAND [ARGS]
// Exit codes: 0 ok, 1 refused or failed, 2 usage error, 3 server unreachable (edits stay queued).
#include <iostream>

#include "cli.h"

namespace {

using namespace rapidesk;
using namespace rapidesk::cli;

void print_help(const Args& a) {
  std::cout << say(a, Text{"rapidesk-cli — Rapidesk from the command line: the same local copy, outbox and sync "
                           "as the desktop client.",
                           "rapidesk-cli —— 命令行版 Rapidesk：与桌面客户端相同的本地副本、待发队列和同步。"})
            << "\n\n"
            << say(a, Text{"Usage: rapidesk-cli --db FILE [--server URL] [--json] [--lang zh|en] COMMAND [ARGS]",
                           "用法：rapidesk-cli --db 文件 [--server 地址] [--json] [--lang zh|en] 命令 [参数]"})
            << "\n\n"
            << say(a, Text{"Commands:", "命令："}) << "\n";
  for (const Command& c : commands()) {
    std::string syn = say(a, c.synopsis);
    syn.resize(std::max<std::size_t>(syn.size(), 40), ' ');
    std::cout << "  " << syn << " " << say(a, c.summary) << "\n";
  }
  std::cout << "\n"
            << say(a, Text{"`rapidesk-cli COMMAND --help` explains one command. Option names take - or _ alike "
                           "(--sla-state, --sla_state); text that starts with -- goes after a lone --. Exit codes: 0 ok, "
                           "1 refused or failed, 2 usage error, 3 server unreachable (edits stay queued).",
                           "`rapidesk-cli 命令 --help` 查看单个命令的说明。选项名中的 - 与 _ 等同（--sla-state、"
                           "--sla_state）；以 -- 开头的文字请放在单独的 -- 之后。退出码：0 成功，1 被拒绝或失败，2 用法错误，"
                           "3 无法连接服务器（修改仍在队列中）。"})
            << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  auto args = parse_args(argc, argv);
  if (!args) {
    Args plain;
    for (int i = 1; i < argc; ++i) plain.json = plain.json || std::string_view(argv[i]) == "--json";
    return fail(plain, args.status());
  }
  const Args& a = *args;
  if (a.command.empty() || a.command == "help") {
    print_help(a);
    return a.command.empty() && !a.help ? 2 : 0;
  }
  for (const Command& c : commands()) {
    if (c.name != a.command) continue;
    if (a.help) {
      std::cout << "rapidesk-cli " << say(a, c.synopsis) << "\n\n" << say(a, c.summary) << "\n\n" << say(a, c.details) << "\n";
      return 0;
    }
    if (auto refused = unknown_option(c, a)) return fail(a, *refused);
    try {
      return c.run(a);
    } catch (const std::exception& e) {
      return fail(a, Status(ErrorCode::kInternal, Text{std::string("unexpected error: ") + e.what(),
                                                        std::string("意外错误：") + e.what()}));
    }
  }
  return fail(a, usage_error(format_text(Text{"Unknown command \"{}\"; run rapidesk-cli --help for the list.",
                                              "未知命令“{}”；运行 rapidesk-cli --help 查看命令列表。"},
                                         {same_text(a.command)})));
}
