// confirmed_button: a click only asks; the action runs when the person confirms, and Cancel
// or Escape change nothing. Runs a headless ImGui context (no display, no renderer) and
// clicks with mouse events, one per frame, as a person's clicks arrive.
#include <imgui_internal.h>

#include <optional>

#include "headless_imgui.h"
#include "windows/widgets.h"

namespace {

using rapidesk::ui::UiText;

constexpr UiText kConfirm{"Discard", "放弃"};

class ConfirmedButtonTest : public HeadlessImGuiTest {
 protected:
  void SetUp() override {
    HeadlessImGuiTest::SetUp();
    ImGui::GetIO().KeyMap[ImGuiKey_Escape] = kEscape;
    (void)frame();
  }

  // One frame of a form holding the button; what the button answered.
  bool frame() {
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(500, 300));
    ImGui::Begin("form", nullptr, ImGuiWindowFlags_NoTitleBar);
    button_ = ImGui::GetCursorScreenPos();
    const bool confirmed = rapidesk::ui::confirmed_button({"Clear", "清空"}, {"Discard it all?", "全部放弃？"}, kConfirm);
    ImGui::End();
    ImGui::Render();
    return confirmed;
  }

  // Moves there, presses, releases, and lets a popup settle; how many frames answered true.
  int click(ImVec2 at) {
    ImGuiIO& io = ImGui::GetIO();
    int yes = 0;
    io.MousePos = ImVec2(at.x + 4, at.y + 4);
    yes += frame();
    io.MouseDown[0] = true;
    yes += frame();
    io.MouseDown[0] = false;
    yes += frame();
    yes += frame();  // an auto-sized popup is placed from its second frame
    return yes;
  }

  int press_escape() {
    ImGuiIO& io = ImGui::GetIO();
    io.KeysDown[kEscape] = true;
    int yes = frame();
    io.KeysDown[kEscape] = false;
    return yes + frame();
  }

  static constexpr int kEscape = 256;  // GLFW_KEY_ESCAPE, as the GLFW backend maps it

  // The open question's Confirm button (the line under the question), if one is open.
  static std::optional<ImVec2> confirm_button() {
    for (ImGuiWindow* w : ImGui::GetCurrentContext()->Windows) {
      if ((w->Flags & ImGuiWindowFlags_Modal) != 0 && w->Active) {
        return ImVec2(w->DC.CursorStartPos.x,
                      w->DC.CursorStartPos.y + ImGui::GetTextLineHeight() + ImGui::GetStyle().ItemSpacing.y);
      }
    }
    return std::nullopt;
  }
  static ImVec2 cancel_button(ImVec2 confirm) {
    const ImGuiStyle& style = ImGui::GetStyle();
    const float confirm_width = ImGui::CalcTextSize(rapidesk::ui::tr(kConfirm)).x + 2 * style.FramePadding.x;
    return ImVec2(confirm.x + confirm_width + style.ItemSpacing.x, confirm.y);
  }

  ImVec2 button_;
};

TEST_F(ConfirmedButtonTest, AClickOnlyAsksAndConfirmingAnswersOnce) {
  EXPECT_EQ(click(button_), 0);
  auto confirm = confirm_button();
  ASSERT_TRUE(confirm) << "the click opened no question";
  EXPECT_EQ(click(*confirm), 1);
  EXPECT_FALSE(confirm_button()) << "the question stays open after the answer";
  EXPECT_EQ(frame(), false);
}

TEST_F(ConfirmedButtonTest, CancelAndEscapeChangeNothing) {
  ASSERT_EQ(click(button_), 0);
  auto confirm = confirm_button();
  ASSERT_TRUE(confirm);
  EXPECT_EQ(click(cancel_button(*confirm)), 0);
  EXPECT_FALSE(confirm_button());

  ASSERT_EQ(click(button_), 0);
  ASSERT_TRUE(confirm_button());
  EXPECT_EQ(press_escape(), 0);
  EXPECT_FALSE(confirm_button());
}

}  // namespace
