#include "rapidesk/sync/field_op.h"

#include <algorithm>

namespace rapidesk::sync {

namespace {
constexpr std::string_view kConflictPrefix = "cf:";

bool is_op_id_char(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
         ch == '-' || ch == '.' || ch == ':';
}
}  // namespace

std::string_view origin_name(Origin origin) { return origin == Origin::kServer ? "server" : "client"; }

bool is_valid_op_id(std::string_view id) {
  return !id.empty() && id.size() <= kMaxOpIdLength && std::all_of(id.begin(), id.end(), is_op_id_char);
}

std::string make_op_id(std::string_view device, std::uint64_t sequence) {
  std::string out(device);
  out += ':';
  out += std::to_string(sequence);
  return out;
}

std::string conflict_id_for(std::string_view loser_op_id) {
  std::string out(kConflictPrefix);
  out += loser_op_id;
  return out;
}

bool is_conflict_id(std::string_view id) {
  return id.substr(0, kConflictPrefix.size()) == kConflictPrefix && is_valid_op_id(id.substr(kConflictPrefix.size()));
}

std::string_view loser_op_of(std::string_view conflict_id) { return conflict_id.substr(kConflictPrefix.size()); }

}  // namespace rapidesk::sync
