// Protocol constants the server enforces. The client sends its protocol version in the
// X-Rapidesk-Protocol header; a mismatch is answered 426 upgrade_required, never with data
// the client might misread.
// NOTE: when the sync library grows the shared protocol header both ends include, these
// constants move there and this header re-exports them.
#pragma once

#include <cstddef>
#include <string_view>

namespace rapidesk::server {

constexpr int kProtocolVersion = 1;
constexpr std::string_view kProtocolHeader = "x-rapidesk-protocol";  // lower case: header lookup key
// JSON bodies deeper than this are refused before parsing (a 200-deep body is an attack,
// not a request).
constexpr int kMaxJsonDepth = 32;
// Server version reported by /healthz.
std::string_view server_version();

}  // namespace rapidesk::server
