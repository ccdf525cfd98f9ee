// The inbox of what concerns me: assigned to me, added as collaborator, SLA warnings and
// breaches on my requests, progress updates due, customer feedback — derived from the
// replica (fed by what the server syncs), with the unread ones marked.
#include <imgui.h>

#include "windows/begin_window.h"
#include "windows/widgets.h"
#include "windows/windows.h"

namespace rapidesk::ui {

namespace {

UiText kind_label(const std::string& kind) {
  if (kind == "assigned") return {"Assigned to you", "分派给你"};
  if (kind == "collaborator") return {"You collaborate", "你是协作人"};
  if (kind == "sla") return {"SLA", "SLA 提醒"};
  if (kind == "feedback") return {"Customer feedback", "客户反馈"};
  if (kind == "progress_due") return {"Progress update due", "需要更新进度"};
  return {"Update", "更新"};
}

}  // namespace

std::size_t unread_notifications(const AppContext& ctx) {
  std::size_t n = 0;
  for (const auto& item : ctx.notifications) n += int_field(item, "at") > ctx.notifications_seen ? 1 : 0;
  return n;
}

void mark_notifications_read(AppContext& ctx) {
  for (const auto& item : ctx.notifications) ctx.notifications_seen = std::max(ctx.notifications_seen, int_field(item, "at"));
  if (Status s = ctx.replica->save_draft("ui.notifications_seen", std::to_string(ctx.notifications_seen)); !s) {
    ctx.say(std::string(tr({"Could not save that these are read: ", "无法保存已读状态："})) + pick(s.message()), true);
  }
}

void draw_notifications_window(AppContext& ctx) {
  if (!ctx.open.notifications) return;
  ImGui::SetNextWindowSize(ImVec2(ImGui::GetFontSize() * 36, ImGui::GetFontSize() * 26), ImGuiCond_FirstUseEver);
  if (!begin_window(tr({"Notifications###notifications", "通知###notifications"}), &ctx.open.notifications)) {
    ImGui::End();
    return;
  }
  if (ImGui::Button(tr({"Mark all read", "全部标为已读"}))) mark_notifications_read(ctx);
  ImGui::SameLine();
  ImGui::TextDisabled("%zu %s", unread_notifications(ctx), tr({"unread", "条未读"}));
  if (ctx.notifications.empty()) ImGui::TextDisabled("%s", tr({"Nothing concerns you right now.", "目前没有与你相关的事项。"}));
  if (ImGui::BeginTable("inbox", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingStretchProp)) {
    ImGui::TableSetupColumn(tr({"When", "时间"}), ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 8);
    ImGui::TableSetupColumn(tr({"What", "事项"}), ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 8);
    ImGui::TableSetupColumn(tr({"Request", "请求"}));
    ImGui::TableHeadersRow();
    int i = 0;
    for (const auto& item : ctx.notifications) {
      const Instant at = int_field(item, "at");
      const bool unread = at > ctx.notifications_seen;
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::PushID(i++);
      const std::string when = (unread ? "● " : "  ") + short_time_ms(at);
      if (ImGui::Selectable(when.c_str(), false, ImGuiSelectableFlags_SpanAllColumns)) {
        ctx.select(field_text(item, "request_id"));
      }
      ImGui::PopID();
      ImGui::TableSetColumnIndex(1);
      const std::string kind = field_text(item, "kind");
      ImGui::TextColored(tone_color(kind == "sla" ? Tone::kBreached : kind == "progress_due" ? Tone::kWarning : Tone::kPaused,
                                    ctx.settings.dark),
                         "%s", tr(kind_label(kind)));
      ImGui::TableSetColumnIndex(2);
      std::string text = number_or_pending(item) + "  " + field_text(item, "title");
      if (!field_text(item, "text").empty()) text += " — " + field_text(item, "text");
      ImGui::TextWrapped("%s", text.c_str());
    }
    ImGui::EndTable();
  }
  ImGui::End();
}

}  // namespace rapidesk::ui
