// begin_window: a window leaves out its background only while no other window lies under
// it (the frame is cleared to the window colour, so it looks the same). Runs a headless
// ImGui context: no display, no renderer, only the draw lists ImGui builds.
#include "headless_imgui.h"
#include "windows/begin_window.h"

namespace {

class BeginWindowTest : public HeadlessImGuiTest {
 protected:
  // One frame with windows "A" at (0,0) and "B" at `b_pos`, both 300x200. Returns how many
  // vertices each window's Begin drew (its decorations: background, title bar, borders).
  std::pair<int, int> frame(ImVec2 b_pos) {
    ImGui::NewFrame();
    const int a = window("A", ImVec2(0, 0));
    const int b = window("B", b_pos);
    ImGui::Render();
    return {a, b};
  }

 private:
  static int window(const char* name, ImVec2 pos) {
    ImGui::SetNextWindowPos(pos);
    ImGui::SetNextWindowSize(ImVec2(300, 200));
    rapidesk::ui::begin_window(name);
    const int vertices = ImGui::GetWindowDrawList()->VtxBuffer.Size;
    ImGui::End();
    return vertices;
  }
};

TEST_F(BeginWindowTest, WindowsSideBySideSkipTheirBackgroundsFromTheSecondFrame) {
  const auto first = frame(ImVec2(400, 0));  // no placement known yet: backgrounds drawn
  const auto second = frame(ImVec2(400, 0));
  EXPECT_LT(second.first, first.first);
  EXPECT_LT(second.second, first.second);
  EXPECT_EQ(frame(ImVec2(400, 0)), second);  // and so it stays
}

TEST_F(BeginWindowTest, OverlappingWindowsKeepTheirBackgrounds) {
  const auto apart_first = frame(ImVec2(400, 0));
  const auto apart = frame(ImVec2(400, 0));
  ASSERT_LT(apart.second, apart_first.second);
  (void)frame(ImVec2(100, 100));  // B moves over A: it was apart last frame, but A overlaps it now
  const auto over = frame(ImVec2(100, 100));
  EXPECT_EQ(over, apart_first);
  (void)frame(ImVec2(400, 0));  // apart again: one frame later both skip again
  EXPECT_EQ(frame(ImVec2(400, 0)), apart);
}

TEST_F(BeginWindowTest, AWindowThatAppearsOverAnotherHasItsBackgroundAtOnce) {
  ImGui::NewFrame();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(300, 200));
  rapidesk::ui::begin_window("A");
  const int a_with_background = ImGui::GetWindowDrawList()->VtxBuffer.Size;  // its first frame
  ImGui::End();
  ImGui::Render();
  const auto appearing = frame(ImVec2(100, 100));  // B appears over A: B, in front, has its background
  const auto overlapping = frame(ImVec2(100, 100));
  EXPECT_EQ(appearing.second, overlapping.second);
  // A was begun before B appeared, so only from the next frame on has it its own
  // background again (until then B, in front, covers where they overlap).
  EXPECT_LT(appearing.first, a_with_background);
  EXPECT_EQ(overlapping.first, a_with_background);
}

TEST_F(BeginWindowTest, BackgroundsAreDrawnWhileAMouseButtonIsHeld) {
  const auto first = frame(ImVec2(400, 0));
  const auto apart = frame(ImVec2(400, 0));
  ASSERT_LT(apart.first, first.first);
  ImGui::GetIO().MouseDown[0] = true;  // a drag may move either window over the other
  EXPECT_EQ(frame(ImVec2(400, 0)), first);
  ImGui::GetIO().MouseDown[0] = false;
  EXPECT_EQ(frame(ImVec2(400, 0)), apart);
}

TEST_F(BeginWindowTest, AWindowOverTheMainMenuBarKeepsItsBackground) {
  const auto menu_frame = [&](ImVec2 a_pos) {
    ImGui::NewFrame();
    if (ImGui::BeginMainMenuBar()) ImGui::EndMainMenuBar();
    ImGui::SetNextWindowPos(a_pos);
    ImGui::SetNextWindowSize(ImVec2(300, 200));
    rapidesk::ui::begin_window("A");
    const int vertices = ImGui::GetWindowDrawList()->VtxBuffer.Size;
    ImGui::End();
    ImGui::Render();
    return vertices;
  };
  const int first = menu_frame(ImVec2(0, 0));
  (void)menu_frame(ImVec2(0, 0));
  EXPECT_EQ(menu_frame(ImVec2(0, 0)), first);  // its top edge lies under the menu bar
  (void)menu_frame(ImVec2(0, 100));
  EXPECT_LT(menu_frame(ImVec2(0, 100)), first);  // below it: left out
}

}  // namespace
