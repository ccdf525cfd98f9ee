// What both storage backends say and store the same way for accounts: the error messages of
// the Storage contract and the skills column (a JSON array of strings).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "rapidesk/shared/status.h"

namespace rapidesk::server::records {

inline Status user_not_found(std::string_view name) {
  return Status::not_found(format_text(Text{"no user named \"{}\"", "没有名为“{}”的用户"}, {same_text(name)}));
}

inline Status team_not_found(std::string_view code) {
  return Status::not_found(format_text(Text{"no team with code \"{}\"", "没有代码为“{}”的团队"}, {same_text(code)}));
}

inline Status team_exists(std::string_view code) {
  return Status::conflict(
      format_text(Text{"a team with code \"{}\" already exists", "代码为“{}”的团队已存在"}, {same_text(code)}));
}

inline Status user_exists(std::string_view name) {
  return Status::conflict(
      format_text(Text{"a user named \"{}\" already exists", "名为“{}”的用户已存在"}, {same_text(name)}));
}

inline Status no_team_for_user(std::string_view team) {
  return Status::invalid(format_text(Text{"no team with code \"{}\"; add it first with: team add {} --name NAME",
                                          "没有代码为“{}”的团队；请先用 team add {} --name 名称 添加"},
                                     {same_text(team), same_text(team)}),
                         "team");
}

inline Status unknown_token() { return Status::not_found(Text{"unknown token", "未知令牌"}); }

inline std::string skills_json(const std::vector<std::string>& skills) { return nlohmann::json(skills).dump(); }

inline std::vector<std::string> skills_from_json(const std::string& text) {
  std::vector<std::string> out;
  auto v = nlohmann::json::parse(text, nullptr, false);
  if (v.is_array()) {
    for (const auto& s : v) {
      if (s.is_string()) out.push_back(s.get<std::string>());
    }
  }
  return out;
}

}  // namespace rapidesk::server::records
