#include "rapidesk/assignment/assignment_rules.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace rapidesk::assignment {

namespace {

Status rules_error(std::string_view what) {
  return Status::invalid(format_text(Text{"Assignment rules: {}", "分派规则配置错误：{}"}, {same_text(what)}));
}

std::optional<std::string> optional_string(const nlohmann::json& j, const char* key) {
  if (j.contains(key) && j[key].is_string()) return j[key].get<std::string>();
  return std::nullopt;
}

}  // namespace

// Function-try-block: a value of the wrong type is a rules error, never an exception.
Result<AssignmentRules> AssignmentRules::from_json(std::string_view json_text) try {
  nlohmann::json j = nlohmann::json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return rules_error("not a JSON object");
  AssignmentRules r;
  r.default_team_ = j.value("default_team", std::string());
  if (r.default_team_.empty()) return rules_error("default_team is missing");
  if (!j.contains("routes") || !j["routes"].is_array()) return rules_error("routes are missing");
  for (const auto& route : j["routes"]) {
    auto category = from_wire<Category>(route.value("category", std::string()));
    auto team = optional_string(route, "team");
    if (!category) return rules_error("a route has an unknown category; use one of: " + wire_list<Category>());
    if (!team || team->empty()) return rules_error("a route has no team");
    r.routes_.push_back(Route{*category, optional_string(route, "industry"), *team});
  }
  // Industry-specific routes are more specific: try them first, keeping file order otherwise.
  std::stable_sort(r.routes_.begin(), r.routes_.end(),
                   [](const Route& a, const Route& b) { return a.industry.has_value() > b.industry.has_value(); });
  if (j.contains("skills")) {
    if (!j["skills"].is_array()) return rules_error("skills must be a list");
    for (const auto& s : j["skills"]) {
      SkillRule rule{optional_string(s, "tag"), optional_string(s, "industry"), s.value("skill", std::string())};
      if (rule.skill.empty() || (!rule.tag && !rule.industry)) return rules_error("each skill rule needs a skill and a tag or industry");
      r.skills_.push_back(std::move(rule));
    }
  }
  for (const auto& e : enum_entries<Priority>()) r.load_weights_[e.value] = 1;
  if (j.contains("load_weights")) {
    for (auto it = j["load_weights"].begin(); it != j["load_weights"].end(); ++it) {
      auto p = from_wire<Priority>(it.key());
      if (!p || !it.value().is_number_integer() || it.value().get<int>() < 0) return rules_error("bad load weight \"" + it.key() + "\"");
      r.load_weights_[*p] = it.value().get<int>();
    }
  }
  return r;
} catch (const nlohmann::json::exception& e) {
  return rules_error(std::string("a value has the wrong type: ") + e.what());
}

const std::string& AssignmentRules::team_for(Category category, const std::string& industry) const {
  for (const auto& route : routes_) {
    if (route.category == category && (!route.industry || *route.industry == industry)) return route.team;
  }
  return default_team_;
}

std::vector<std::string> AssignmentRules::skills_for(const std::vector<std::string>& tags, const std::string& industry) const {
  std::vector<std::string> out;
  for (const auto& rule : skills_) {
    const bool tag_match = rule.tag && std::find(tags.begin(), tags.end(), *rule.tag) != tags.end();
    const bool industry_match = rule.industry && *rule.industry == industry;
    if (tag_match || industry_match) out.push_back(rule.skill);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace rapidesk::assignment
