// Commands that read the local copy: show, list, conflicts, dashboard, kb, rejected.
// They work offline and never change anything.
#include <iomanip>
#include <iostream>

#include "cli.h"
#include "rapidesk/client/attachment_store.h"
#include "rapidesk/client/offline_sla.h"
#include "rapidesk/shared/utf8.h"

namespace rapidesk::cli {

namespace {

std::string str(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return "";
  if (j[key].is_string()) return j[key].get<std::string>();
  return j[key].dump();
}

// Cuts to `width` display columns (CJK characters take two).
std::string cell(const std::string& s, std::size_t width) {
  std::string out;
  std::size_t used = 0;
  for (std::size_t i = 0; i < s.size();) {
    const CodePoint cp = next_code_point(s, i);
    const std::size_t w = cp.value >= 0x800 ? 2 : 1;  // three-byte characters (CJK among them) are wide
    if (used + w > width) break;
    out.append(s, i, cp.length);
    used += w;
    i += cp.length;
  }
  out.append(width - used, ' ');
  return out;
}

// The SLA column: the server's state when it has judged the request, else the clock
// computed on this device.
std::string sla_text(const Args& a, const nlohmann::json& r) {
  if (!str(r, "sla_state").empty()) return str(r, "sla_state");
  auto reading = client::offline_sla({str(r, "category"), str(r, "priority"), str(r, "status"), str(r, "contacted_at")}, now_ms());
  if (!reading) return "";
  const std::int64_t minutes = std::abs(reading->remaining_ms) / 60000;
  const std::string span = std::to_string(minutes / 60) + "h" + std::to_string(minutes % 60) + "m";
  return say(a, Text{"(local) ", "（本地）"}) +
         (reading->remaining_ms < 0 ? say(a, Text{"overdue ", "已超时 "}) : std::string()) + span;
}

int run_show(const Args& a) {
  if (a.positional.size() != 1) return fail(a, usage_error(Text{"Usage: show ID", "用法：show 编号"}));
  client::ProfileIdentity who;
  auto reader = open_reader(a, &who);
  if (!reader) return fail(a, reader.status());
  auto r = (*reader)->request(a.positional[0]);
  if (!r) return fail(a, r.status());
  mask_contact(*r, who);
  const client::AttachmentStore files(a.db);
  for (auto& f : (*r)["attachments"]) {
    const std::string sha = str(f, "sha256");
    f["local_path"] = files.has(sha) ? nlohmann::json(files.path_of(sha).string()) : nlohmann::json();
  }
  if (a.json) {
    print_json(*r);
    return 0;
  }
  for (const auto& [k, v] : r->items()) {
    if (v.is_null() || v.is_array()) continue;
    std::cout << std::left << std::setw(24) << k << " " << (v.is_string() ? v.get<std::string>() : v.dump()) << "\n";
  }
  for (const char* list : {"collaborators", "tags"}) {
    if ((*r)[list].is_array() && !(*r)[list].empty()) std::cout << std::setw(24) << list << " " << (*r)[list].dump() << "\n";
  }
  if (!(*r)["subtasks"].empty()) std::cout << "\n" << say(a, Text{"Subtasks:", "子任务："}) << "\n";
  for (const auto& s : (*r)["subtasks"]) {
    std::cout << "  [" << (s["done"] == true ? "x" : " ") << "] " << str(s, "title") << "  " << str(s, "owner") << "  "
              << str(s, "due_at") << "\n";
  }
  if (!(*r)["activities"].empty()) std::cout << "\n" << say(a, Text{"Timeline:", "时间线："}) << "\n";
  for (const auto& e : (*r)["activities"]) {
    std::cout << "  " << str(e, "at") << "  " << str(e, "kind") << "  " << str(e, "author") << ": " << str(e, "text") << "\n";
  }
  for (const auto& f : (*r)["attachments"]) {
    std::cout << say(a, Text{"Attachment: ", "附件："}) << str(f, "file_name") << " (" << str(f, "size_bytes") << " B) "
              << (f["local_path"].is_null() ? say(a, Text{"not downloaded yet", "尚未下载"}) : str(f, "local_path")) << "\n";
  }
  for (const auto& c : (*r)["conflict_records"]) {
    std::cout << "\n" << say(a, Text{"Conflict ", "冲突 "}) << str(c, "id") << " " << str(c, "field") << ": "
              << str(c, "mine") << " / " << str(c, "theirs") << " (" << str(c, "resolution") << ")\n";
  }
  return 0;
}

int run_list(const Args& a) {
  auto filter = filter_from(a);
  if (!filter) return fail(a, filter.status());
  client::ProfileIdentity who;
  auto reader = open_reader(a, &who);
  if (!reader) return fail(a, reader.status());
  if (a.flag("mine")) filter->mine = who.user;
  auto page = (*reader)->list(*filter, now_ms());
  if (!page) return fail(a, page.status());
  for (auto& row : page->rows) mask_contact(row, who);
  if (a.json) {
    print_json(page->rows);
    return 0;
  }
  std::cout << cell(say(a, Text{"NUMBER", "请求号"}), 22) << cell(say(a, Text{"STATUS", "状态"}), 17)
            << cell(say(a, Text{"PRIORITY", "优先级"}), 9) << cell(say(a, Text{"CUSTOMER", "客户"}), 18)
            << cell(say(a, Text{"OWNER", "负责人"}), 12) << cell("SLA", 16) << say(a, Text{"TITLE", "标题"}) << "\n";
  for (const auto& r : page->rows) {
    std::string number = str(r, "number");
    if (number.empty()) number = say(a, Text{"(not synced)", "（未同步）"});
    if (r.value("conflicts", 0) > 0) number += "!";
    else if (r.value("unsynced", 0) > 0) number += "*";
    std::string title = str(r, "title");
    if (title.empty()) title = str(r, "description");
    std::cout << cell(number, 22) << cell(str(r, "status"), 17) << cell(str(r, "priority"), 9)
              << cell(str(r, "customer"), 18) << cell(str(r, "owner"), 12) << cell(sla_text(a, r), 16)
              << cell(title, 50) << "\n";
  }
  std::cout << say(a, format_text(Text{"{} of {} requests (* unsynced, ! conflict)", "显示 {} 条，共 {} 条（* 未同步，! 有冲突）"},
                                  {same_text(std::to_string(page->rows.size())), same_text(std::to_string(page->total))}))
            << "\n";
  return 0;
}

int run_conflicts(const Args& a) {
  client::ProfileIdentity who;
  auto reader = open_reader(a, &who);
  if (!reader) return fail(a, reader.status());
  // Whose: by role (the help's promise); --all only adds the resolved ones.
  const bool everyone = who.role == "coordinator" || who.role == "admin";
  auto found = (*reader)->conflicts(everyone ? "" : who.user, !a.flag("all"));
  if (!found) return fail(a, found.status());
  if (a.json) {
    // `row` as the public interface names it; `row_id` kept for scripts written against it.
    for (auto& c : *found) c["row"] = c.contains("row_id") ? c["row_id"] : nlohmann::json();
    print_json(*found);
    return 0;
  }
  if (found->empty()) std::cout << say(a, Text{"No open conflicts.", "没有未解决的冲突。"}) << "\n";
  for (const auto& c : *found) {
    std::cout << str(c, "id") << "  " << str(c, "number") << " " << str(c, "field") << "\n    "
              << say(a, Text{"mine: ", "我的："}) << str(c, "mine") << " (" << str(c, "mine_author") << ")\n    "
              << say(a, Text{"theirs: ", "对方："}) << str(c, "theirs") << " (" << str(c, "theirs_author") << ")\n";
  }
  return 0;
}

int run_dashboard(const Args& a) {
  auto reader = open_reader(a);
  if (!reader) return fail(a, reader.status());
  auto d = (*reader)->dashboard(now_ms());
  if (!d) return fail(a, d.status());
  auto pairs = [](const std::vector<std::pair<std::string, std::size_t>>& v) {
    nlohmann::json o = nlohmann::json::object();
    for (const auto& [k, n] : v) o[k] = n;
    return o;
  };
  const nlohmann::json j{{"open", d->open},         {"overdue", d->overdue},     {"breached", d->breached},
                         {"warning", d->warning},   {"unsynced", d->unsynced},   {"conflicts", d->conflicts},
                         {"by_status", pairs(d->by_status)}, {"by_category", pairs(d->by_category)},
                         {"by_priority", pairs(d->by_priority)}, {"by_team", pairs(d->by_team)},
                         {"by_owner", pairs(d->by_owner)}};
  if (a.json) {
    print_json(j);
    return 0;
  }
  for (const auto& [k, v] : j.items()) std::cout << std::left << std::setw(12) << k << " " << v.dump() << "\n";
  return 0;
}

int run_kb(const Args& a) {
  if (a.positional.empty()) {
    return fail(a, usage_error(Text{"Usage: kb TEXT… | kb suggest ID", "用法：kb 文字… | kb suggest 编号"}));
  }
  auto reader = open_reader(a);
  if (!reader) return fail(a, reader.status());
  Result<std::vector<nlohmann::json>> found = std::vector<nlohmann::json>{};
  if (a.positional[0] == "suggest") {
    if (a.positional.size() != 2) return fail(a, usage_error(Text{"Usage: kb suggest ID", "用法：kb suggest 编号"}));
    auto r = (*reader)->request(a.positional[1]);
    if (!r) return fail(a, r.status());
    found = (*reader)->suggest_knowledge(str(*r, "title") + " " + str(*r, "description"), 5);
  } else {
    std::string text;
    for (const auto& p : a.positional) text += (text.empty() ? "" : " ") + p;
    found = (*reader)->search_knowledge(text, 20);
  }
  if (!found) return fail(a, found.status());
  if (a.json) {
    print_json(*found);
    return 0;
  }
  for (const auto& k : *found) std::cout << str(k, "id") << "  " << str(k, "title") << "\n    " << str(k, "body") << "\n";
  if (found->empty()) std::cout << say(a, Text{"Nothing found.", "没有找到。"}) << "\n";
  return 0;
}

int run_rejected(const Args& a) {
  auto reader = open_reader(a);
  if (!reader) return fail(a, reader.status());
  auto found = (*reader)->rejections();
  if (!found) return fail(a, found.status());
  if (a.json) {
    print_json(*found);
    return 0;
  }
  for (const auto& r : *found) {
    std::cout << str(r, "row_id") << " " << str(r, "field") << " = " << str(r, "value") << ": "
              << (a.zh ? str(r, "message_zh") : str(r, "message")) << "\n";
  }
  if (found->empty()) std::cout << say(a, Text{"The server refused nothing.", "服务器没有拒绝任何修改。"}) << "\n";
  return 0;
}

}  // namespace

void add_read_commands(std::vector<Command>& out) {
  out.push_back({"show", Text{"show ID", "show 编号"}, Text{"one request with subtasks and timeline", "查看请求及其子任务和时间线"},
                 Text{"ID is the request id or its number. With --json: an object keyed by field name (with id and "
                      "number), plus subtasks, activities, attachments and conflict_records.",
                      "编号可以是请求 ID 或请求号。使用 --json 时输出以字段名为键的对象（含 id 和 number），以及 subtasks、"
                      "activities、attachments 和 conflict_records。"},
                 run_show, {}});
  out.push_back({"list", Text{"list [FILTERS]", "list [筛选]"}, Text{"requests, filtered and sorted", "按条件筛选、排序请求"},
                 Text{"Filters: --status a,b --category C --priority P --channel C --owner U --team T --customer TEXT "
                      "--sla-state S --overdue --open --mine --search TEXT (full text, Chinese too). --sort "
                      "updated|created|priority|due|number|customer|status|title [--asc], --limit N (default 200, 0 = "
                      "all), --offset N.",
                      "筛选：--status a,b --category 类别 --priority 优先级 --channel 渠道 --owner 负责人 --team 团队 "
                      "--customer 文字 --sla-state 状态 --overdue --open --mine --search 文字（全文搜索，支持中文）。"
                      "--sort updated|created|priority|due|number|customer|status|title [--asc]，--limit N（默认 200，"
                      "0 表示全部），--offset N。"},
                 run_list, filter_options({"mine"})});
  out.push_back({"conflicts", Text{"conflicts [--all]", "conflicts [--all]"}, Text{"conflicts to resolve", "待解决的冲突"},
                 Text{"Yours (coordinators and admins: everyone's); --all includes resolved ones. With --json: "
                      "[{id, row_id, field, mine, theirs, …}].",
                      "显示您的冲突（协调员和管理员可见全部）；--all 包括已解决的。使用 --json 时输出 "
                      "[{id, row_id, field, mine, theirs, …}]。"},
                 run_conflicts, {"all"}});
  out.push_back({"dashboard", Text{"dashboard", "dashboard"}, Text{"counts of open work", "未完成工作的统计"},
                 Text{"Open, overdue, SLA warning and breached, unsynced, conflicts; open requests by status, category, "
                      "priority, team and owner.",
                      "未完成、逾期、SLA 预警和超时、未同步、冲突的数量；按状态、类别、优先级、团队和负责人统计未完成请求。"},
                 run_dashboard, {}});
  out.push_back({"kb", Text{"kb TEXT… | kb suggest ID", "kb 文字… | kb suggest 编号"},
                 Text{"search the knowledge base", "搜索知识库"},
                 Text{"Full-text search over reply templates and known solutions (offline); `kb suggest ID` lists the "
                      "entries most similar to a request's text.",
                      "离线全文搜索回复模板和已知解决方案；`kb suggest 编号` 列出与请求内容最相似的条目。"},
                 run_kb, {}});
  out.push_back({"rejected", Text{"rejected", "rejected"}, Text{"edits the server refused", "被服务器拒绝的修改"},
                 Text{"Each refused edit with the server's reason.", "每条被拒绝的修改及服务器给出的原因。"}, run_rejected, {}});
}

}  // namespace rapidesk::cli
