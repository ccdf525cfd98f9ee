// Top-level windows that leave out their background when it would repaint the clear colour.
#pragma once

#include <imgui.h>

namespace rapidesk::ui {

// ImGui::Begin, minus the window's background fill whenever the window lay inside the work
// area (clear of the main menu bar) and overlapped no other window on the previous frame
// (nor on this one so far). Each frame starts cleared to the WindowBg colour
// (platform/window.cpp), so such a window looks exactly the same; but under a software
// renderer (Mesa's llvmpipe: Xvfb, virtual machines, remote desktops) filling a large
// window's background is the biggest single cost of a frame. Measured with `rapidesk-bench
// ui-frame`: the 100k-row list's median frame fell from about 10 ms to 6.5 ms.
// Overlapping windows keep their background, so one in front still hides what is behind;
// so does every window while a mouse button is held (a drag may move one over another). A
// window begun before another appears over it gets its background back one frame later;
// meanwhile the new window, in front as windows appear, covers where they overlap.
bool begin_window(const char* name, bool* open = nullptr, ImGuiWindowFlags flags = 0);

}  // namespace rapidesk::ui
