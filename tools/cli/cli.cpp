#include "cli.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "rapidesk/client/attachment_store.h"
#include "rapidesk/client/server_api.h"
#include "rapidesk/shared/masking.h"

namespace rapidesk::cli {

std::optional<std::string> Args::option(std::string_view name) const {
  for (const auto& [k, v] : options) {
    if (k == name) return v;
  }
  return std::nullopt;
}

bool is_flag(std::string_view name) {
  for (std::string_view f : {"json", "help", "password-stdin", "overdue", "mine", "asc", "all", "open", "plain"}) {
    if (f == name) return true;
  }
  return false;
}

Status usage_error(const Text& t) { return Status::invalid(t, "usage"); }

Result<Args> parse_args(int argc, char** argv) {
  Args a;
  const char* lang = std::getenv("LANG");
  a.zh = lang != nullptr && std::string_view(lang).starts_with("zh");
  bool options_ended = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--" && !options_ended) {
      options_ended = true;  // what follows is text, even when it starts with "--"
      continue;
    }
    if (arg.starts_with("--") && arg.size() > 2 && !options_ended) {
      std::string name = arg.substr(2);
      std::optional<std::string> value;
      if (const auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      // One spelling: --sla_state and --sla-state are the same option.
      std::replace(name.begin(), name.end(), '_', '-');
      if (value && is_flag(name)) {
        return usage_error(format_text(Text{"--{} is a switch and takes no value; leave it out to turn it off.",
                                            "--{} 是开关，不带值；不需要时省略即可。"},
                                       {same_text(name)}));
      }
      if (!value && !is_flag(name)) {
        if (i + 1 >= argc) {
          return usage_error(format_text(Text{"Option --{} needs a value.", "选项 --{} 需要一个值。"}, {same_text(name)}));
        }
        value = argv[++i];
      }
      if (name == "db") a.db = *value;
      else if (name == "server") a.server = *value;
      else if (name == "json") a.json = true;
      else if (name == "help") a.help = true;
      else if (name == "lang") a.zh = value && value->starts_with("zh");
      else a.options.emplace_back(name, value.value_or("true"));
    } else if (arg == "-h" && !options_ended) {
      a.help = true;
    } else if (a.command.empty()) {
      a.command = arg;
    } else {
      a.positional.push_back(arg);
    }
  }
  return a;
}

std::string say(const Args& a, const Text& t) { return a.zh ? t.zh : t.en; }

void print_json(const nlohmann::json& j) { std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n"; }

int fail(const Args& a, const Status& s) {
  if (a.json) {
    print_json({{"error", {{"code", error_code_name(s.code())}, {"message", s.message().en}, {"message_zh", s.message().zh},
                           {"field", s.field()}}}});
  }
  std::cerr << "rapidesk-cli: " << say(a, s.message()) << "\n";
  if (s.field() == "usage") return 2;
  // 3 is "server unreachable"; one that answered it has no room for a file now did answer.
  if (s.code() == ErrorCode::kUnavailable && s.field() != client::AttachmentStore::kServerDiskFullField) return 3;
  return 1;
}

Result<std::unique_ptr<client::LocalReplica>> open_replica(const Args& a, bool load_state) {
  if (a.db.empty()) {
    return usage_error(Text{"Name the local database with --db FILE (one file per person).",
                            "请用 --db 文件 指定本地数据库（每人一个文件）。"});
  }
  client::LocalReplicaOptions o;
  o.load_state = load_state;
  auto r = client::LocalReplica::open(a.db, std::move(o));
  if (!r) return r.status();
  // --server names where the profile syncs from now on; `login` keeps it only once the
  // sign-in there succeeded, so a mistyped address with a failed sign-in changes nothing.
  if (!a.server.empty()) {
    if (auto address = client::ServerAddress::parse(a.server); !address) return address.status();
    if (a.command != "login") {
      if (Status s = (*r)->set_server_url(a.server); !s) return s;
    }
  }
  return r;
}

Result<std::unique_ptr<client::ReplicaReader>> open_reader(const Args& a, client::ProfileIdentity* who) {
  // Opening for reading still creates and migrates a new profile, so a first `list` works.
  auto r = open_replica(a, false);
  if (!r) return r.status();
  if (who) *who = (*r)->identity();
  return client::ReplicaReader::open(a.db);
}

void mask_contact(nlohmann::json& row, const client::ProfileIdentity& who) {
  auto contact = row.find("contact");
  if (contact == row.end() || !contact->is_string()) return;
  const auto owner = row.find("owner");
  const bool is_owner = owner != row.end() && owner->is_string() && *owner == who.user;
  // An unknown role sees what field staff see.
  *contact = contact_for(contact->get<std::string>(), from_wire<Role>(who.role).value_or(Role::kField), is_owner);
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<client::RequestFilter> filter_from(const Args& a) {
  client::RequestFilter f;
  if (auto v = a.option("status")) {
    std::string s = *v;
    for (std::size_t start = 0; start <= s.size();) {
      const std::size_t comma = std::min(s.find(',', start), s.size());
      if (comma > start) f.status.push_back(s.substr(start, comma - start));
      start = comma + 1;
    }
  }
  f.category = a.option("category").value_or("");
  f.priority = a.option("priority").value_or("");
  f.channel = a.option("channel").value_or("");
  f.owner = a.option("owner").value_or("");
  f.team = a.option("team").value_or("");
  f.sla_state = a.option("sla-state").value_or("");
  f.customer = a.option("customer").value_or("");
  f.search = a.option("search").value_or("");
  f.overdue = a.flag("overdue");
  f.open_only = a.flag("open");
  if (auto v = a.option("sort")) {
    auto sort = client::parse_request_sort(*v);
    if (!sort) {
      return usage_error(format_text(Text{"Unknown sort \"{}\"; use updated, created, priority, due, number, customer, "
                                          "status or title.",
                                          "未知的排序“{}”；可用 updated、created、priority、due、number、customer、status、title。"},
                                     {same_text(*v)}));
    }
    f.sort = *sort;
  }
  f.descending = !a.flag("asc");
  for (auto [name, out] : {std::pair{"limit", &f.limit}, std::pair{"offset", &f.offset}}) {
    auto n = whole_number_option(a, name);
    if (!n) return n.status();
    if (*n) *out = **n;
  }
  return f;
}

Result<std::optional<std::size_t>> whole_number_option(const Args& a, std::string_view name) {
  const auto v = a.option(name);
  if (!v) return std::optional<std::size_t>();
  std::size_t n = 0;
  const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (v->empty() || ec != std::errc() || end != v->data() + v->size()) {
    return usage_error(format_text(Text{"--{} needs a whole number of 0 or more, not \"{}\".",
                                        "--{} 需要一个不小于 0 的整数，而不是“{}”。"},
                                   {same_text(std::string(name)), same_text(*v)}));
  }
  return std::optional<std::size_t>(n);
}

std::vector<std::string> filter_options(std::initializer_list<std::string> extra) {
  std::vector<std::string> out = {"status", "category", "priority", "channel", "owner", "team",  "sla-state",
                                  "customer", "search", "overdue", "open", "sort", "asc", "limit", "offset"};
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

std::optional<Status> unknown_option(const Command& c, const Args& a) {
  if (std::find(c.options.begin(), c.options.end(), kAnyField) != c.options.end()) return std::nullopt;
  for (const auto& [name, value] : a.options) {
    if (std::find(c.options.begin(), c.options.end(), name) != c.options.end()) continue;
    std::string takes;
    for (const auto& o : c.options) takes += (takes.empty() ? "--" : ", --") + o;
    return usage_error(format_text(
        Text{"{} takes no option --{} ({}). Text that starts with -- goes after a lone --.",
             "{} 没有选项 --{}（{}）。以 -- 开头的文字请放在单独的 -- 之后。"},
        {same_text(c.name), same_text(name),
         takes.empty() ? Text{"it takes none", "它不带选项"} : Text{"it takes " + takes, "可用：" + takes}}));
  }
  return std::nullopt;
}

const std::vector<Command>& commands() {
  static const std::vector<Command> all = [] {
    std::vector<Command> out;
    add_sync_commands(out);
    add_edit_commands(out);
    add_read_commands(out);
    add_csv_commands(out);
    return out;
  }();
  return all;
}

}  // namespace rapidesk::cli
