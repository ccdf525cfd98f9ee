#include "app/startup_error.h"

#include <imgui.h>

#include "platform/fonts.h"

namespace rapidesk::ui {

Status show_startup_error(Window& window, const Status& error, int max_frames, const std::filesystem::path* screenshot) {
  const FontLoad fonts = load_fonts(18.0f);
  for (int frame = 1; !window.should_close(); ++frame) {
    window.begin_frame(max_frames > 0 ? 0.0 : 0.5);
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(vp->WorkPos);
    ImGui::SetNextWindowSize(vp->WorkSize);
    ImGui::Begin("##startup_error", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove);
    ImGui::TextUnformatted("Rapidesk could not start.");
    ImGui::Spacing();
    ImGui::TextWrapped("%s", error.message().en.c_str());
    // Without a CJK font the Chinese text would show as boxes.
    if (fonts.cjk) {
      ImGui::Spacing();
      ImGui::TextUnformatted("Rapidesk 无法启动。");
      ImGui::TextWrapped("%s", error.message().zh.c_str());
    }
    ImGui::Spacing();
    if (ImGui::Button(fonts.cjk ? "Close / 关闭" : "Close")) window.request_close();
    ImGui::End();
    const bool last = max_frames > 0 && frame >= max_frames;
    if (Status s = window.end_frame(last ? screenshot : nullptr); !s) return s;
    if (last) break;
  }
  return Status::ok();
}

}  // namespace rapidesk::ui
