// Refused edits: each edit the server would not apply, with its reason in the person's
// language, so that it is seen in the app and not only through `rapidesk-cli rejected`.
// It opens by itself when new refusals arrive (the status bar); Dismiss takes one off the
// list once it is dealt with.
#include <imgui.h>

#include "field_labels.h"
#include "windows/begin_window.h"
#include "windows/widgets.h"
#include "windows/windows.h"

namespace rapidesk::ui {

namespace {

void reload(AppContext& ctx) {
  auto found = ctx.reader->rejections();
  ctx.refused = found ? std::move(*found) : std::vector<nlohmann::json>{};
  if (!found) ctx.say(found.status());
}

// The refused op's value is kept in its canonical (JSON) form.
std::string shown_value(const nlohmann::json& row) {
  const std::string canonical = field_text(row, "value");
  const auto parsed = nlohmann::json::parse(canonical, nullptr, false);
  if (parsed.is_discarded()) return canonical;
  return shown_field_value(field_text(row, "entity"), field_text(row, "field"), parsed);
}

}  // namespace

void dismiss_refused(AppContext& ctx, const std::string& op_id) {
  if (Status s = ctx.replica->dismiss_refusal(op_id); !s) ctx.say(s);
  reload(ctx);
}

void draw_refused_window(AppContext& ctx) {
  if (!ctx.open.refused) return;
  ImGui::SetNextWindowSize(ImVec2(ImGui::GetFontSize() * 40, ImGui::GetFontSize() * 20), ImGuiCond_FirstUseEver);
  if (!begin_window(tr({"Refused edits###refused", "被拒绝的修改###refused"}), &ctx.open.refused)) {
    ImGui::End();
    return;
  }
  if (ImGui::IsWindowAppearing() || ctx.insights_dirty) reload(ctx);
  if (ctx.refused.empty()) {
    ImGui::TextDisabled("%s", tr({"The server refused nothing.", "服务器没有拒绝任何修改。"}));
  } else {
    ImGui::TextWrapped("%s", tr({"These edits were not applied. Each says why; make the change again where it still "
                                 "makes sense, then dismiss it.",
                                 "以下修改未生效，每条都说明了原因；如仍需要，请重新修改，然后将其移除。"}));
  }
  std::string dismissed;
  for (const auto& r : ctx.refused) {
    const std::string op = field_text(r, "op_id");
    ImGui::PushID(op.c_str());
    ImGui::Separator();
    const std::string request = field_text(r, "request_id");
    if (!request.empty()) {
      ImGui::Text("%s  %s", number_or_pending(r).c_str(), field_text(r, "title").c_str());
    } else {
      ImGui::TextDisabled("%s %s", field_text(r, "entity").c_str(), field_text(r, "row_id").c_str());
    }
    ImGui::Text("%s: %s", field_label(field_text(r, "entity"), field_text(r, "field")).c_str(), shown_value(r).c_str());
    const std::string reason = field_text(r, language() == Language::kChinese ? "message_zh" : "message");
    ImGui::TextColored(tone_color(Tone::kBreached, ctx.settings.dark), "%s", reason.c_str());
    ImGui::TextDisabled("%s", short_time_ms(r.value("at", Instant{0})).c_str());
    if (!request.empty()) {
      if (ImGui::SmallButton(tr({"Open request", "打开请求"}))) ctx.select(request);
      ImGui::SameLine();
    }
    if (ImGui::SmallButton(tr({"Dismiss", "移除"}))) dismissed = op;
    ImGui::PopID();
  }
  if (!dismissed.empty()) dismiss_refused(ctx, dismissed);
  ImGui::End();
}

}  // namespace rapidesk::ui
