// Helpers for the domain suites: read an asset file and build instants readably.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "rapidesk/shared/time.h"

namespace rapidesk::testing {

inline std::string read_asset(const std::string& name) {
  std::ifstream in(std::string(RAPIDESK_ASSETS_DIR) + "/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// REQUIRES: text is valid ISO 8601 with an offset (test data).
inline Instant at(const std::string& text) {
  auto t = parse_iso8601(text);
  EXPECT_TRUE(t) << text;
  return t ? *t : 0;
}

}  // namespace rapidesk::testing
