#include "rapidesk/shared/sla_policy.h"

#include <array>
#include <nlohmann/json.hpp>

namespace rapidesk {

namespace {

constexpr std::array<EnumEntry<SlaTarget>, 9> kTargets = {{
    {SlaTarget::kIntake, "intake", "Intake", "登记"},
    {SlaTarget::kTriage, "triage", "Triage", "分类定级"},
    {SlaTarget::kAssignment, "assignment", "Assignment", "分派"},
    {SlaTarget::kFirstResponse, "first_response", "First response", "首次响应"},
    {SlaTarget::kPlan, "plan", "Handling plan", "处理方案"},
    {SlaTarget::kProgressCadence, "progress_cadence", "Progress update", "进度更新"},
    {SlaTarget::kResolution, "resolution", "Resolution", "解决"},
    {SlaTarget::kConfirmation, "confirmation", "Customer confirmation", "客户确认"},
    {SlaTarget::kFollowUp, "follow_up", "Follow-up", "回访"},
}};

Status policy_error(std::string_view what) {
  return Status::invalid(format_text(Text{"SLA policy: {}", "SLA 策略配置错误：{}"}, {same_text(what)}));
}

int specificity(const SlaRule& r) { return (r.category ? 2 : 0) + (r.priority ? 1 : 0); }

}  // namespace

template <> std::span<const EnumEntry<SlaTarget>> enum_entries<SlaTarget>() { return kTargets; }

// Function-try-block: a value of the wrong type is a policy error, never an exception out of
// a PUT or of the 30-second reload (which would end the server).
Result<SlaPolicy> SlaPolicy::from_json(std::string_view json_text) try {
  nlohmann::json j = nlohmann::json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return policy_error("not a JSON object");
  SlaPolicy p;
  if (j.contains("warning_share")) {
    if (!j["warning_share"].is_number()) return policy_error("warning_share must be a number");
    p.warning_share_ = j["warning_share"].get<double>();
    if (!(p.warning_share_ > 0.0 && p.warning_share_ < 1.0)) return policy_error("warning_share must be between 0 and 1");
  }
  if (!j.contains("calendars") || !j["calendars"].is_object()) return policy_error("\"calendars\" is missing");
  for (auto it = j["calendars"].begin(); it != j["calendars"].end(); ++it) {
    auto cal = WorkingCalendar::from_json(it.value().dump());
    if (!cal) return policy_error("calendar \"" + it.key() + "\": " + cal.status().message().en);
    p.calendars_.emplace(it.key(), std::move(*cal));
  }
  if (!j.contains("rules") || !j["rules"].is_array()) return policy_error("\"rules\" is missing");
  for (const auto& r : j["rules"]) {
    if (!r.is_object()) return policy_error("each rule is an object");
    for (const char* text : {"target", "calendar"}) {
      if (r.contains(text) && !r[text].is_string()) return policy_error(std::string("a rule's \"") + text + "\" must be text");
    }
    SlaRule rule;
    auto target = from_wire<SlaTarget>(r.value("target", std::string()));
    if (!target) return policy_error("unknown target \"" + r.value("target", std::string()) + "\"; use one of: " + wire_list<SlaTarget>());
    rule.target = *target;
    if (r.contains("category")) {
      rule.category = from_wire<Category>(r["category"].is_string() ? r["category"].get<std::string>() : "");
      if (!rule.category) return policy_error("unknown category in rule; use one of: " + wire_list<Category>());
    }
    if (r.contains("priority")) {
      rule.priority = from_wire<Priority>(r["priority"].is_string() ? r["priority"].get<std::string>() : "");
      if (!rule.priority) return policy_error("unknown priority in rule; use one of: " + wire_list<Priority>());
    }
    const bool has_minutes = r.contains("minutes") && r["minutes"].is_number_integer();
    const bool has_days = r.contains("working_days") && r["working_days"].is_number_integer();
    if (has_minutes == has_days) return policy_error("each rule needs exactly one of \"minutes\" or \"working_days\"");
    // At most a year: a longer target means a typo, and its arithmetic could overflow.
    constexpr std::int64_t kMaxMinutes = 366LL * 24 * 60;
    if (has_minutes && (r["minutes"].get<std::int64_t>() <= 0 || r["minutes"].get<std::int64_t>() > kMaxMinutes)) {
      return policy_error("\"minutes\" must be from 1 to " + std::to_string(kMaxMinutes) + " (a year)");
    }
    if (has_days && (r["working_days"].get<std::int64_t>() <= 0 || r["working_days"].get<std::int64_t>() > 366)) {
      return policy_error("\"working_days\" must be from 1 to 366");
    }
    if (has_minutes) rule.duration.minutes = r["minutes"].get<std::int64_t>();
    if (has_days) rule.duration.working_days = static_cast<int>(r["working_days"].get<std::int64_t>());
    rule.calendar = r.value("calendar", std::string("business"));
    if (!p.calendars_.count(rule.calendar)) return policy_error("rule uses undefined calendar \"" + rule.calendar + "\"");
    p.rules_.push_back(std::move(rule));
  }
  return p;
} catch (const nlohmann::json::exception& e) {
  return policy_error(std::string("a value has the wrong type: ") + e.what());
}

std::optional<ResolvedTarget> SlaPolicy::find(SlaTarget target, Category category, Priority priority) const {
  const SlaRule* best = nullptr;
  for (const auto& r : rules_) {
    if (r.target != target) continue;
    if (r.category && *r.category != category) continue;
    if (r.priority && *r.priority != priority) continue;
    if (!best || specificity(r) > specificity(*best)) best = &r;
  }
  if (!best) return std::nullopt;
  return ResolvedTarget{best->duration, &calendars_.at(best->calendar), best->calendar};
}

const WorkingCalendar* SlaPolicy::calendar(const std::string& name) const {
  auto it = calendars_.find(name);
  return it == calendars_.end() ? nullptr : &it->second;
}

}  // namespace rapidesk
