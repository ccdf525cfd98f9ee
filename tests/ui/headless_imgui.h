// An ImGui context with no display and no renderer, for tests of what the windows build:
// 1000x700, 60 frames a second, the font atlas built as a renderer would ask for it.
#pragma once

#include <gtest/gtest.h>
#include <imgui.h>

class HeadlessImGuiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    context_ = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(1000, 700);
    io.DeltaTime = 1.0f / 60;
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
  }
  void TearDown() override { ImGui::DestroyContext(context_); }

 private:
  ImGuiContext* context_ = nullptr;
};
