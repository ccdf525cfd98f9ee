#include "platform/fonts.h"

#include <imgui.h>

#include <array>
#include <cstdio>
#include <cstdlib>

#include "rapidesk/shared/utf8.h"

namespace rapidesk::ui {

std::optional<std::filesystem::path> find_cjk_font() {
  std::error_code ec;
  if (const char* env = std::getenv("RAPIDESK_FONT"); env != nullptr && std::filesystem::exists(env, ec)) {
    return std::filesystem::path(env);
  }
  // Debian's CJK font packages, the smallest first.
  for (const char* p : {"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
                        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                        "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
                        "/usr/share/fonts/truetype/arphic/uming.ttc"}) {
    if (std::filesystem::exists(p, ec)) return std::filesystem::path(p);
  }
  // Anything else fontconfig knows that covers Chinese.
  if (FILE* pipe = popen("fc-list :lang=zh file 2>/dev/null", "r")) {
    std::array<char, 512> line{};
    std::optional<std::filesystem::path> found;
    while (!found && std::fgets(line.data(), line.size(), pipe) != nullptr) {
      std::string s(line.data());
      s = s.substr(0, s.find(':'));
      if ((s.ends_with(".ttf") || s.ends_with(".ttc") || s.ends_with(".otf")) && std::filesystem::exists(s, ec)) {
        found = s;
      }
    }
    pclose(pipe);
    if (found) return found;
  }
  return std::nullopt;
}

FontLoad load_fonts(float size_px) {
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  FontLoad out;
  if (auto file = find_cjk_font()) {
    // Chinese (the full CJK block, punctuation, full-width forms) plus arrows and shapes
    // the UI draws (sort marks, bullets, "→" in priority explanations).
    static ImVector<ImWchar> ranges;
    if (ranges.empty()) {
      ImFontGlyphRangesBuilder builder;
      builder.AddRanges(io.Fonts->GetGlyphRangesChineseFull());
      static const ImWchar extra[] = {0x00A0, 0x024F, 0x2190, 0x21FF, 0x2200, 0x22FF, 0x25A0, 0x25FF, 0x2600, 0x26FF, 0};
      builder.AddRanges(extra);
      builder.BuildRanges(&ranges);
    }
    ImFontConfig config;
    config.OversampleH = 1;  // CJK glyphs are dense; oversampling would quadruple the atlas
    config.OversampleV = 1;
    if (io.Fonts->AddFontFromFileTTF(file->c_str(), size_px, &config, ranges.Data) != nullptr) {
      out.cjk = true;
      out.file = *file;
    }
  }
  if (!out.cjk) {
    ImFontConfig config;
    config.SizePixels = size_px;
    io.Fonts->AddFontDefault(&config);
  }
  io.Fonts->Build();
  return out;
}

bool has_glyphs(const char* utf8) {
  ImFont* font = ImGui::GetIO().Fonts->Fonts.empty() ? nullptr : ImGui::GetIO().Fonts->Fonts[0];
  if (font == nullptr) return false;
  std::string_view s(utf8);
  std::size_t pos = 0;
  while (pos < s.size()) {
    const auto cp = next_code_point(s, pos);
    if (!cp.valid) return false;
    pos += cp.length;
    if (cp.value < 0x20) continue;
    if (cp.value > 0xFFFF || font->FindGlyphNoFallback(static_cast<ImWchar>(cp.value)) == nullptr) return false;
  }
  return true;
}

}  // namespace rapidesk::ui
