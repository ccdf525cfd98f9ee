#include "intake/assets.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace rapidesk::client {

std::optional<std::string> read_asset(std::string_view name) {
  const char* env = std::getenv("RAPIDESK_ASSETS");
  const std::string dir = env != nullptr && *env != '\0' ? env : RAPIDESK_ASSETS_DIR;
  std::ifstream in(dir + "/" + std::string(name));
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace rapidesk::client
