// Saved JSON the app reads back (settings, the intake draft) may have been written by hand or
// by another version: a member of the wrong type keeps its default. Thrown, the error would
// stop the app at every start.
#pragma once

#include <nlohmann/json.hpp>

namespace rapidesk::ui {

template <typename T>
T member_or(const nlohmann::json& object, const char* key, T fallback) {
  try {
    return object.value(key, fallback);
  } catch (const nlohmann::json::exception&) {
    return fallback;
  }
}

}  // namespace rapidesk::ui
