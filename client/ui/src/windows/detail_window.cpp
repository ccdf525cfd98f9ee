// One request: its fields, status transitions as buttons (only those the state machine
// allows), assignment and its explanation, SLA clocks, subtasks, the activity timeline,
// progress and notes, feedback and satisfaction, attachments, and knowledge suggestions.
#include <imgui.h>
#include <imgui_stdlib.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>

#include "rapidesk/client/attachment_store.h"
#include "rapidesk/shared/masking.h"
#include "rapidesk/shared/status_machine.h"
#include "windows/begin_window.h"
#include "windows/widgets.h"
#include "windows/windows.h"

namespace rapidesk::ui {

namespace {

// What the person is typing in the detail window (kept across frames).
// What the person types for one request. Kept per request, so that looking at another one
// (a notification, the list) does not throw away a half-written note.
struct DetailInputs {
  std::string status_reason;
  int progress = 0;
  std::string progress_note;
  int activity_kind = 0;
  std::string activity_text;
  std::string owner, team;
  std::string priority, priority_reason;
  std::string subtask_title, subtask_owner, subtask_due;
  int satisfaction = 0;
  std::string feedback;
  std::string attach_path;

  // The request's values last put in the inputs that mirror them (owner, team, feedback).
  std::string shown_owner, shown_team, shown_feedback;

  // An input that mirrors the request's `value` follows it unless the person changed it.
  static void mirror(std::string& input, std::string& shown, const std::string& value) {
    if (input == shown) input = value;
    shown = value;
  }
  // Nothing typed: the free-text boxes are empty and the mirrored inputs untouched.
  bool typed_nothing() const {
    return status_reason.empty() && progress_note.empty() && activity_text.empty() && priority_reason.empty() &&
           subtask_title.empty() && subtask_owner.empty() && subtask_due.empty() && attach_path.empty() &&
           owner == shown_owner && team == shown_team && feedback == shown_feedback;
  }
};

constexpr const char* kActivityKinds[] = {"note", "customer_contact", "blocker", "solution"};

void label_value(UiText label, const std::string& value) {
  ImGui::TableNextRow();
  ImGui::TableSetColumnIndex(0);
  ImGui::TextDisabled("%s", tr(label));
  ImGui::TableSetColumnIndex(1);
  ImGui::TextWrapped("%s", value.empty() ? "-" : value.c_str());
}

void report(AppContext& ctx, const Status& s, UiText done) {
  if (s.is_ok()) {
    ctx.say(tr(done));
    ctx.edited();
  } else {
    ctx.say(s);
  }
}

// Says how it went; the caller clears what the person typed only when it is true.
bool set_fields(AppContext& ctx, const std::string& id, std::vector<client::FieldInput> fields, UiText done) {
  Status s = ctx.replica->update("request", id, fields);
  report(ctx, s, done);
  return s.is_ok();
}

void draw_status_buttons(AppContext& ctx, const nlohmann::json& r, DetailInputs& in) {
  const auto status = from_wire<RequestStatus>(field_text(r, "status"));
  if (!status) return;
  const std::string id = field_text(r, "id");
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 14);
  ImGui::InputTextWithHint("##reason", tr({"Reason (needed to pause or reopen)", "原因（暂停或重新打开时必填）"}),
                           &in.status_reason);
  for (RequestStatus next : allowed_transitions(*status)) {
    ImGui::SameLine();
    const std::string text = pick(label(next)) + "###to_" + std::string(to_wire(next));
    if (ImGui::Button(text.c_str())) {
      const bool needs_reason = next == RequestStatus::kWaitingCustomer || next == RequestStatus::kReopened;
      if (needs_reason && in.status_reason.find_first_not_of(' ') == std::string::npos) {
        ctx.say(tr({"Give a reason first: an SLA pause or a reopen is always explained.",
                    "请先填写原因：暂停 SLA 或重新打开都需要说明。"}),
                true);
        continue;
      }
      std::vector<client::FieldInput> f{{"status", std::string(to_wire(next))}};
      if (!in.status_reason.empty()) f.push_back({"status_reason", in.status_reason});
      if (set_fields(ctx, id, f, {"Status changed.", "状态已更新。"})) in.status_reason.clear();
    }
  }
}

void draw_fields(AppContext& ctx, const nlohmann::json& r) {
  if (!ImGui::BeginTable("fields", 2, ImGuiTableFlags_SizingStretchProp)) return;
  ImGui::TableSetupColumn("k", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 7);
  ImGui::TableSetupColumn("v", ImGuiTableColumnFlags_WidthStretch);
  const auto role = from_wire<Role>(ctx.who.role).value_or(Role::kField);
  const bool owner = field_text(r, "owner") == ctx.who.user;
  label_value({"Customer", "客户"}, field_text(r, "customer") + "  " + field_text(r, "customer_id"));
  label_value({"Contact", "联系方式"}, field_text(r, "contact_name") + "  " + contact_for(field_text(r, "contact"), role, owner));
  label_value({"Industry / tier", "行业/等级"}, field_text(r, "industry") + "  " + choice_label("tier", field_text(r, "tier")));
  label_value({"Channel", "渠道"}, choice_label("channel", field_text(r, "channel")));
  label_value({"Category", "类别"}, choice_label("category", field_text(r, "category")));
  label_value({"Priority", "优先级"},
              choice_label("priority", field_text(r, "priority")) + "  " + field_text(r, "priority_reason"));
  label_value({"Impact", "影响范围"}, choice_label("impact", field_text(r, "impact")));
  label_value({"Description", "问题描述"}, field_text(r, "description"));
  label_value({"Background", "背景"}, field_text(r, "background"));
  label_value({"Contacted / expected", "联系/期望时间"},
              short_time(field_text(r, "contacted_at")) + "  →  " + short_time(field_text(r, "expected_at")));
  label_value({"Owner / team", "负责人/团队"}, field_text(r, "owner") + "  /  " + field_text(r, "team"));
  label_value({"Why this person", "分派原因"}, field_text(r, "assignment_explanation"));
  label_value({"Collaborators", "协作人"}, field_text(r, "collaborators"));
  label_value({"Tags", "标签"}, field_text(r, "tags"));
  label_value({"First response due", "首次响应期限"}, short_time(field_text(r, "first_response_due")));
  label_value({"Resolution due", "解决期限"}, short_time(field_text(r, "resolution_due")));
  if (!field_text(r, "agreed_due").empty()) {
    label_value({"Re-agreed due", "重新约定期限"}, short_time(field_text(r, "agreed_due")) + "  " + field_text(r, "agreed_reason"));
  }
  label_value({"SLA state / escalation", "SLA 状态/升级级别"},
              choice_label("sla_state", field_text(r, "sla_state")) + "  " + field_text(r, "escalation_level"));
  label_value({"Progress", "进度"}, std::to_string(int_field(r, "progress")) + "%");
  label_value({"Satisfaction", "满意度"}, field_text(r, "satisfaction") + "  " + field_text(r, "feedback"));
  ImGui::EndTable();
}

void draw_assignment(AppContext& ctx, const nlohmann::json& r, DetailInputs& in) {
  const std::string id = field_text(r, "id");
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
  ImGui::InputTextWithHint("##owner", tr({"Owner", "负责人"}), &in.owner);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
  ImGui::InputTextWithHint("##team", tr({"Team", "团队"}), &in.team);
  ImGui::SameLine();
  if (ImGui::Button(tr({"Assign", "分派"}))) {
    std::vector<client::FieldInput> f;
    if (!in.owner.empty()) f.push_back({"owner", in.owner});
    if (!in.team.empty()) f.push_back({"team", in.team});
    if (f.empty()) {
      ctx.say(tr({"Type an owner or a team.", "请填写负责人或团队。"}), true);
    } else {
      set_fields(ctx, id, f, {"Assigned.", "已分派。"});
    }
  }
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
  choice_combo("##prio", "priority", in.priority, true, {"Priority…", "优先级…"});
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 14);
  ImGui::InputTextWithHint("##prio_reason", tr({"Why (required)", "原因（必填）"}), &in.priority_reason);
  ImGui::SameLine();
  if (ImGui::Button(tr({"Override priority", "调整优先级"}))) {
    if (in.priority.empty() || in.priority_reason.find_first_not_of(' ') == std::string::npos) {
      ctx.say(tr({"Choose a priority and say why.", "请选择优先级并说明原因。"}), true);
    } else {
      if (set_fields(ctx, id,
                     {{"priority", in.priority}, {"priority_reason", in.priority_reason}, {"priority_override_by", ctx.who.user}},
                     {"Priority changed.", "优先级已调整。"})) {
        in.priority_reason.clear();
      }
    }
  }
}

void draw_progress(AppContext& ctx, const nlohmann::json& r, DetailInputs& in) {
  const std::string id = field_text(r, "id");
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
  ImGui::SliderInt("%##progress", &in.progress, 0, 100);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 16);
  ImGui::InputTextWithHint("##pnote", tr({"Stage note", "阶段说明"}), &in.progress_note);
  ImGui::SameLine();
  if (ImGui::Button(tr({"Report progress", "更新进度"}))) {
    // One edit: the entry and the request's progress are written together.
    auto a = ctx.replica->add_activity(id, "progress", in.progress_note, in.progress);
    report(ctx, a ? Status::ok() : a.status(), {"Progress recorded.", "进度已记录。"});
    if (a) in.progress_note.clear();
  }
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
  const std::string kind_label = choice_label("kind", kActivityKinds[in.activity_kind]);
  if (ImGui::BeginCombo("##kind", kind_label.c_str())) {
    for (int i = 0; i < 4; ++i) {
      if (ImGui::Selectable(choice_label("kind", kActivityKinds[i]).c_str(), i == in.activity_kind)) in.activity_kind = i;
    }
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 16);
  ImGui::InputTextWithHint("##atext", tr({"Note, blocker, solution or customer contact", "备注、阻碍、解决方案或客户沟通"}),
                           &in.activity_text);
  ImGui::SameLine();
  if (ImGui::Button(tr({"Add to timeline", "加入时间线"}))) {
    auto a = ctx.replica->add_activity(id, kActivityKinds[in.activity_kind], in.activity_text);
    report(ctx, a ? Status::ok() : a.status(), {"Added.", "已添加。"});
    if (a) in.activity_text.clear();
  }
}

void draw_subtasks(AppContext& ctx, const nlohmann::json& r, DetailInputs& in) {
  const std::string id = field_text(r, "id");
  if (ImGui::BeginTable("subtasks", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
    ImGui::TableSetupColumn(tr({"Done", "完成"}), ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 2.5f);
    ImGui::TableSetupColumn(tr({"Subtask", "子任务"}));
    ImGui::TableSetupColumn(tr({"Owner", "负责人"}));
    ImGui::TableSetupColumn(tr({"Due", "截止"}));
    ImGui::TableHeadersRow();
    for (const auto& s : r.value("subtasks", nlohmann::json::array())) {
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      bool done = bool_field(s, "done");
      const std::string sid = field_text(s, "id");
      ImGui::PushID(sid.c_str());
      if (ImGui::Checkbox("##done", &done)) {
        const client::FieldInput f{"done", done ? "true" : "false"};
        report(ctx, ctx.replica->update("subtask", sid, std::span(&f, 1)), {"Subtask updated.", "子任务已更新。"});
      }
      ImGui::PopID();
      ImGui::TableSetColumnIndex(1);
      ImGui::TextUnformatted(field_text(s, "title").c_str());
      ImGui::TableSetColumnIndex(2);
      ImGui::TextUnformatted(field_text(s, "owner").c_str());
      ImGui::TableSetColumnIndex(3);
      ImGui::TextUnformatted(short_time(field_text(s, "due_at")).c_str());
    }
    ImGui::EndTable();
  }
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
  ImGui::InputTextWithHint("##st_title", tr({"New subtask", "新子任务"}), &in.subtask_title);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
  ImGui::InputTextWithHint("##st_owner", tr({"Owner", "负责人"}), &in.subtask_owner);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 11);
  ImGui::InputTextWithHint("##st_due", tr({"Due (ISO 8601)", "截止（ISO 8601）"}), &in.subtask_due);
  ImGui::SameLine();
  if (ImGui::Button(tr({"Add subtask", "添加子任务"}))) {
    std::vector<client::FieldInput> f{{"title", in.subtask_title}};
    if (!in.subtask_owner.empty()) f.push_back({"owner", in.subtask_owner});
    if (!in.subtask_due.empty()) f.push_back({"due_at", in.subtask_due});
    auto s = ctx.replica->add_subtask(id, f);
    report(ctx, s ? Status::ok() : s.status(), {"Subtask added.", "子任务已添加。"});
    if (s) in.subtask_title.clear(), in.subtask_owner.clear(), in.subtask_due.clear();
  }
}

void draw_feedback(AppContext& ctx, const nlohmann::json& r, DetailInputs& in) {
  const std::string id = field_text(r, "id");
  ImGui::TextUnformatted(tr({"Satisfaction", "满意度"}));
  for (int i = 1; i <= 5; ++i) {
    ImGui::SameLine();
    ImGui::RadioButton(std::to_string(i).c_str(), &in.satisfaction, i);
  }
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 18);
  ImGui::InputTextWithHint("##feedback", tr({"Customer's comment", "客户意见"}), &in.feedback);
  ImGui::SameLine();
  if (ImGui::Button(tr({"Record feedback", "记录反馈"}))) {
    if (in.satisfaction < 1) {
      ctx.say(tr({"Choose a satisfaction from 1 to 5.", "请选择 1 到 5 的满意度。"}), true);
    } else {
      bool failed = !set_fields(ctx, id, {{"satisfaction", std::to_string(in.satisfaction)}, {"feedback", in.feedback}},
                                {"Feedback recorded.", "反馈已记录。"});
      if (!failed && !in.feedback.empty()) {
        // The comment also goes on the timeline; if that fails, say so rather than "recorded".
        if (auto added = ctx.replica->add_activity(id, "feedback", in.feedback); !added) {
          ctx.say(added.status());
          failed = true;
        }
      }
      if (!failed && in.satisfaction <= 2) {
        ctx.say(tr({"The customer is not satisfied: consider reopening the request.", "客户不满意：请考虑重新打开该请求。"}));
      }
    }
  }
}

// Programs started to open a file: reaped without waiting (reap_openers, every frame), each
// failure said when it ends.
std::vector<pid_t>& openers() {
  static std::vector<pid_t> pids;
  return pids;
}

// The desktop's program for the file (xdg-open), started without a shell: the path is one
// argument whatever characters it has.
void open_with_desktop(AppContext& ctx, const std::filesystem::path& file) {
  const std::string path = file.string();
  char program[] = "xdg-open";
  char* argv[] = {program, const_cast<char*>(path.c_str()), nullptr};
  posix_spawn_file_actions_t quiet;
  posix_spawn_file_actions_init(&quiet);
  posix_spawn_file_actions_addopen(&quiet, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&quiet, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int error = posix_spawnp(&pid, program, &quiet, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&quiet);
  if (error != 0) {
    ctx.say(std::string(tr({"Cannot start xdg-open to open the file; it is at ", "无法启动 xdg-open 打开文件；文件位于 "})) +
                path,
            true);
    return;
  }
  openers().push_back(pid);
}

void draw_attachments(AppContext& ctx, const nlohmann::json& r, DetailInputs& in) {
  const std::string id = field_text(r, "id");
  client::AttachmentStore store(ctx.replica->file());
  // After a round that could not fetch some files, a missing one is not just "not yet".
  const bool fetch_failed = ctx.worker != nullptr && ctx.worker->status().files_missing > 0;
  for (const auto& a : r.value("attachments", nlohmann::json::array())) {
    const std::string sha = field_text(a, "sha256");
    ImGui::BulletText("%s  (%s KB)", field_text(a, "file_name").c_str(),
                      std::to_string(int_field(a, "size_bytes") / 1024).c_str());
    ImGui::SameLine();
    ImGui::PushID(field_text(a, "id").c_str());
    if (!store.has(sha)) {
      ImGui::TextDisabled("%s", fetch_failed ? tr({"(not on this device: the last sync could not fetch it; see the "
                                                   "status bar)",
                                                   "（不在本设备上：上次同步未能获取；见状态栏）"})
                                             : tr({"(downloads on next sync)", "（下次同步时下载）"}));
    } else if (ImGui::SmallButton(tr({"Open", "打开"}))) {
      open_with_desktop(ctx, store.path_of(sha));
    }
    ImGui::PopID();
  }
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 18);
  ImGui::InputTextWithHint("##attach", tr({"Path of a file to attach", "要附加的文件路径"}), &in.attach_path);
  ImGui::SameLine();
  if (ImGui::Button(tr({"Attach", "添加附件"}))) {
    auto a = ctx.replica->attach_file(id, in.attach_path);
    report(ctx, a ? Status::ok() : a.status(), {"File attached; it uploads on the next sync.", "附件已添加，将在下次同步时上传。"});
    if (a) in.attach_path.clear();
  }
}

void draw_timeline(AppContext& ctx, const nlohmann::json& r) {
  for (const auto& a : r.value("activities", nlohmann::json::array())) {
    const std::string kind = field_text(a, "kind");
    ImVec4 colour = kind == "sla" ? tone_color(Tone::kBreached, ctx.settings.dark)
                    : kind == "blocker" ? tone_color(Tone::kWarning, ctx.settings.dark)
                    : kind == "solution" ? tone_color(Tone::kOnTrack, ctx.settings.dark)
                                         : tone_color(Tone::kPaused, ctx.settings.dark);
    ImGui::TextColored(colour, "%s  %s  %s", short_time(field_text(a, "at")).c_str(), choice_label("kind", kind).c_str(),
                       field_text(a, "author").c_str());
    std::string text = field_text(a, "text");
    if (!field_text(a, "progress").empty()) text = field_text(a, "progress") + "%  " + text;
    ImGui::Indent();
    ImGui::TextWrapped("%s", text.c_str());
    ImGui::Unindent();
  }
}

void draw_suggestions(AppContext& ctx, const nlohmann::json& r, DetailInputs& in) {
  static std::string cached_for;
  static std::vector<nlohmann::json> cached;
  static Status failed;
  const std::string id = field_text(r, "id");
  if (cached_for != id || ctx.insights_dirty) {
    cached_for = id;
    auto found = ctx.reader->suggest_knowledge(field_text(r, "title") + " " + field_text(r, "description"), 3);
    cached = found ? std::move(*found) : std::vector<nlohmann::json>{};
    failed = found ? Status::ok() : found.status();
  }
  if (!failed.is_ok()) {
    error_text({"Could not read the knowledge base: ", "无法读取知识库："}, failed);
    return;
  }
  if (cached.empty()) {
    ImGui::TextDisabled("%s", tr({"No matching entries.", "没有匹配的条目。"}));
    return;
  }
  for (const auto& k : cached) {
    ImGui::PushID(field_text(k, "id").c_str());
    ImGui::BulletText("%s", field_text(k, "title").c_str());
    ImGui::SameLine();
    if (ImGui::SmallButton(tr({"Use as note", "用作备注"}))) {
      in.activity_kind = 3;  // solution
      in.activity_text = field_text(k, "body");
    }
    ImGui::PopID();
  }
}

}  // namespace

void reap_openers(AppContext& ctx) {
  auto& pids = openers();
  for (auto it = pids.begin(); it != pids.end();) {
    int status = 0;
    const pid_t done = waitpid(*it, &status, WNOHANG);
    if (done == 0) {
      ++it;
      continue;
    }
    if (done == *it && WIFEXITED(status) && WEXITSTATUS(status) != 0) {
      ctx.say(tr({"No program could open the file (xdg-open found none for its type).",
                  "没有程序能打开该文件（xdg-open 未找到可处理此类型的程序）。"}),
              true);
    }
    it = pids.erase(it);
  }
}

void draw_detail_window(AppContext& ctx) {
  if (!ctx.open.detail) return;
  static std::map<std::string, DetailInputs> typed;  // by request id
  static std::string shown;                           // the request the inputs were last set up for
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  // Below the menu bar (on the first frame the viewport does not know its height yet).
  const float top = vp->Pos.y + ImGui::GetFrameHeight();
  ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x * 0.62f, top), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(vp->Size.x * 0.38f, vp->Size.y - ImGui::GetFrameHeight() * 2.4f), ImGuiCond_FirstUseEver);
  if (!begin_window(tr({"Request###detail", "请求详情###detail"}), &ctx.open.detail)) {
    ImGui::End();
    return;
  }
  static Status read_failed;
  if (ctx.detail_dirty && !ctx.selected.empty()) {
    auto r = ctx.reader->request(ctx.selected);
    ctx.detail = r ? std::move(*r) : nlohmann::json();
    read_failed = r || r.status().code() == ErrorCode::kNotFound ? Status::ok() : r.status();
    ctx.detail_dirty = false;
  }
  if (!read_failed.is_ok() && !ctx.selected.empty()) {
    error_text({"Could not read this request: ", "无法读取该请求："}, read_failed);
    ImGui::End();
    return;
  }
  if (ctx.selected.empty() || !ctx.detail.is_object()) {
    ImGui::TextDisabled("%s", tr({"Choose a request in the list.", "请在列表中选择一条请求。"}));
    ImGui::End();
    return;
  }
  const nlohmann::json& r = ctx.detail;
  DetailInputs& in = typed[ctx.selected];
  if (shown != ctx.selected) {
    shown = ctx.selected;
    std::erase_if(typed, [&](const auto& entry) { return entry.first != shown && entry.second.typed_nothing(); });
    // The inputs that show the request's values start from them again (a sync may have
    // changed them); the typed text stays.
    in.progress = int_field(r, "progress");
    in.satisfaction = int_field(r, "satisfaction");
    in.mirror(in.owner, in.shown_owner, field_text(r, "owner"));
    in.mirror(in.team, in.shown_team, field_text(r, "team"));
    in.mirror(in.feedback, in.shown_feedback, field_text(r, "feedback"));
  }
  ImGui::Text("%s  %s", number_or_pending(r).c_str(), field_text(r, "title").c_str());
  const Countdown c = countdown_for(r, ctx.now);
  ImGui::TextColored(tone_color(c.tone, ctx.settings.dark), "%s · %s · %s %s",
                     choice_label("status", field_text(r, "status")).c_str(),
                     choice_label("priority", field_text(r, "priority")).c_str(),
                     c.first_response ? tr({"first response", "首次响应"}) : tr({"resolution", "解决"}), c.text.c_str());
  if (int_field(r, "conflicts") > 0 && ImGui::Button(tr({"Resolve conflicts…", "处理冲突…"}))) ctx.open.conflicts = true;
  draw_status_buttons(ctx, r, in);
  ImGui::Separator();
  if (ImGui::BeginTabBar("detail_tabs")) {
    if (ImGui::BeginTabItem(tr({"Details", "详情"}))) {
      draw_fields(ctx, r);
      if (ImGui::CollapsingHeader(tr({"Assign and prioritise", "分派与优先级"}))) draw_assignment(ctx, r, in);
      ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem(tr({"Timeline", "时间线"}))) {
      draw_progress(ctx, r, in);
      ImGui::Separator();
      draw_timeline(ctx, r);
      ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem(tr({"Subtasks", "子任务"}))) {
      draw_subtasks(ctx, r, in);
      ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem(tr({"Feedback", "反馈"}))) {
      draw_feedback(ctx, r, in);
      ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem(tr({"Attachments", "附件"}))) {
      draw_attachments(ctx, r, in);
      ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem(tr({"Knowledge", "知识库"}))) {
      draw_suggestions(ctx, r, in);
      ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
  }
  ImGui::End();
}

}  // namespace rapidesk::ui
