// When the app cannot start on its profile (open in another Rapidesk program, unreadable,
// damaged), the window says why instead of closing at once: a program started from a desktop
// menu has no terminal to print to.
#pragma once

#include <filesystem>

#include "platform/window.h"
#include "rapidesk/shared/status.h"

namespace rapidesk::ui {

// Shows `error` in both languages with a Close button until the window is closed, or for
// `max_frames` frames (> 0; the tests), writing the last one to `screenshot` when given.
Status show_startup_error(Window& window, const Status& error, int max_frames = 0,
                          const std::filesystem::path* screenshot = nullptr);

}  // namespace rapidesk::ui
