#include "rapidesk/server/admin_cli.h"

#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <iomanip>
#include <istream>
#include <map>
#include <ostream>
#include <sstream>

#include <fstream>
#include <nlohmann/json.hpp>

#include "rapidesk/shared/enums.h"
#include "rapidesk/shared/request_number.h"
#include "rapidesk/shared/utf8.h"
#include "rapidesk/server/auth.h"
#include "rapidesk/server/password.h"
#include "rapidesk/server/server_state.h"
#include "rapidesk/server/storage.h"
#include "sla/policy_file.h"

namespace rapidesk::server {

namespace {

constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;

// Parsed words of one command: positionals and --flags (with or without a value).
struct Words {
  std::vector<std::string> positional;
  std::map<std::string, std::string, std::less<>> flags;  // "--json" -> ""
};

int report(std::ostream& err, const Text& message, int code) {
  err << "error: " << message.en << "\n错误：" << message.zh << '\n';
  return code;
}

int report(std::ostream& err, const Status& status) {
  return report(err, status.message(), status.code() == ErrorCode::kInvalid ? kUsage : kFailed);
}

// Flags that take a value; the others are switches.
bool takes_value(std::string_view flag) {
  for (std::string_view f :
       {"--role", "--team", "--display-name", "--skills", "--name", "--lead", "--data", "--database"}) {
    if (f == flag) return true;
  }
  return false;
}

Result<Words> split_words(const std::vector<std::string>& args, size_t first,
                          const std::vector<std::string_view>& allowed) {
  // Names and display names are stored and listed as JSON: bytes of another encoding (a GBK
  // terminal) are refused here rather than failing every later listing.
  for (size_t i = first; i < args.size(); ++i) {
    if (first_invalid_utf8(args[i]) != std::string::npos) {
      return Status::invalid(Text{"an argument is not UTF-8 text; set the terminal to UTF-8 (e.g. LANG=C.UTF-8)",
                                  "有参数不是 UTF-8 文本；请将终端设为 UTF-8（例如 LANG=C.UTF-8）"});
    }
  }
  Words w;
  for (size_t i = first; i < args.size(); ++i) {
    std::string a = args[i];
    if (!a.starts_with("--")) {
      w.positional.push_back(a);
      continue;
    }
    std::string value;
    const size_t eq = a.find('=');
    if (eq != std::string::npos) {
      value = a.substr(eq + 1);
      a.resize(eq);
      // A switch given a value is refused: --password-stdin=SECRET would put the password in
      // `ps` and the shell history, and --json=false would still mean JSON.
      if (!takes_value(a)) {
        return Status::invalid(format_text(Text{"{} takes no value", "{} 不接受取值"}, {same_text(a.substr(0, 64))}));
      }
    } else if (takes_value(a)) {
      if (i + 1 >= args.size()) {
        return Status::invalid(format_text(Text{"{} needs a value", "{} 需要一个值"}, {same_text(a)}));
      }
      value = args[++i];
    }
    bool known = a == "--data" || a == "--database";
    for (auto f : allowed) known = known || f == a;
    if (!known) {
      return Status::invalid(format_text(Text{"unknown option {} for this command (see --help)",
                                              "此命令不支持选项 {}（参见 --help）"},
                                         {same_text(a.substr(0, 64))}));
    }
    w.flags[a] = value;
  }
  return w;
}

std::optional<std::string> flag(const Words& w, std::string_view name) {
  auto it = w.flags.find(name);
  if (it == w.flags.end()) return std::nullopt;
  return it->second;
}

Status need_positionals(const Words& w, size_t n, std::string_view usage) {
  if (w.positional.size() == n) return Status::ok();
  return Status::invalid(format_text(Text{"usage: {}", "用法：{}"}, {same_text(usage)}));
}

// Reads one line as the password; echo is off while typing on a terminal.
// The terminal's settings while echo is off, for a Ctrl-C or kill in the middle: the handler
// puts them back before the signal ends the program, so the shell does not stay silent.
termios g_terminal_before{};

void restore_terminal_and_die(int sig) {
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_terminal_before);
  struct sigaction plain {};
  plain.sa_handler = SIG_DFL;
  sigaction(sig, &plain, nullptr);
  raise(sig);
}

// One line from `io.in`; on a terminal with echo off (and the terminal restored however the
// read ends).
std::string read_secret_line(AdminIo& io, const char* prompt) {
  const bool hide = io.in_is_terminal && tcgetattr(STDIN_FILENO, &g_terminal_before) == 0;
  // The signals that end the program from the terminal or the system.
  constexpr int kEnding[] = {SIGINT, SIGTERM, SIGQUIT, SIGHUP};
  struct sigaction before[std::size(kEnding)] {};
  if (hide) {
    struct sigaction restore {};
    restore.sa_handler = restore_terminal_and_die;
    for (std::size_t i = 0; i < std::size(kEnding); ++i) {
      sigaction(kEnding[i], nullptr, &before[i]);
      if (before[i].sa_handler != SIG_IGN) sigaction(kEnding[i], &restore, nullptr);  // ignored stays ignored
    }
    termios quiet = g_terminal_before;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    io.err << prompt << std::flush;
  }
  std::string line;
  std::getline(io.in, line);
  if (hide) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_terminal_before);
    for (std::size_t i = 0; i < std::size(kEnding); ++i) sigaction(kEnding[i], &before[i], nullptr);
    io.err << '\n';
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

Result<std::string> read_password(AdminIo& io) {
  std::string line = read_secret_line(io, "Password / 密码: ");
  // Typed blind: a second time, so that a typo does not become the password.
  if (io.in_is_terminal && !line.empty() && read_secret_line(io, "Again / 再次输入: ") != line) {
    return Status::invalid(Text{"the two passwords typed differ; nothing was changed", "两次输入的密码不一致；未做任何更改"});
  }
  if (line.empty()) {
    return Status::invalid(Text{"the password read from standard input is empty", "从标准输入读取的密码为空"});
  }
  if (Status s = check_password(line); !s) return s;
  return line;
}

Result<std::string> normalised_team_code(std::string code) {
  for (char& c : code) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  if (!is_valid_team_code(code)) {
    return Status::invalid(format_text(Text{"team code \"{}\" must be 2 to 8 letters or digits (e.g. NORTH, HQ1)",
                                            "团队代码“{}”必须是 2 到 8 个字母或数字（例如 NORTH、HQ1）"},
                                       {same_text(code.substr(0, 32))}));
  }
  return code;
}

std::vector<std::string> split_skills(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
  }
  return out;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

int user_add(Storage& storage, const Words& w, AdminIo& io) {
  constexpr std::string_view kUsageText =
      "user add NAME --role field|agent|coordinator|admin --team TEAM [--display-name X] [--skills a,b] "
      "--password-stdin";
  if (Status s = need_positionals(w, 1, kUsageText); !s) return report(io.err, s);
  const std::string& name = w.positional[0];
  if (!is_valid_user_name(name)) {
    return report(io.err,
                  format_text(Text{"user name \"{}\" must be 1-64 of a-z, 0-9, '.', '_', '-' (starting with a letter "
                                   "or digit)",
                                   "用户名“{}”必须由 1 到 64 个 a-z、0-9、'.'、'_'、'-' 组成（以字母或数字开头）"},
                              {same_text(name.substr(0, 64))}),
                  kUsage);
  }
  auto role_text = flag(w, "--role");
  if (!role_text) return report(io.err, Text{"--role is required", "必须指定 --role"}, kUsage);
  auto role = from_wire<Role>(*role_text);
  if (!role) {
    return report(io.err,
                  format_text(Text{"unknown role \"{}\"; allowed roles: {}", "未知角色“{}”；可用角色：{}"},
                              {same_text(role_text->substr(0, 32)), same_text(wire_list<Role>())}),
                  kUsage);
  }
  auto team_text = flag(w, "--team");
  if (!team_text) return report(io.err, Text{"--team is required", "必须指定 --team"}, kUsage);
  auto team = normalised_team_code(*team_text);
  if (!team) return report(io.err, team.status());
  if (!flag(w, "--password-stdin")) {
    return report(io.err, Text{"a password is required: pass --password-stdin and write it to standard input",
                               "需要密码：请使用 --password-stdin 并从标准输入提供密码"},
                  kUsage);
  }
  // Fail on a duplicate before asking for a password.
  if (storage.find_user(name)) {
    return report(io.err, format_text(Text{"a user named \"{}\" already exists", "名为“{}”的用户已存在"},
                                      {same_text(name)}),
                  kFailed);
  }
  auto password = read_password(io);
  if (!password) return report(io.err, password.status());
  if (password->size() < 8) {
    io.err << "warning: passwords shorter than 8 characters are easy to guess\n"
              "警告：少于 8 个字符的密码容易被猜中\n";
  }
  auto hash = hash_password(*password);
  if (!hash) return report(io.err, hash.status());

  UserRecord user;
  user.name = name;
  user.display_name = flag(w, "--display-name").value_or(name);
  if (user.display_name.empty()) user.display_name = name;
  user.role = *role;
  user.team = *team;
  user.skills = split_skills(flag(w, "--skills").value_or(""));
  user.password_hash = *hash;
  user.created_at = system_now();
  auto team_created = storage.add_user_and_team(user);
  if (!team_created) return report(io.err, team_created.status());
  if (*team_created) {
    io.err << "note: team " << *team << " did not exist and was created; name it with: team set " << *team
           << " --name NAME\n注意：团队 " << *team << " 不存在，已自动创建；可用 team set " << *team
           << " --name 名称 设置名称\n";
  }
  const Text role_label = label(*role);
  io.out << "added user " << name << " (" << role_label.en << ", team " << *team << ")\n"
         << "已添加用户 " << name << "（" << role_label.zh << "，团队 " << *team << "）\n";
  return kOk;
}

int user_list(Storage& storage, const Words& w, AdminIo& io) {
  if (Status s = need_positionals(w, 0, "user list [--json]"); !s) return report(io.err, s);
  auto users = storage.list_users();
  if (!users) return report(io.err, users.status());
  if (flag(w, "--json")) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& u : *users) {
      out.push_back({{"name", u.name},
                     {"display_name", u.display_name},
                     {"role", to_wire(u.role)},
                     {"team", u.team},
                     {"skills", u.skills},
                     {"active", u.active},
                     {"created_at", format_iso8601(u.created_at)}});
    }
    io.out << out.dump(2) << '\n';
    return kOk;
  }
  io.out << std::left << std::setw(20) << "NAME" << std::setw(24) << "DISPLAY NAME" << std::setw(13) << "ROLE"
         << std::setw(9) << "TEAM" << std::setw(9) << "ACTIVE" << "SKILLS\n";
  for (const auto& u : *users) {
    io.out << std::left << std::setw(20) << u.name << std::setw(24) << u.display_name << std::setw(13)
           << to_wire(u.role) << std::setw(9) << u.team << std::setw(9) << (u.active ? "yes" : "no") << join(u.skills)
           << '\n';
  }
  return kOk;
}

int user_set_active(Storage& storage, const Words& w, AdminIo& io, bool active) {
  if (Status s = need_positionals(w, 1, active ? "user enable NAME" : "user disable NAME"); !s) {
    return report(io.err, s);
  }
  const std::string& name = w.positional[0];
  if (Status s = storage.set_user_active(name, active); !s) return report(io.err, s);
  if (active) {
    io.out << "enabled user " << name << "\n已启用用户 " << name << '\n';
  } else {
    io.out << "disabled user " << name << " and revoked all their tokens\n已停用用户 " << name
           << " 并吊销其全部令牌\n";
  }
  return kOk;
}

int user_passwd(Storage& storage, const Words& w, AdminIo& io) {
  if (Status s = need_positionals(w, 1, "user passwd NAME --password-stdin"); !s) return report(io.err, s);
  const std::string& name = w.positional[0];
  if (!flag(w, "--password-stdin")) {
    return report(io.err, Text{"pass --password-stdin and write the new password to standard input",
                               "请使用 --password-stdin 并从标准输入提供新密码"},
                  kUsage);
  }
  if (auto user = storage.find_user(name); !user) return report(io.err, user.status());
  auto password = read_password(io);
  if (!password) return report(io.err, password.status());
  auto hash = hash_password(*password);
  if (!hash) return report(io.err, hash.status());
  if (Status s = storage.set_password_hash(name, *hash); !s) return report(io.err, s);
  // A new password ends the sessions signed in with the old one (a stolen token among them).
  if (Status s = storage.revoke_user_tokens(name); !s) {
    return report(io.err, format_text(Text{"the password was changed, but the old sessions could not be ended ({}); "
                                           "run the command again",
                                           "密码已修改，但无法结束旧的登录会话（{}）；请再次运行此命令"},
                                      {s.message()}),
                  kFailed);
  }
  io.out << "changed the password of " << name << "; its devices sign in again\n已修改 " << name
         << " 的密码；其设备需重新登录\n";
  return kOk;
}

int team_add_or_set(Storage& storage, const Words& w, AdminIo& io, bool add) {
  if (Status s = need_positionals(w, 1, add ? "team add CODE --name NAME [--lead USER]"
                                            : "team set CODE [--name NAME] [--lead USER]");
      !s) {
    return report(io.err, s);
  }
  auto code = normalised_team_code(w.positional[0]);
  if (!code) return report(io.err, code.status());
  TeamRecord team;
  team.code = *code;
  if (!add) {
    auto existing = storage.find_team(*code);
    if (!existing) return report(io.err, existing.status());
    team = *existing;
  }
  if (auto name = flag(w, "--name")) {
    team.name = *name;
  } else if (add) {
    return report(io.err, Text{"--name is required", "必须指定 --name"}, kUsage);
  }
  if (team.name.empty()) return report(io.err, Text{"the team name must not be empty", "团队名称不能为空"}, kUsage);
  if (auto lead = flag(w, "--lead")) team.lead = lead->empty() ? std::nullopt : std::optional<std::string>(*lead);
  Status s = add ? storage.add_team(team) : storage.update_team(team);
  if (!s) return report(io.err, s);
  io.out << (add ? "added team " : "updated team ") << team.code << " (" << team.name << ")\n"
         << (add ? "已添加团队 " : "已更新团队 ") << team.code << "（" << team.name << "）\n";
  return kOk;
}

int team_list(Storage& storage, const Words& w, AdminIo& io) {
  if (Status s = need_positionals(w, 0, "team list [--json]"); !s) return report(io.err, s);
  auto teams = storage.list_teams();
  if (!teams) return report(io.err, teams.status());
  if (flag(w, "--json")) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& t : *teams) {
      out.push_back({{"code", t.code}, {"name", t.name}, {"lead", t.lead ? nlohmann::json(*t.lead) : nullptr}});
    }
    io.out << out.dump(2) << '\n';
    return kOk;
  }
  io.out << std::left << std::setw(10) << "CODE" << std::setw(30) << "NAME" << "LEAD\n";
  for (const auto& t : *teams) {
    io.out << std::left << std::setw(10) << t.code << std::setw(30) << t.name << t.lead.value_or("-") << '\n';
  }
  return kOk;
}

// sla show: the policy in force (the stored one, else the built-in default).
int sla_show(const std::filesystem::path& data_dir, const Words& w, AdminIo& io) {
  if (Status s = need_positionals(w, 0, "sla show"); !s) return report(io.err, s);
  auto document = read_policy_document(data_dir);
  if (!document) return report(io.err, document.status());
  io.out << document->json;
  if (document->json.empty() || document->json.back() != '\n') io.out << '\n';
  if (!document->from_data_dir) {
    io.err << "note: no policy stored in " << data_dir.string() << "; this is the built-in default\n"
           << "注意：" << data_dir.string() << " 中没有保存的策略，以上为内置默认策略\n";
  }
  return kOk;
}

// sla set FILE: validates FILE like PUT /api/v1/sla/policy and stores it in the data dir.
int sla_set(const std::filesystem::path& data_dir, std::string_view duty_calendar, const Words& w, AdminIo& io) {
  if (Status s = need_positionals(w, 1, "sla set FILE"); !s) return report(io.err, s);
  const std::string& file = w.positional[0];
  std::ifstream in(file, std::ios::binary);
  if (!in) return report(io.err, format_text(Text{"cannot read {}", "无法读取 {}"}, {same_text(file)}), kFailed);
  std::ostringstream text;
  text << in.rdbuf();
  auto policy = parse_policy(text.str());
  // The servers would refuse to start with a policy that lacks their on-duty calendar.
  Status valid = policy ? check_duty_calendar(*policy, std::string(duty_calendar)) : policy.status();
  if (!valid) {
    return report(io.err, format_text(Text{"{} is not a valid SLA policy: {}", "{} 不是有效的 SLA 策略：{}"},
                                      {same_text(file), valid.message()}),
                  kUsage);
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(data_dir, ec)) {
    return report(io.err, format_text(Text{"data directory {} does not exist", "数据目录 {} 不存在"},
                                      {same_text(data_dir.string())}),
                  kFailed);
  }
  if (Status s = write_policy_document(data_dir, text.str()); !s) return report(io.err, s.message(), kFailed);
  io.out << "stored the SLA policy from " << file << "; a running server applies it within 30 s\n"
         << "已保存 " << file << " 中的 SLA 策略；运行中的服务器将在 30 秒内生效\n";
  return kOk;
}

}  // namespace

// demo load FILE: the teams and users of assets/demo/demo.json (password "demo_password"),
// skipping those that exist, so tools/run can call it on every start.
int demo_load(Storage& storage, const std::string& file, AdminIo& io) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return report(io.err, format_text(Text{"cannot read {}", "无法读取 {}"}, {same_text(file)}), kFailed);
  const auto j = nlohmann::json::parse(in, nullptr, false);
  const auto not_demo = [&](std::string_view why) {
    return report(io.err, format_text(Text{"{} is not a demo data file ({})", "{} 不是演示数据文件（{}）"},
                                      {same_text(file), same_text(std::string(why))}),
                  kUsage);
  };
  if (j.is_discarded() || !j.is_object()) return not_demo("not a JSON object");
  if (!j.contains("demo_password") || !j["demo_password"].is_string()) return not_demo("demo_password");
  if (!j.contains("teams") || !j["teams"].is_array()) return not_demo("teams");
  if (!j.contains("users") || !j["users"].is_array()) return not_demo("users");
  // Everything is checked before anything is written.
  auto text = [](const nlohmann::json& o, const char* key) {
    return o.contains(key) && o[key].is_string() ? o[key].get<std::string>() : std::string();
  };
  std::vector<TeamRecord> teams;
  for (const auto& t : j["teams"]) {
    if (!t.is_object()) return not_demo("a team is not an object");
    auto code = normalised_team_code(text(t, "code"));
    if (!code) return report(io.err, code.status());
    teams.push_back({*code, text(t, "name").empty() ? *code : text(t, "name"), std::nullopt});
    if (!text(t, "lead").empty()) teams.back().lead = text(t, "lead");
  }
  std::vector<UserRecord> users;
  for (const auto& u : j["users"]) {
    if (!u.is_object()) return not_demo("a user is not an object");
    const std::string name = text(u, "name");
    auto role = from_wire<Role>(text(u, "role"));
    auto team = normalised_team_code(text(u, "team"));
    if (!is_valid_user_name(name) || !role || !team) return not_demo("a user's name, role or team");
    std::vector<std::string> skills;
    if (u.contains("skills")) {
      if (!u["skills"].is_array()) return not_demo("skills");
      for (const auto& k : u["skills"]) {
        if (!k.is_string()) return not_demo("skills");
        skills.push_back(k.get<std::string>());
      }
    }
    const std::string display = text(u, "display_name").empty() ? name : text(u, "display_name");
    users.push_back(UserRecord{name, display, *role, *team, std::move(skills), "", true, system_now()});
  }
  auto hash = hash_password(j["demo_password"].get<std::string>());
  if (!hash) return report(io.err, hash.status());
  int added = 0;
  for (const TeamRecord& t : teams) {
    if (storage.find_team(t.code).is_ok()) continue;
    if (Status s = storage.add_team({t.code, t.name, std::nullopt}); !s) return report(io.err, s);
    ++added;
  }
  for (UserRecord& u : users) {
    if (storage.find_user(u.name).is_ok()) continue;
    u.password_hash = *hash;
    if (Status s = storage.add_user(u); !s) return report(io.err, s);
    ++added;
  }
  for (const TeamRecord& t : teams) {
    if (!t.lead) continue;
    if (Status s = storage.update_team(t); !s) return report(io.err, s);
  }
  io.out << "demo data: " << added << " teams and users added / 已添加 " << added << " 个团队和用户\n";
  return kOk;
}

bool is_admin_command(std::string_view word) {
  return word == "user" || word == "team" || word == "demo" || word == "sla";
}

int run_admin_command(const std::filesystem::path& data_dir, const std::vector<std::string>& args, AdminIo io) {
  return run_admin_command(data_dir, {}, args, io);
}

int run_admin_command(const std::filesystem::path& data_dir_in, std::string_view database_in,
                      const std::vector<std::string>& args, AdminIo io, std::string_view duty_calendar) {
  if (args.size() < 2) {
    return report(io.err, Text{"usage: user add|list|disable|enable|passwd ..., team add|set|list ..., sla show|set ... "
                               "(see --help)",
                               "用法：user add|list|disable|enable|passwd ...，team add|set|list ...，sla show|set ..."
                               "（参见 --help）"},
                  kUsage);
  }
  const std::string& noun = args[0];
  const std::string& verb = args[1];
  std::vector<std::string_view> allowed;
  if (noun == "user" && verb == "add") {
    allowed = {"--role", "--team", "--display-name", "--skills", "--password-stdin"};
  } else if (noun == "user" && verb == "passwd") {
    allowed = {"--password-stdin"};
  } else if ((noun == "user" || noun == "team") && verb == "list") {
    allowed = {"--json"};
  } else if (noun == "team" && (verb == "add" || verb == "set")) {
    allowed = {"--name", "--lead"};
  } else if ((noun == "demo" && verb == "load") || (noun == "sla" && (verb == "show" || verb == "set"))) {
    allowed = {};
  } else if (!(noun == "user" && (verb == "disable" || verb == "enable"))) {
    return report(io.err,
                  format_text(Text{"unknown command \"{} {}\" (see --help)", "未知命令“{} {}”（参见 --help）"},
                              {same_text(noun), same_text(verb.substr(0, 32))}),
                  kUsage);
  }
  auto words = split_words(args, 2, allowed);
  if (!words) return report(io.err, words.status());
  std::filesystem::path data_dir = data_dir_in;
  if (auto d = flag(*words, "--data")) data_dir = *d;
  std::string database(database_in);
  if (auto d = flag(*words, "--database")) {
    if (Status s = check_database_url(*d); !s) return report(io.err, s);
    database = *d;
  }
  // The SLA policy is a file in the data directory: no database needed.
  if (noun == "sla" && verb == "show") return sla_show(data_dir, *words, io);
  if (noun == "sla") return sla_set(data_dir, duty_calendar, *words, io);

  // A mistyped or missing --data would otherwise quietly make a new database no server uses.
  const std::filesystem::path db_file = data_dir / kDatabaseFileName;
  std::error_code exists_ec;
  const bool new_database = database.empty() && !std::filesystem::exists(db_file, exists_ec);
  auto storage = open_storage(data_dir, database);
  if (!storage) return report(io.err, storage.status().message(), kFailed);
  if (new_database) {
    const std::string where = std::filesystem::absolute(db_file, exists_ec).string();
    io.err << "note: created a new database " << where << " (no server has used it yet; check --data)\n"
           << "注意：已新建数据库 " << where << "（尚无服务器使用；请核对 --data）\n";
  }
  Storage& store = **storage;
  if (noun == "demo") {
    if (Status s = need_positionals(*words, 1, "demo load FILE"); !s) return report(io.err, s);
    return demo_load(store, words->positional[0], io);
  }
  if (noun == "user") {
    if (verb == "add") return user_add(store, *words, io);
    if (verb == "list") return user_list(store, *words, io);
    if (verb == "disable") return user_set_active(store, *words, io, false);
    if (verb == "enable") return user_set_active(store, *words, io, true);
    return user_passwd(store, *words, io);
  }
  if (verb == "list") return team_list(store, *words, io);
  return team_add_or_set(store, *words, io, verb == "add");
}

}  // namespace rapidesk::server
