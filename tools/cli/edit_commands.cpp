// Commands that change the local copy: new, set, note, subtask, resolve, kb-add. Each edit
// is saved (row + outbox) in one transaction and sent by the next `sync`.
#include <iostream>

#include "cli.h"
#include "rapidesk/client/intake.h"
#include "rapidesk/sync/conflict.h"

namespace rapidesk::cli {

namespace {

// Every option as a field input (--customer X → customer = X); `--a-b` means field a_b.
std::vector<client::FieldInput> fields_from_options(const Args& a) {
  std::vector<client::FieldInput> out;
  for (const auto& [k, v] : a.options) {
    std::string field = k;
    for (char& c : field) {
      if (c == '-') c = '_';
    }
    out.push_back({field, v});
  }
  return out;
}

int print_id(const Args& a, const std::string& id, const Text& done) {
  if (a.json) print_json({{"id", id}});
  else std::cout << say(a, done) << " " << id << "\n";
  return 0;
}

// The request a user names: an id, or a number the server gave it.
Result<std::string> request_id(const Args& a, const std::string& id_or_number) {
  auto reader = client::ReplicaReader::open(a.db);
  if (!reader) return reader.status();
  auto r = (*reader)->request(id_or_number);
  if (!r) return r.status();
  return (*r)["id"].get<std::string>();
}

int run_new(const Args& a) {
  auto replica = open_replica(a);
  if (!replica) return fail(a, replica.status());
  auto fields = fields_from_options(a);
  if (fields.empty()) {
    return fail(a, usage_error(Text{"Give the request's fields, e.g. new --customer 华东医院 --category complaint "
                                    "--channel phone --description \"…\".",
                                    "请给出请求的字段，例如 new --customer 华东医院 --category complaint --channel phone "
                                    "--description \"…\"。"}));
  }
  const auto prepared = client::prepare_intake(fields, client::default_priority_rules(), now_ms(), 0);
  if (prepared.problems.size() > 1 && !a.json) {
    for (std::size_t i = 1; i < prepared.problems.size(); ++i) {
      std::cerr << "rapidesk-cli: " << say(a, prepared.problems[i].message()) << "\n";
    }
  }
  auto id = (*replica)->create_request(fields);
  if (!id) return fail(a, id.status());
  return print_id(a, *id, Text{"Saved new request", "已保存新请求"});
}

int run_set(const Args& a) {
  if (a.positional.size() < 3 || a.positional.size() % 2 == 0) {
    return fail(a, usage_error(Text{"Usage: set ID FIELD VALUE [FIELD VALUE…]", "用法：set 编号 字段 值 [字段 值…]"}));
  }
  auto replica = open_replica(a);
  if (!replica) return fail(a, replica.status());
  auto id = request_id(a, a.positional[0]);
  if (!id) return fail(a, id.status());
  std::vector<client::FieldInput> fields;
  for (std::size_t i = 1; i + 1 < a.positional.size(); i += 2) fields.push_back({a.positional[i], a.positional[i + 1]});
  if (Status s = (*replica)->update("request", *id, fields); !s) return fail(a, s);
  return print_id(a, *id, Text{"Updated", "已更新"});
}

int run_note(const Args& a) {
  if (a.positional.size() < 2) {
    return fail(a, usage_error(Text{"Usage: note ID TEXT [--kind progress|note|blocker|solution|customer_contact|feedback] "
                                    "[--progress N]",
                                    "用法：note 编号 文字 [--kind progress|note|blocker|solution|customer_contact|feedback] "
                                    "[--progress N]"}));
  }
  auto replica = open_replica(a);
  if (!replica) return fail(a, replica.status());
  auto id = request_id(a, a.positional[0]);
  if (!id) return fail(a, id.status());
  std::string text;
  for (std::size_t i = 1; i < a.positional.size(); ++i) text += (i > 1 ? " " : "") + a.positional[i];
  std::optional<int> progress;
  if (auto p = a.option("progress")) {
    auto v = client::parse_field_input("activity", "progress", *p);
    if (!v) return fail(a, v.status());
    // Checked here in 64 bits: empty would read as 0, and a cast would wrap 4294967326 to 30.
    if (!v->is_int() || v->as_int() < 0 || v->as_int() > 100) {
      return fail(a, usage_error(format_text(Text{"--progress needs a whole number from 0 to 100, not \"{}\".",
                                                  "--progress 需要 0 到 100 的整数，而不是“{}”。"},
                                             {same_text(*p)})));
    }
    progress = static_cast<int>(v->as_int());
  }
  const std::string kind = a.option("kind").value_or(progress ? "progress" : "note");
  auto entry = (*replica)->add_activity(*id, kind, text, progress);
  if (!entry) return fail(a, entry.status());
  return print_id(a, *entry, Text{"Added to the timeline:", "已加入时间线："});
}

int run_subtask(const Args& a) {
  if (a.positional.size() != 1) {
    return fail(a, usage_error(Text{"Usage: subtask ID --title T [--owner U] [--due_at TIME] [--deliverable D]",
                                    "用法：subtask 编号 --title 标题 [--owner 负责人] [--due_at 时间] [--deliverable 交付物]"}));
  }
  auto replica = open_replica(a);
  if (!replica) return fail(a, replica.status());
  auto id = request_id(a, a.positional[0]);
  if (!id) return fail(a, id.status());
  auto sub = (*replica)->add_subtask(*id, fields_from_options(a));
  if (!sub) return fail(a, sub.status());
  return print_id(a, *sub, Text{"Added subtask", "已添加子任务"});
}

int run_resolve(const Args& a) {
  if (a.positional.size() < 2) {
    return fail(a, usage_error(Text{"Usage: resolve CONFLICT_ID mine|theirs|merged [VALUE]",
                                    "用法：resolve 冲突编号 mine|theirs|merged [值]"}));
  }
  sync::Resolution how;
  const std::string& choice = a.positional[1];
  if (choice == "mine") how = sync::Resolution::kKeptMine;
  else if (choice == "theirs") how = sync::Resolution::kKeptTheirs;
  else if (choice == "merged") how = sync::Resolution::kMerged;
  else {
    return fail(a, usage_error(format_text(Text{"Resolve with mine, theirs or merged, not \"{}\".",
                                                "请用 mine、theirs 或 merged 解决，而不是“{}”。"},
                                           {same_text(choice)})));
  }
  std::optional<std::string> merged;
  if (how == sync::Resolution::kMerged) {
    if (a.positional.size() < 3) {
      return fail(a, usage_error(Text{"A merged resolution needs the merged value.", "合并解决需要给出合并后的值。"}));
    }
    merged = a.positional[2];
  }
  auto replica = open_replica(a);
  if (!replica) return fail(a, replica.status());
  if (Status s = (*replica)->resolve_conflict(a.positional[0], how, merged); !s) return fail(a, s);
  return print_id(a, a.positional[0], Text{"Resolved conflict", "已解决冲突"});
}

int run_attach(const Args& a) {
  if (a.positional.size() != 2) return fail(a, usage_error(Text{"Usage: attach ID FILE", "用法：attach 编号 文件"}));
  auto replica = open_replica(a);
  if (!replica) return fail(a, replica.status());
  auto id = request_id(a, a.positional[0]);
  if (!id) return fail(a, id.status());
  auto row = (*replica)->attach_file(*id, a.positional[1]);
  if (!row) return fail(a, row.status());
  return print_id(a, *row, Text{"Attached; the file is uploaded by the next sync:", "已添加附件；文件将在下次同步时上传："});
}

int run_kb_add(const Args& a) {
  auto replica = open_replica(a);
  if (!replica) return fail(a, replica.status());
  auto fields = fields_from_options(a);
  // --from-request ID: the request's latest solution becomes the entry's body.
  std::erase_if(fields, [](const client::FieldInput& f) { return f.field == "from_request"; });
  if (auto from = a.option("from-request")) {
    auto reader = client::ReplicaReader::open(a.db);
    if (!reader) return fail(a, reader.status());
    auto r = (*reader)->request(*from);
    if (!r) return fail(a, r.status());
    std::string solution;
    for (const auto& act : (*r)["activities"]) {
      if (act["kind"] == "solution" && act["text"].is_string()) solution = act["text"];
    }
    if (solution.empty()) {
      return fail(a, Status::invalid(Text{"That request has no solution entry yet (note ID TEXT --kind solution).",
                                          "该请求还没有解决方案记录（note 编号 文字 --kind solution）。"}));
    }
    auto has = [&](std::string_view f) {
      return std::any_of(fields.begin(), fields.end(), [&](const auto& x) { return x.field == f; });
    };
    if (!has("body")) fields.push_back({"body", solution});
    if (!has("title") && (*r)["title"].is_string()) fields.push_back({"title", (*r)["title"]});
    if (!has("category") && (*r)["category"].is_string()) fields.push_back({"category", (*r)["category"]});
  }
  auto has_text = [&](std::string_view f) {
    return std::any_of(fields.begin(), fields.end(), [&](const auto& x) { return x.field == f && !x.text.empty(); });
  };
  if (!has_text("title") || !has_text("body")) {
    return fail(a, usage_error(Text{"A knowledge entry needs --title and --body (or --from-request ID).",
                                    "知识条目需要 --title 和 --body（或 --from-request 编号）。"}));
  }
  auto id = (*replica)->create_row("knowledge", fields);
  if (!id) return fail(a, id.status());
  return print_id(a, *id, Text{"Saved knowledge entry", "已保存知识条目"});
}

}  // namespace

void add_edit_commands(std::vector<Command>& out) {
  out.push_back({"new", Text{"new --FIELD VALUE…", "new --字段 值…"}, Text{"record a new customer request", "记录新的客户请求"},
                 Text{"Any request field: --customer, --customer_id, --contact_name, --contact, --industry, --tier "
                      "(strategic|vip|regular|new), --channel (phone|email|chat|visit|web_form|app|other), --category "
                      "(consultation|complaint|suggestion|feature|service|tech_support|other), --impact, --title, "
                      "--description, --background, --contacted_at, --expected_at (ISO 8601), --priority "
                      "(urgent|high|medium|low; suggested from impact, urgency and tier when omitted), --owner, --team, "
                      "--collaborators NAME. Required: customer, category, channel, description. Prints the new id.",
                      "可用任意请求字段：--customer、--customer_id、--contact_name、--contact、--industry、--tier"
                      "（strategic|vip|regular|new）、--channel（phone|email|chat|visit|web_form|app|other）、--category"
                      "（consultation|complaint|suggestion|feature|service|tech_support|other）、--impact、--title、"
                      "--description、--background、--contacted_at、--expected_at（ISO 8601）、--priority"
                      "（urgent|high|medium|low；省略时按影响范围、紧急程度和客户等级建议）、--owner、--team、"
                      "--collaborators 姓名。必填：customer、category、channel、description。输出新请求的编号。"},
                 run_new, {kAnyField}});
  out.push_back({"set", Text{"set ID FIELD VALUE…", "set 编号 字段 值…"}, Text{"change fields of a request", "修改请求的字段"},
                 Text{"ID is the request id or its number. Set fields take +NAME / -NAME (collaborators, tags). An "
                      "empty VALUE clears the field. Status changes follow the status flow.",
                      "编号可以是请求 ID 或请求号。集合字段（collaborators、tags）用 +姓名 / -姓名。值为空则清除该字段。"
                      "状态修改须符合状态流转规则。"},
                 run_set, {}});
  out.push_back({"note", Text{"note ID TEXT [--kind K] [--progress N]", "note 编号 文字 [--kind 类型] [--progress N]"},
                 Text{"add to a request's timeline", "向请求的时间线添加记录"},
                 Text{"Kinds: progress, note (default), blocker, solution, customer_contact, feedback. --progress N "
                      "(0–100) also sets the request's progress.",
                      "类型：progress、note（默认）、blocker、solution、customer_contact、feedback。--progress N（0–100）"
                      "同时更新请求的进度。"},
                 run_note, {"kind", "progress"}});
  out.push_back({"subtask", Text{"subtask ID --title T [--owner U] [--due_at TIME]", "subtask 编号 --title 标题 [--owner 负责人] [--due_at 时间]"},
                 Text{"add a subtask to a request", "为请求添加子任务"},
                 Text{"Subtask fields: --title, --owner, --collaborators, --start_at, --due_at, --deliverable, --done.",
                      "子任务字段：--title、--owner、--collaborators、--start_at、--due_at、--deliverable、--done。"},
                 run_subtask, {kAnyField}});
  out.push_back({"resolve", Text{"resolve CONFLICT mine|theirs|merged [VALUE]", "resolve 冲突 mine|theirs|merged [值]"},
                 Text{"resolve a conflict", "解决冲突"},
                 Text{"mine writes your losing value again, theirs keeps the current value, merged writes VALUE. The "
                      "resolution is a new edit that syncs like any other.",
                      "mine 重新写入您落选的值，theirs 保留当前值，merged 写入给定的值。解决结果作为一次新的修改同步。"},
                 run_resolve, {}});
  out.push_back({"attach", Text{"attach ID FILE", "attach 编号 文件"}, Text{"attach a file to a request", "为请求添加附件"},
                 Text{"The file is copied into the profile's store (by its SHA-256; at most 50 MiB) and uploaded in "
                      "1 MiB chunks by the next sync, which resumes an interrupted upload. Others' attachments are "
                      "downloaded by sync; `show ID` lists each with its local path.",
                      "文件按 SHA-256 复制到配置的存储中（最大 50 MiB），下次同步时以 1 MiB 分块上传，中断的上传会续传。"
                      "他人的附件由同步下载；`show 编号` 列出每个附件及其本地路径。"},
                 run_attach, {}});
  out.push_back({"kb-add", Text{"kb-add --title T --body B [--category C] [--from-request ID]",
                                "kb-add --title 标题 --body 内容 [--category 类别] [--from-request 编号]"},
                 Text{"save a reply template or known solution", "保存回复模板或已知解决方案"},
                 Text{"--from-request ID takes the request's latest solution entry as the body (and its title and "
                      "category unless given).",
                      "--from-request 编号：以该请求最新的解决方案记录为内容（未给出时也沿用其标题和类别）。"},
                 run_kb_add, {kAnyField}});
}

}  // namespace rapidesk::cli
