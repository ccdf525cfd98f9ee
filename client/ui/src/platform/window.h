// The desktop window: GLFW + OpenGL 3 + the ImGui platform/renderer backends, one frame at
// a time, with a PNG screenshot of any frame (the UI tests and the docs use it).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "rapidesk/shared/status.h"

struct GLFWwindow;

namespace rapidesk::ui {

struct WindowOptions {
  int width = 1440;
  int height = 900;
  std::string title = "Rapidesk";
  bool vsync = true;  // false: frames as fast as they draw (benchmarks)
};

class Window {
 public:
  // kUnavailable (with how to run under Xvfb) when there is no display or no OpenGL 3.
  static Result<std::unique_ptr<Window>> open(const WindowOptions& options);
  ~Window();
  Window(const Window&) = delete;
  Window& operator=(const Window&) = delete;

  bool should_close() const;
  void request_close();
  // Handles input (waiting up to `wait_seconds` for an event when > 0) and starts a frame.
  void begin_frame(double wait_seconds);
  // Draws the frame; when `screenshot` is set, also writes it there as a PNG first.
  Status end_frame(const std::filesystem::path* screenshot = nullptr);
  // After the font atlas was rebuilt (language or size changed): uploads it again.
  void reload_fonts();
  GLFWwindow* handle() const { return window_; }

 private:
  explicit Window(GLFWwindow* w) : window_(w) {}
  GLFWwindow* window_;
};

// Writes RGBA pixels (rows top to bottom) as a PNG.
Status write_png(const std::filesystem::path& file, int width, int height, const unsigned char* rgba);

}  // namespace rapidesk::ui
