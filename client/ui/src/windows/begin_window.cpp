#include "windows/begin_window.h"

#include <vector>

namespace rapidesk::ui {

namespace {

struct Rect {
  ImVec2 min, max;
};

bool overlap(const Rect& a, const Rect& b) {
  return a.min.x < b.max.x && b.min.x < a.max.x && a.min.y < b.max.y && b.min.y < a.max.y;
}
bool contains(const Rect& outer, const Rect& inner) {
  return outer.min.x <= inner.min.x && outer.min.y <= inner.min.y && inner.max.x <= outer.max.x &&
         inner.max.y <= outer.max.y;
}

// Where each window begun through begin_window was on the frames it was shown. Popups,
// menus and tooltips are not listed: they are always in front, and only a window behind
// this one can show through a missing background.
struct Placement {
  ImGuiID id = 0;
  Rect rect;
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

Placement* find(Placements& all, ImGuiID id) {
  for (Placement& p : all.windows) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

// True when `self` was shown last frame, within the work area, and no other window shown
// last frame or begun this frame overlaps it. False on its first frame (no rectangle known
// yet), and while a mouse button is held: windows move and resize only by dragging, and a
// window dragged over another this frame must not show it through for the one frame its old
// place says "alone".
bool alone_over_clear_colour(const Placements& all, const Placement* self, int frame) {
  if (ImGui::IsAnyMouseDown()) return false;
  if (self == nullptr || self->frame != frame - 1) return false;
  // The main menu bar is drawn outside the work area, by ImGui, and is not listed above.
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  const Rect work{vp->WorkPos, ImVec2(vp->WorkPos.x + vp->WorkSize.x, vp->WorkPos.y + vp->WorkSize.y)};
  if (!contains(work, self->rect)) return false;
  for (const Placement& p : all.windows) {
    if (&p != self && p.frame >= frame - 1 && overlap(p.rect, self->rect)) return false;
  }
  return true;
}

}  // namespace

bool begin_window(const char* name, bool* open, ImGuiWindowFlags flags) {
  Placements& all = placements();
  const ImGuiID id = ImGui::GetID(name);
  const int frame = ImGui::GetFrameCount();
  Placement* self = find(all, id);
  if (alone_over_clear_colour(all, self, frame)) flags |= ImGuiWindowFlags_NoBackground;
  const bool shown = ImGui::Begin(name, open, flags);
  const ImVec2 pos = ImGui::GetWindowPos();
  const ImVec2 size = ImGui::GetWindowSize();
  const Placement now{id, Rect{pos, ImVec2(pos.x + size.x, pos.y + size.y)}, frame};
  if (self != nullptr) {
    *self = now;  // Begin adds nothing to the list, so `self` still points into it
  } else {
    all.windows.push_back(now);
  }
  return shown;
}

}  // namespace rapidesk::ui
