#include "cli.h"

#include <chrono>
#include <cstdio>
#include <iostream>

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
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.starts_with("--") && arg.size() > 2) {
      std::string name = arg.substr(2);
      std::optional<std::string> value;
      if (const auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      } else if (!is_flag(name)) {
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
    } else if (arg == "-h") {
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
  if (s.code() == ErrorCode::kUnavailable) return 3;
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
  if (!a.server.empty()) {
    if (Status s = (*r)->set_server_url(a.server); !s) return s;
  }
  return r;
}

Result<std::unique_ptr<client::ReplicaReader>> open_reader(const Args& a) {
  // Opening for reading still creates and migrates a new profile, so a first `list` works.
  auto r = open_replica(a, false);
  if (!r) return r.status();
  return client::ReplicaReader::open(a.db);
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
  auto number = [&](std::string_view name, std::size_t& out) -> Status {
    if (auto v = a.option(name)) {
      try {
        std::size_t used = 0;
        const long long n = std::stoll(*v, &used);
        if (used != v->size() || n < 0) throw std::invalid_argument("negative");
        out = static_cast<std::size_t>(n);
      } catch (const std::exception&) {
        return usage_error(format_text(Text{"--{} needs a whole number, not \"{}\".", "--{} 需要一个整数，而不是“{}”。"},
                                       {same_text(std::string(name)), same_text(*v)}));
      }
    }
    return Status::ok();
  };
  if (Status s = number("limit", f.limit); !s) return s;
  if (Status s = number("offset", f.offset); !s) return s;
  return f;
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
