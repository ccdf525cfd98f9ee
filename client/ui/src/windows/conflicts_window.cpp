// Conflicts: each concurrent edit the merge kept, side by side (mine / theirs, who and
// when), resolved by keeping mine, keeping theirs, or typing a merged value; every
// resolution is a new operation that syncs like any edit.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <map>

#include "rapidesk/sync/conflict.h"
#include "field_labels.h"
#include "intake_form.h"
#include "windows/begin_window.h"
#include "windows/widgets.h"
#include "windows/windows.h"

namespace rapidesk::ui {

void draw_conflicts_window(AppContext& ctx) {
  if (!ctx.open.conflicts) return;
  static std::vector<nlohmann::json> conflicts;
  static std::map<std::string, std::string> merged;
  static bool all = false;
  static Status read_error;  // the last read failed: "no conflicts" would not be true
  ImGui::SetNextWindowSize(ImVec2(ImGui::GetFontSize() * 44, ImGui::GetFontSize() * 24), ImGuiCond_FirstUseEver);
  if (!begin_window(tr({"Conflicts###conflicts", "冲突###conflicts"}), &ctx.open.conflicts)) {
    ImGui::End();
    return;
  }
  // Drawn on every frame: as the last operand of the `||` below it was skipped whenever the
  // window appeared or a sync landed, and it flickered.
  const bool toggled = ImGui::Checkbox(tr({"Show resolved too", "也显示已解决的"}), &all);
  if (ImGui::IsWindowAppearing() || ctx.insights_dirty || toggled) {
    // Coordinators see every conflict; others see those where their edit lost.
    const bool everyone = ctx.who.role == "coordinator" || ctx.who.role == "admin";
    auto found = ctx.reader->conflicts(everyone ? std::string_view() : std::string_view(ctx.who.user), !all);
    conflicts = found ? std::move(*found) : std::vector<nlohmann::json>{};
    read_error = found ? Status::ok() : found.status();
  }
  if (!read_error.is_ok()) {
    error_text({"Could not read the conflicts: ", "无法读取冲突："}, read_error);
  } else if (conflicts.empty()) ImGui::TextDisabled("%s", tr({"No conflicts. Everyone's edits merged cleanly.", "没有冲突，所有修改都已顺利合并。"}));
  for (const auto& c : conflicts) {
    const std::string id = field_text(c, "id");
    ImGui::PushID(id.c_str());
    ImGui::Separator();
    const std::string entity = field_text(c, "entity"), field = field_text(c, "field");
    ImGui::Text("%s  %s  ·  %s: %s", number_or_pending(c).c_str(), field_text(c, "title").c_str(), tr({"field", "字段"}),
                field_label(entity, field).c_str());
    if (ImGui::BeginTable("sides", 2, ImGuiTableFlags_BordersInnerV)) {
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::TextDisabled("%s — %s", tr({"Mine", "我的"}), field_text(c, "mine_author").c_str());
      ImGui::TextWrapped("%s", shown_field_value(entity, field, c["mine"]).c_str());
      ImGui::TableSetColumnIndex(1);
      ImGui::TextDisabled("%s — %s", tr({"Theirs (kept now)", "对方的（当前值）"}), field_text(c, "theirs_author").c_str());
      ImGui::TextWrapped("%s", shown_field_value(entity, field, c["theirs"]).c_str());
      ImGui::EndTable();
    }
    const std::string resolution = field_text(c, "resolution");
    if (resolution != "open") {
      ImGui::TextDisabled("%s %s", tr({"Resolved:", "已解决："}), choice_label("resolution", resolution).c_str());
    } else {
      auto resolve = [&](sync::Resolution how, std::optional<std::string> text) {
        Status s = ctx.replica->resolve_conflict(id, how, std::move(text));
        if (s.is_ok()) {
          ctx.say(tr({"Conflict resolved; the choice syncs as a new edit.", "冲突已解决，你的选择将作为新的修改同步。"}));
          ctx.edited();
        } else {
          ctx.say(s);
        }
      };
      if (ImGui::Button(tr({"Keep mine", "保留我的"}))) resolve(sync::Resolution::kKeptMine, std::nullopt);
      ImGui::SameLine();
      if (ImGui::Button(tr({"Keep theirs", "保留对方的"}))) resolve(sync::Resolution::kKeptTheirs, std::nullopt);
      ImGui::SameLine();
      std::string& text = merged[id];
      ImGui::SetNextItemWidth(ImGui::GetFontSize() * 16);
      ImGui::InputTextWithHint("##merged", tr({"Merged value", "合并后的值"}), &text);
      ImGui::SameLine();
      if (ImGui::Button(tr({"Merge", "合并"}))) resolve(sync::Resolution::kMerged, text);
    }
    ImGui::PopID();
  }
  ImGui::End();
}

}  // namespace rapidesk::ui
