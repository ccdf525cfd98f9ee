// The client's configuration files (assets/): the folder named by RAPIDESK_ASSETS, else the
// one the build knows (RAPIDESK_ASSETS_DIR).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rapidesk::client {

// The text of assets/<name>; nullopt when it cannot be read.
std::optional<std::string> read_asset(std::string_view name);

}  // namespace rapidesk::client
