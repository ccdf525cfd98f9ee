#include "rapidesk/shared/request_number.h"

#include <charconv>
#include <cstdio>

namespace rapidesk {

bool is_valid_team_code(std::string_view team) {
  if (team.size() < 2 || team.size() > 8) return false;
  for (char c : team) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

std::string format_request_number(const RequestNumber& n) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d-%s-%04u", n.date.year, n.date.month, n.date.day, n.team.c_str(),
                n.sequence);
  return buf;
}

std::optional<RequestNumber> parse_request_number(std::string_view text) {
  const size_t first = text.find('-');
  const size_t last = text.rfind('-');
  if (first != 8 || last == first) return std::nullopt;
  RequestNumber n;
  int ymd = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + 8, ymd);
  if (ec != std::errc() || p != text.data() + 8) return std::nullopt;
  n.date = CivilDate{ymd / 10000, ymd / 100 % 100, ymd % 100};
  if (!is_valid_date(n.date)) return std::nullopt;
  n.team = std::string(text.substr(first + 1, last - first - 1));
  if (!is_valid_team_code(n.team)) return std::nullopt;
  const std::string_view seq = text.substr(last + 1);
  if (seq.size() < 4 || seq.size() > 9) return std::nullopt;
  auto [q, ec2] = std::from_chars(seq.data(), seq.data() + seq.size(), n.sequence);
  if (ec2 != std::errc() || q != seq.data() + seq.size() || n.sequence == 0) return std::nullopt;
  return n;
}

}  // namespace rapidesk
