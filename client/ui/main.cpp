// rapidesk: the desktop client. See docs/client-ui.md.
#include <iostream>
#include <string>
#include <vector>

#include "app/app.h"
#include "app/startup_error.h"
#include "platform/window.h"

namespace {

using rapidesk::Language;
using rapidesk::ui::AppOptions;

constexpr const char* kHelp =
    "Usage: rapidesk [--db FILE] [--server URL] [--lang zh|en] [--font-size PX] [--theme light|dark]\n"
    "                [--screenshot FILE.png --frames N]\n"
    "\n"
    "The Rapidesk desktop client. Works offline on a local copy (the profile FILE, default\n"
    "~/.local/share/rapidesk/profile.rapidesk) and syncs with the server when it can.\n"
    "  --db FILE          the profile to open (created when missing)\n"
    "  --server URL       the server, e.g. http://127.0.0.1:8080 (remembered in the profile)\n"
    "  --lang zh|en       language (also switchable in the menu bar)\n"
    "  --font-size PX     12..32 (also in Settings)\n"
    "  --theme light|dark\n"
    "  --screenshot FILE  after N frames (--frames, default 30) write the window as PNG and quit\n"
    "Needs a display; on a machine without one: xvfb-run -a -s \"-screen 0 1600x900x24\" rapidesk …\n"
    "\n"
    "用法：rapidesk [--db 文件] [--server 地址] [--lang zh|en] [--font-size 像素] [--theme light|dark]\n"
    "Rapidesk 桌面客户端：在本地副本上离线工作，能连上服务器时自动同步。\n"
    "没有显示器时请用：xvfb-run -a -s \"-screen 0 1600x900x24\" rapidesk …\n";

int usage_error(const std::string& what) {
  std::cerr << "rapidesk: " << what << "\n" << kHelp;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  AppOptions options;
  std::string screenshot;
  int frames = 30;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::cout << kHelp;
      return 0;
    }
    if (i + 1 >= args.size()) return usage_error("unknown option or missing value: " + a + " / 未知选项或缺少值");
    const std::string& v = args[++i];
    if (a == "--db") {
      options.db = v;
    } else if (a == "--server") {
      options.server_url = v;
    } else if (a == "--lang") {
      if (v != "zh" && v != "en") return usage_error("--lang is zh or en / --lang 只能是 zh 或 en");
      options.language = rapidesk::parse_language(v);
    } else if (a == "--font-size") {
      try {
        options.font_size = std::stof(v);
      } catch (...) {
        return usage_error("--font-size needs a number / --font-size 需要数字");
      }
    } else if (a == "--theme") {
      if (v != "light" && v != "dark") return usage_error("--theme is light or dark / --theme 只能是 light 或 dark");
      options.dark = v == "dark";
    } else if (a == "--screenshot") {
      screenshot = v;
    } else if (a == "--frames") {
      try {
        frames = std::max(1, std::stoi(v));
      } catch (...) {
        return usage_error("--frames needs a number / --frames 需要数字");
      }
    } else {
      return usage_error("unknown option " + a + " / 未知选项 " + a);
    }
  }
  auto window = rapidesk::ui::Window::open({});
  if (!window) {
    std::cerr << "rapidesk: " << window.status().message().en << "\nrapidesk: " << window.status().message().zh << "\n";
    return 1;
  }
  auto app = rapidesk::ui::App::open(options);
  if (!app) {
    std::cerr << "rapidesk: " << app.status().message().en << "\nrapidesk: " << app.status().message().zh << "\n";
    // Also in the window: started from a desktop menu, there is no terminal to read.
    const std::filesystem::path shot(screenshot);
    (void)rapidesk::ui::show_startup_error(**window, app.status(), screenshot.empty() ? 0 : frames,
                                           screenshot.empty() ? nullptr : &shot);
    return 1;
  }
  for (int frame = 1; !(*window)->should_close(); ++frame) {
    if ((*app)->prepare_fonts()) (*window)->reload_fonts();
    (*window)->begin_frame(screenshot.empty() ? 0.5 : 0.0);
    (*app)->frame();
    if (!screenshot.empty() && frame >= frames) {
      const std::filesystem::path file(screenshot);
      if (auto s = (*window)->end_frame(&file); !s) {
        std::cerr << "rapidesk: " << s.message().en << "\n";
        return 1;
      }
      break;
    }
    if (auto s = (*window)->end_frame(); !s) std::cerr << "rapidesk: " << s.message().en << "\n";
  }
  (*app)->save();
  return 0;
}
