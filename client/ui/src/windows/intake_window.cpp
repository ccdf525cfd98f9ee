// The intake form: every intake field of DESIGN.md, required ones marked "*", problems
// shown under their field as the person types, the priority suggested from impact,
// urgency and customer tier (with an override that asks why), the contact time defaulting
// to now. Tab moves between fields; Ctrl+Enter files. The draft is saved as it changes.
#include <imgui.h>
#include <imgui_stdlib.h>

#include "windows/begin_window.h"
#include "windows/widgets.h"
#include "windows/windows.h"

namespace rapidesk::ui {

namespace {

void field_problem(const std::map<std::string, Text>& problems, const char* field) {
  auto it = problems.find(field);
  if (it != problems.end()) error_text(pick(it->second));
}

// One row of the form's table: the label (required ones marked "*") and the input, with
// its problem underneath.
void draw_field(AppContext& ctx, const IntakeFieldSpec& spec, const std::map<std::string, Text>& problems) {
  std::string& value = ctx.intake.values[spec.name];
  ImGui::TableNextRow();
  ImGui::TableSetColumnIndex(0);
  ImGui::AlignTextToFramePadding();
  const std::string label = std::string(tr(spec.label)) + (spec.required ? " *" : "");
  ImGui::TextUnformatted(label.c_str());
  ImGui::TableSetColumnIndex(1);
  const std::string id = std::string("##") + spec.name;
  ImGui::SetNextItemWidth(-1);
  switch (spec.kind) {
    case InputKind::kText:
      ImGui::InputTextWithHint(id.c_str(), tr(spec.hint), &value);
      break;
    case InputKind::kTime:
      ImGui::SetNextItemWidth(ImGui::GetFontSize() * 13);
      ImGui::InputTextWithHint(id.c_str(), tr(spec.hint), &value);
      ImGui::SameLine();
      if (ImGui::SmallButton((std::string(tr({"Now", "现在"})) + "##now_" + spec.name).c_str())) {
        value = format_iso8601(ctx.now - ctx.now % 60'000, client::local_utc_offset_minutes());
      }
      if (std::string_view(spec.name) == "expected_at") {
        for (auto [hours, text] : {std::pair<int, UiText>{4, {"+4 h", "+4 小时"}}, {24, {"+1 day", "+1 天"}}, {72, {"+3 days", "+3 天"}}}) {
          ImGui::SameLine();
          if (ImGui::SmallButton((std::string(tr(text)) + "##exp" + std::to_string(hours)).c_str())) {
            value = format_iso8601(ctx.now - ctx.now % 60'000 + hours * 3'600'000LL, client::local_utc_offset_minutes());
          }
        }
      }
      break;
    case InputKind::kMultiline:
      ImGui::InputTextMultiline(id.c_str(), &value, ImVec2(-1, ImGui::GetTextLineHeight() * 3.2f));
      break;
    case InputKind::kChoice:
      choice_combo(id.c_str(), spec.name, value, true, {"(choose)", "（请选择）"});
      break;
  }
  field_problem(problems, spec.name);
}

void draw_priority(AppContext& ctx, const std::map<std::string, Text>& problems) {
  ImGui::Separator();
  ImGui::TextUnformatted(tr({"Priority", "优先级"}));
  if (auto s = ctx.intake.suggestion(ctx.now)) {
    ImGui::Text("%s %s", tr({"Suggested:", "建议："}), choice_label("priority", to_wire(s->priority)).c_str());
    ImGui::TextWrapped("%s", pick(s->explanation).c_str());
  } else {
    ImGui::TextDisabled("%s", tr({"Choose impact, tier and expected time to get a suggestion.",
                                  "选择影响范围、客户等级和期望时间后给出建议。"}));
  }
  ImGui::Checkbox(tr({"Set the priority by hand", "手动设定优先级"}), &ctx.intake.override_priority);
  if (ctx.intake.override_priority) {
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
    choice_combo("##override", "priority", ctx.intake.override_priority_value, true, {"(choose)", "（请选择）"});
    field_problem(problems, "priority");
    ImGui::SetNextItemWidth(-1);
    ImGui::InputTextWithHint("##override_reason", tr({"Why (recorded with your name)", "原因（将与你的名字一起记录）"}),
                             &ctx.intake.override_reason);
    field_problem(problems, "priority_reason");
  }
}

}  // namespace

void file_intake(AppContext& ctx) {
  auto id = ctx.intake.submit(*ctx.replica, ctx.now);
  if (!id) {
    ctx.say(id.status());
    return;
  }
  // Online with a good last round, the worker sends it within the second; otherwise it waits
  // (for the server, or for whatever stopped the last round: a sign-in, say).
  bool online = false;
  if (ctx.worker != nullptr) {
    const client::SyncStatus s = ctx.worker->status();
    online = s.online && s.last_error.is_ok();
  }
  ctx.say(tr(online ? UiText{"Request filed; sending it to the server.", "请求已提交，正在发送到服务器。"}
                    : UiText{"Request filed; it syncs when the server is reachable.", "请求已提交，连上服务器后会自动同步。"}));
  ctx.edited();
  ctx.select(*id);
  ctx.open.intake = false;
}

void draw_intake_window(AppContext& ctx) {
  if (!ctx.open.intake) return;
  ImGui::SetNextWindowSize(ImVec2(ImGui::GetFontSize() * 38, ImGui::GetFontSize() * 42), ImGuiCond_FirstUseEver);
  if (!begin_window(tr({"New request###intake", "新建请求###intake"}), &ctx.open.intake)) {
    ImGui::End();
    return;
  }
  const auto problems = ctx.intake.problems(ctx.now);
  if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
  if (ImGui::BeginTable("intake_fields", 2, ImGuiTableFlags_SizingStretchProp)) {
    ImGui::TableSetupColumn("label", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 6.5f);
    ImGui::TableSetupColumn("input", ImGuiTableColumnFlags_WidthStretch);
    for (const auto& spec : intake_fields()) draw_field(ctx, spec, problems);
    ImGui::EndTable();
  }
  draw_priority(ctx, problems);
  ImGui::Separator();
  const bool submit_key = ImGui::GetIO().KeyCtrl && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter));
  ImGui::BeginDisabled(!problems.empty());
  const bool submit = ImGui::Button(tr({"File request (Ctrl+Enter)", "提交请求 (Ctrl+Enter)"})) || (submit_key && problems.empty());
  ImGui::EndDisabled();
  if (!problems.empty()) {
    ImGui::SameLine();
    ImGui::TextDisabled("%s", tr({"Fix the marked fields first.", "请先修正标记的字段。"}));
  }
  ImGui::SameLine();
  // Clearing throws away what was typed (the draft too), so it asks first.
  if (confirmed_button({"Clear", "清空"}, {"Discard everything typed in this form?", "放弃此表单中输入的全部内容？"},
                       {"Discard", "放弃"})) {
    ctx.intake.reset(ctx.now);
  }
  if (ctx.draft_error.is_ok()) {
    ImGui::TextDisabled("%s", tr({"Your typing is kept as a draft, also if the app closes.", "输入内容会保存为草稿，关闭程序也不会丢失。"}));
  } else {
    error_text({"The draft could not be saved (it is retried as you type): ", "草稿无法保存（输入时会重试）："},
               ctx.draft_error);
  }
  if (submit) file_intake(ctx);
  ImGui::End();
}

}  // namespace rapidesk::ui
