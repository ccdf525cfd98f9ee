#include "intake_form.h"

#include <nlohmann/json.hpp>

#include "json_member.h"
#include "rapidesk/shared/enums.h"
#include "rapidesk/shared/sla_clock.h"
#include "rapidesk/shared/sla_policy.h"

namespace rapidesk::ui {

namespace {

constexpr IntakeFieldSpec kFields[] = {
    {"customer", {"Customer", "客户"}, InputKind::kText, true, {"Company or person", "公司或个人名称"}},
    {"customer_id", {"Customer code", "客户编号"}, InputKind::kText, false, {"Internal contact code", "内部联系编号"}},
    {"contact_name", {"Contact person", "联系人"}, InputKind::kText, false, {"", ""}},
    {"contact", {"Phone / e-mail", "电话/邮箱"}, InputKind::kText, false, {"138…, name@…", "138…，name@…"}},
    {"industry", {"Industry", "行业"}, InputKind::kText, false, {"", ""}},
    {"tier", {"Customer tier", "客户等级"}, InputKind::kChoice, false, {"", ""}},
    {"channel", {"Channel", "渠道"}, InputKind::kChoice, true, {"", ""}},
    {"category", {"Category", "类别"}, InputKind::kChoice, true, {"", ""}},
    {"impact", {"Impact scope", "影响范围"}, InputKind::kChoice, false, {"", ""}},
    {"title", {"Title", "标题"}, InputKind::kText, false, {"One line", "一句话概述"}},
    {"description", {"Description", "问题描述"}, InputKind::kMultiline, true,
     {"In the customer's own words", "用客户自己的话描述"}},
    {"background", {"Background", "背景"}, InputKind::kMultiline, false, {"", ""}},
    {"contacted_at", {"Contacted at", "联系时间"}, InputKind::kTime, true, {"2026-11-23T09:30:00+08:00", "2026-11-23T09:30:00+08:00"}},
    {"expected_at", {"Expected by", "期望完成时间"}, InputKind::kTime, false, {"2026-11-24T18:00:00+08:00", "2026-11-24T18:00:00+08:00"}},
};

template <typename E>
std::vector<std::string> wires() {
  std::vector<std::string> out;
  for (const auto& e : enum_entries<E>()) out.emplace_back(e.wire);
  return out;
}

template <typename E>
std::string label_of(std::string_view wire) {
  auto v = from_wire<E>(wire);
  return v ? pick(label(*v)) : std::string(wire);
}

}  // namespace

std::span<const IntakeFieldSpec> intake_fields() { return kFields; }

std::vector<std::string> intake_choices(std::string_view field) {
  if (field == "tier") return wires<Tier>();
  if (field == "channel") return wires<Channel>();
  if (field == "category") return wires<Category>();
  if (field == "impact") return wires<ImpactScope>();
  if (field == "priority") return wires<Priority>();
  if (field == "status") return wires<RequestStatus>();
  return {};
}

std::string choice_label(std::string_view field, std::string_view wire) {
  if (field == "tier") return label_of<Tier>(wire);
  if (field == "channel") return label_of<Channel>(wire);
  if (field == "category") return label_of<Category>(wire);
  if (field == "impact") return label_of<ImpactScope>(wire);
  if (field == "priority") return label_of<Priority>(wire);
  if (field == "status") return label_of<RequestStatus>(wire);
  if (field == "kind") return label_of<ActivityKind>(wire);
  if (field == "sla_state") return label_of<SlaState>(wire);
  if (field == "sla_target") return label_of<SlaTarget>(wire);
  if (field == "resolution") {  // a conflict's
    if (wire == "open") return tr({"open", "待处理"});
    if (wire == "kept_mine") return tr({"kept mine", "保留我的"});
    if (wire == "kept_theirs") return tr({"kept theirs", "保留对方的"});
    if (wire == "merged") return tr({"merged", "已合并"});
  }
  return std::string(wire);
}

void IntakeForm::reset(Instant now) {
  values.clear();
  override_priority = false;
  override_priority_value.clear();
  override_reason.clear();
  values["contacted_at"] = format_iso8601(now - now % 60'000, client::local_utc_offset_minutes());
  values["channel"] = "visit";  // the form is mostly filled on a customer's site
}

std::vector<client::FieldInput> IntakeForm::inputs() const {
  std::vector<client::FieldInput> out;
  for (const auto& spec : kFields) {
    auto it = values.find(spec.name);
    if (it != values.end() && !it->second.empty()) out.push_back({spec.name, it->second});
  }
  if (override_priority && !override_priority_value.empty()) {
    out.push_back({"priority", override_priority_value});
    out.push_back({"priority_reason", override_reason});
  }
  return out;
}

std::optional<PriorityDecision> IntakeForm::suggestion(Instant now) const {
  const auto in = inputs();
  return client::suggest_priority(in, client::default_priority_rules(), now);
}

std::map<std::string, Text> IntakeForm::problems(Instant now) const {
  std::map<std::string, Text> out;
  const auto in = inputs();
  const auto prepared = client::prepare_intake(in, client::default_priority_rules(), now, client::local_utc_offset_minutes());
  for (const auto& p : prepared.problems) out.emplace(p.field(), p.message());
  for (const auto& spec : kFields) {
    if (spec.kind != InputKind::kTime) continue;
    auto it = values.find(spec.name);
    if (it == values.end() || it->second.empty()) continue;
    if (auto t = parse_iso8601(it->second); !t) out[spec.name] = t.status().message();
  }
  if (override_priority) {
    if (override_priority_value.empty()) {
      out["priority"] = Text{"Choose the priority to set.", "请选择要设定的优先级。"};
    } else if (override_reason.find_first_not_of(" \t") == std::string::npos) {
      out["priority_reason"] = Text{"Say why the priority differs from the suggestion.", "请说明为何不采用建议的优先级。"};
    }
  }
  return out;
}

Result<std::string> IntakeForm::submit(client::LocalReplica& replica, Instant now) {
  if (auto p = problems(now); !p.empty()) {
    return Status::invalid(p.begin()->second, p.begin()->first);
  }
  auto in = inputs();
  if (override_priority) in.push_back({"priority_override_by", replica.identity().user});
  auto id = replica.create_request(in);
  if (id) reset(now);
  return id;
}

std::string IntakeForm::to_draft() const {
  nlohmann::json j = {{"values", values},
                      {"override_priority", override_priority},
                      {"override_priority_value", override_priority_value},
                      {"override_reason", override_reason}};
  return j.dump();
}

void IntakeForm::from_draft(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return;
  if (auto it = j.find("values"); it != j.end() && it->is_object()) {
    values.clear();
    for (auto& [k, v] : it->items()) {
      if (v.is_string()) values[k] = v.get<std::string>();
    }
  }
  override_priority = member_or(j, "override_priority", false);
  override_priority_value = member_or(j, "override_priority_value", std::string());
  override_reason = member_or(j, "override_reason", std::string());
}

bool IntakeForm::empty() const {
  for (const auto& [k, v] : values) {
    if (!v.empty() && k != "contacted_at" && k != "channel") return false;
  }
  return true;
}

}  // namespace rapidesk::ui
