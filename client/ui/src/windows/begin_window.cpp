#include "windows/begin_window.h"

#include <vector>

namespace rapidesk::ui {

namespace {

// Where each window begun through begin_window was on the frames it was shown. Popups,
// menus and tooltips are not listed: they are always in front, and only a window behind
// this one can show through a missing background.
struct Placement {
  ImGuiID id = 0;
  ImVec2 min, max;
  int frame = -1;
};

struct Placements {
  ImGuiContext* context = nullptr;  // a new ImGui context starts a new list
  std::vector<Placement> windows;
};

Placements& placements() {
  static Placements p;
  if (p.context != ImGui::GetCurrentContext()) p = Placements{ImGui::GetCurrentContext(), {}};
  return p;
}

bool overlap(const Placement& a, const Placement& b) {
  return a.min.x < b.max.x && b.min.x < a.max.x && a.min.y < b.max.y && b.min.y < a.max.y;
}

// True when window `id` was shown last frame, within the work area, and no other window
// shown last frame or begun this frame overlaps it. False on its first frame (no rectangle known yet), and while a
// mouse button is held: windows move and resize only by dragging, and a window dragged over
// another this frame must not show it through for the one frame its old place says "alone".
bool alone_over_clear_colour(const Placements& all, ImGuiID id, int frame) {
  if (ImGui::IsAnyMouseDown()) return false;
  const Placement* self = nullptr;
  for (const Placement& p : all.windows) {
    if (p.id == id) self = &p;
  }
  if (self == nullptr || self->frame != frame - 1) return false;
  // The main menu bar is drawn outside the work area, by ImGui, and is not listed above.
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  const Placement work{0, vp->WorkPos, ImVec2(vp->WorkPos.x + vp->WorkSize.x, vp->WorkPos.y + vp->WorkSize.y), frame};
  if (self->min.x < work.min.x || self->min.y < work.min.y || self->max.x > work.max.x || self->max.y > work.max.y) {
    return false;
  }
  for (const Placement& p : all.windows) {
    if (p.id != id && p.frame >= frame - 1 && overlap(p, *self)) return false;
  }
  return true;
}

}  // namespace

bool begin_window(const char* name, bool* open, ImGuiWindowFlags flags) {
  Placements& all = placements();
  const ImGuiID id = ImGui::GetID(name);
  const int frame = ImGui::GetFrameCount();
  if (alone_over_clear_colour(all, id, frame)) flags |= ImGuiWindowFlags_NoBackground;
  const bool shown = ImGui::Begin(name, open, flags);
  const ImVec2 pos = ImGui::GetWindowPos();
  const ImVec2 size = ImGui::GetWindowSize();
  Placement now{id, pos, ImVec2(pos.x + size.x, pos.y + size.y), frame};
  bool found = false;
  for (Placement& p : all.windows) {
    if (p.id == id) {
      p = now;
      found = true;
    }
  }
  if (!found) all.windows.push_back(now);
  return shown;
}

}  // namespace rapidesk::ui
