// Assignment rules as data (assets/assignment_rules.json): which team a category goes to,
// which skills a request needs, and how heavy each priority weighs in a person's load.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rapidesk/shared/enums.h"
#include "rapidesk/shared/status.h"

namespace rapidesk::assignment {

// A route: requests matching category (and optionally industry) go to `team`.
struct Route {
  Category category = Category::kOther;
  std::optional<std::string> industry;  // unset: any industry
  std::string team;
};

// Requests carrying `tag` (or of `industry`) need a person with `skill`.
struct SkillRule {
  std::optional<std::string> tag;
  std::optional<std::string> industry;
  std::string skill;
};

class AssignmentRules {
 public:
  //   {"routes": [{"category": "complaint", "team": "SVC"}, ...], "default_team": "SVC",
  //    "skills": [{"tag": "erp", "skill": "erp"}, {"industry": "logistics", "skill": "wms"}],
  //    "load_weights": {"urgent": 4, "high": 3, "medium": 2, "low": 1}}
  static Result<AssignmentRules> from_json(std::string_view json_text);

  // The team for a request: the first route matching category and industry (routes with
  // an industry are tried first), else the default team.
  const std::string& team_for(Category category, const std::string& industry) const;
  // Skills a request needs, from its tags and industry, sorted and unique.
  std::vector<std::string> skills_for(const std::vector<std::string>& tags, const std::string& industry) const;
  int load_weight(Priority p) const { return load_weights_.at(p); }

 private:
  std::vector<Route> routes_;
  std::string default_team_;
  std::vector<SkillRule> skills_;
  std::map<Priority, int> load_weights_;
};

}  // namespace rapidesk::assignment
