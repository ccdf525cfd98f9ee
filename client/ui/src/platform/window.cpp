#include "platform/window.h"

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

namespace rapidesk::ui {

namespace {

Status no_display(std::string_view why) {
  return Status(ErrorCode::kUnavailable,
                Text{"Cannot open a window (" + std::string(why) +
                         "). On a machine without a display run under Xvfb: xvfb-run -a -s \"-screen 0 1600x900x24\" "
                         "build/bin/rapidesk …",
                     "无法打开窗口（" + std::string(why) +
                         "）。在没有显示器的机器上请用 Xvfb 运行：xvfb-run -a -s \"-screen 0 1600x900x24\" "
                         "build/bin/rapidesk …"});
}

// GLFW's own words for the last failure, for the message (it reports through a callback).
std::string& last_glfw_error() {
  static std::string text;
  return text;
}

void remember_glfw_error(int code, const char* description) {
  last_glfw_error() = std::string(description != nullptr ? description : "") + " (GLFW error " + std::to_string(code) + ")";
}

std::string with_glfw_error(std::string why) {
  if (!last_glfw_error().empty()) why += ": " + last_glfw_error();
  return why;
}

}  // namespace

Result<std::unique_ptr<Window>> Window::open(const WindowOptions& options) {
  if (std::getenv("DISPLAY") == nullptr && std::getenv("WAYLAND_DISPLAY") == nullptr) {
    return no_display("DISPLAY is not set");
  }
  last_glfw_error().clear();
  glfwSetErrorCallback(remember_glfw_error);
  if (!glfwInit()) return no_display(with_glfw_error("GLFW could not start"));
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  GLFWwindow* w = glfwCreateWindow(options.width, options.height, options.title.c_str(), nullptr, nullptr);
  if (w == nullptr) {
    const std::string why = with_glfw_error("no OpenGL 3 context");
    glfwTerminate();
    return no_display(why);
  }
  glfwMakeContextCurrent(w);
  glfwSwapInterval(options.vsync ? 1 : 0);
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
  io.IniFilename = nullptr;  // window layout is the app's, not a file in the working folder
  ImGui_ImplGlfw_InitForOpenGL(w, true);
  ImGui_ImplOpenGL3_Init("#version 130");
  return std::unique_ptr<Window>(new Window(w));
}

Window::~Window() {
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window_);
  glfwTerminate();
}

bool Window::should_close() const { return glfwWindowShouldClose(window_) != 0; }
void Window::request_close() { glfwSetWindowShouldClose(window_, 1); }

void Window::begin_frame(double wait_seconds) {
  if (wait_seconds > 0) {
    glfwWaitEventsTimeout(wait_seconds);
  } else {
    glfwPollEvents();
  }
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  ImGui::NewFrame();
}

Status Window::end_frame(const std::filesystem::path* screenshot) {
  ImGui::Render();
  int w = 0, h = 0;
  glfwGetFramebufferSize(window_, &w, &h);
  glViewport(0, 0, w, h);
  const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
  glClearColor(bg.x, bg.y, bg.z, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  Status s;
  if (screenshot != nullptr && w > 0 && h > 0) {
    std::vector<unsigned char> pixels(static_cast<std::size_t>(w) * h * 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
    // OpenGL's rows run bottom to top; PNG's top to bottom.
    std::vector<unsigned char> flipped(pixels.size());
    const std::size_t row = static_cast<std::size_t>(w) * 4;
    for (int y = 0; y < h; ++y) {
      std::copy_n(pixels.data() + static_cast<std::size_t>(h - 1 - y) * row, row, flipped.data() + y * row);
    }
    s = write_png(*screenshot, w, h, flipped.data());
  }
  glfwSwapBuffers(window_);
  return s;
}

void Window::reload_fonts() {
  ImGui_ImplOpenGL3_DestroyFontsTexture();
  ImGui_ImplOpenGL3_CreateFontsTexture();
}

}  // namespace rapidesk::ui
