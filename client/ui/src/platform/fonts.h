// Fonts: one face with Chinese and Latin glyphs, found at run time (RAPIDESK_FONT, then the
// Debian CJK font packages' paths, then fontconfig), loaded at the size the person chose.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace rapidesk::ui {

// The first CJK-capable font file present, if any.
std::optional<std::filesystem::path> find_cjk_font();

struct FontLoad {
  bool cjk = false;             // a Chinese-capable font is in the atlas
  std::filesystem::path file;   // the font used (empty: ImGui's built-in Latin font)
};

// Rebuilds the ImGui font atlas at `size_px` (call Window::reload_fonts() after, when a
// renderer is running). Without a CJK font, the built-in font is used and cjk is false.
FontLoad load_fonts(float size_px);

// True when every code point of `utf8` has a glyph in the current font (no fallback box).
bool has_glyphs(const char* utf8);

}  // namespace rapidesk::ui
