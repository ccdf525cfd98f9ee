#include "rapidesk/shared/priority.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace rapidesk {

namespace {

Status rules_error(std::string_view what) {
  return Status::invalid(format_text(Text{"Priority rules: {}", "优先级规则配置错误：{}"}, {same_text(what)}));
}

template <typename E>
Status read_scores(const nlohmann::json& j, std::string_view key, std::map<E, int>& out) {
  if (!j.contains(key) || !j[key].is_object()) return rules_error(std::string(key) + " is missing");
  for (auto it = j[key].begin(); it != j[key].end(); ++it) {
    auto v = from_wire<E>(it.key());
    if (!v || !it.value().is_number_integer()) return rules_error(std::string(key) + ": bad entry \"" + it.key() + "\"");
    out[*v] = it.value().get<int>();
  }
  for (const auto& e : enum_entries<E>()) {
    if (!out.count(e.value)) return rules_error(std::string(key) + ": no score for \"" + std::string(e.wire) + "\"");
  }
  return Status::ok();
}

}  // namespace

Result<PriorityRules> PriorityRules::from_json(std::string_view json_text) {
  nlohmann::json j = nlohmann::json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return rules_error("not a JSON object");
  PriorityRules r;
  if (Status s = read_scores<ImpactScope>(j, "impact", r.impact_); !s) return s;
  if (Status s = read_scores<Tier>(j, "tier", r.tier_); !s) return s;
  if (!j.contains("urgency") || !j["urgency"].is_array() || j["urgency"].empty()) return rules_error("urgency is missing");
  for (const auto& step : j["urgency"]) {
    if (!step.is_object() || !step.contains("score") || !step["score"].is_number_integer()) return rules_error("each urgency step needs a score");
    UrgencyStep u;
    u.score = step["score"].get<int>();
    if (step.contains("within_hours")) {
      if (!step["within_hours"].is_number_integer()) return rules_error("within_hours must be a whole number");
      u.within_hours = step["within_hours"].get<std::int64_t>();
    }
    if (!r.urgency_.empty() && (!r.urgency_.back().within_hours ||
                                (u.within_hours && *u.within_hours <= *r.urgency_.back().within_hours))) {
      return rules_error("urgency steps must ascend by within_hours, with the open-ended step last");
    }
    r.urgency_.push_back(u);
  }
  if (r.urgency_.back().within_hours) return rules_error("the last urgency step must have no within_hours");
  r.no_expected_time_score_ = j.value("no_expected_time_score", 1);
  if (!j.contains("levels") || !j["levels"].is_array() || j["levels"].empty()) return rules_error("levels are missing");
  for (const auto& l : j["levels"]) {
    auto p = l.is_object() && l.contains("priority") && l["priority"].is_string()
                 ? from_wire<Priority>(l["priority"].get<std::string>()) : std::nullopt;
    if (!p || !l.contains("min_score") || !l["min_score"].is_number_integer()) return rules_error("each level needs min_score and a priority");
    r.levels_.push_back(Level{l["min_score"].get<int>(), *p});
  }
  std::sort(r.levels_.begin(), r.levels_.end(), [](const Level& a, const Level& b) { return a.min_score > b.min_score; });
  return r;
}

PriorityDecision PriorityRules::evaluate(const PriorityFactors& f, Instant now) const {
  PriorityDecision d;
  d.impact_score = impact_.at(f.impact);
  d.tier_score = tier_.at(f.tier);
  Text urgency_text;
  if (!f.expected_at) {
    d.urgency_score = no_expected_time_score_;
    urgency_text = Text{"no expected time", "未指定期望时间"};
  } else {
    const std::int64_t left_ms = *f.expected_at - now;
    for (const auto& step : urgency_) {
      if (!step.within_hours || left_ms <= *step.within_hours * kMsPerHour) {
        d.urgency_score = step.score;
        if (left_ms < 0) {
          urgency_text = Text{"expected time already passed", "期望时间已过"};
        } else if (step.within_hours) {
          urgency_text = format_text(Text{"expected within {} h", "期望在 {} 小时内"}, {same_text(std::to_string(*step.within_hours))});
        } else {
          urgency_text = Text{"expected later", "期望时间较晚"};
        }
        break;
      }
    }
  }
  d.score = d.impact_score + d.urgency_score + d.tier_score;
  d.priority = levels_.back().priority;
  for (const auto& level : levels_) {
    if (d.score >= level.min_score) {
      d.priority = level.priority;
      break;
    }
  }
  auto num = [](int v) { return same_text(std::to_string(v)); };
  d.explanation = format_text(
      Text{"impact: {} ({}) + urgency: {} ({}) + customer: {} ({}) = {} → {}",
           "影响范围：{}（{}）+ 紧急程度：{}（{}）+ 客户价值：{}（{}）= {} → {}"},
      {label(f.impact), num(d.impact_score), urgency_text, num(d.urgency_score), label(f.tier), num(d.tier_score),
       num(d.score), label(d.priority)});
  return d;
}

Result<PriorityOverride> make_priority_override(Priority priority, std::string by, std::string reason, Instant at) {
  if (by.empty()) {
    return Status::invalid(Text{"A priority override must record who made it.", "手动调整优先级必须记录操作人。"}, "priority_override_by");
  }
  if (reason.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Status::invalid(Text{"Say why the priority is changed by hand.", "手动调整优先级必须填写原因。"}, "priority_override_reason");
  }
  return PriorityOverride{priority, std::move(by), std::move(reason), at};
}

}  // namespace rapidesk
