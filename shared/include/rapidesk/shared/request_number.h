// Human request numbers "YYYYMMDD-TEAM-NNNN", given by the server on first accept.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "rapidesk/shared/time.h"

namespace rapidesk {

struct RequestNumber {
  CivilDate date;
  std::string team;      // 2..8 of A-Z and 0-9
  std::uint32_t sequence = 0;  // per team and day, from 1; at least four digits when printed
  bool operator==(const RequestNumber&) const = default;
};

bool is_valid_team_code(std::string_view team);
// REQUIRES: is_valid_team_code(n.team) and n.sequence >= 1.
std::string format_request_number(const RequestNumber& n);
std::optional<RequestNumber> parse_request_number(std::string_view text);

}  // namespace rapidesk
