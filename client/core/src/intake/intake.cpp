#include "rapidesk/client/intake.h"

#include "intake/assets.h"
#include "store/replica_codec.h"
#include "rapidesk/shared/enums.h"
#include "rapidesk/shared/validation.h"

namespace rapidesk::client {

namespace {

const std::string* find(std::span<const FieldInput> fields, std::string_view name) {
  for (const auto& f : fields) {
    if (f.field == name) return &f.text;
  }
  return nullptr;
}

template <typename E>
std::optional<E> enum_of(std::span<const FieldInput> fields, std::string_view name) {
  const std::string* text = find(fields, name);
  if (text == nullptr || text->empty()) return std::nullopt;
  return from_wire<E>(*text);
}

std::optional<Instant> instant_of(std::span<const FieldInput> fields, std::string_view name) {
  const std::string* text = find(fields, name);
  if (text == nullptr || text->empty()) return std::nullopt;
  auto t = parse_iso8601(*text);
  return t ? std::optional<Instant>(*t) : std::nullopt;
}

std::unique_ptr<PriorityRules> load_rules() {
  const auto text = read_asset("priority_rules.json");
  if (!text) return nullptr;
  auto rules = PriorityRules::from_json(*text);
  if (!rules) return nullptr;
  return std::make_unique<PriorityRules>(std::move(*rules));
}

}  // namespace

const PriorityRules* default_priority_rules() {
  static const std::unique_ptr<PriorityRules> rules = load_rules();
  return rules.get();
}

std::optional<PriorityDecision> suggest_priority(std::span<const FieldInput> fields, const PriorityRules* rules,
                                                 Instant now) {
  if (rules == nullptr) return std::nullopt;
  PriorityFactors factors;
  if (auto impact = enum_of<ImpactScope>(fields, "impact")) factors.impact = *impact;
  if (auto tier = enum_of<Tier>(fields, "tier")) factors.tier = *tier;
  factors.expected_at = instant_of(fields, "expected_at");
  return rules->evaluate(factors, now);
}

int local_utc_offset_minutes() { return store::local_utc_offset_minutes(); }

PreparedIntake prepare_intake(std::span<const FieldInput> fields, const PriorityRules* rules, Instant now,
                              int utc_offset_minutes) {
  PreparedIntake out;
  out.fields.assign(fields.begin(), fields.end());
  auto add_default = [&](std::string_view name, std::string value) {
    const std::string* have = find(out.fields, name);
    if (have == nullptr) out.fields.push_back(FieldInput{std::string(name), std::move(value)});
  };
  add_default("status", "new");
  add_default("contacted_at", format_iso8601(now, utc_offset_minutes));
  const std::string* priority = find(out.fields, "priority");
  if (priority == nullptr || priority->empty()) {
    if (auto decision = suggest_priority(out.fields, rules, now)) {
      std::erase_if(out.fields, [](const FieldInput& f) { return f.field == "priority"; });
      out.fields.push_back(FieldInput{"priority", std::string(to_wire(decision->priority))});
      add_default("priority_reason", stored_text(decision->explanation));
    }
  }
  // The shared intake rules read the domain entity.
  Request r;
  auto text = [&](std::string_view name) {
    const std::string* v = find(out.fields, name);
    return v != nullptr ? *v : std::string();
  };
  r.customer = text("customer");
  r.description = text("description");
  r.title = text("title");
  r.background = text("background");
  r.contact = text("contact");
  r.category = enum_of<Category>(out.fields, "category");
  r.channel = enum_of<Channel>(out.fields, "channel");
  r.tier = enum_of<Tier>(out.fields, "tier");
  r.contacted_at = instant_of(out.fields, "contacted_at");
  r.expected_at = instant_of(out.fields, "expected_at");
  out.problems = validate_intake(r, now);
  // An enum typed wrong reads as "missing" above; say what is wrong instead.
  for (std::string_view name : {"category", "channel"}) {
    const std::string* v = find(out.fields, name);
    if (v == nullptr || v->empty()) continue;
    const bool known = name == "category" ? from_wire<Category>(*v).has_value() : from_wire<Channel>(*v).has_value();
    if (known) continue;
    std::erase_if(out.problems, [&](const Status& s) { return s.field() == name; });
    out.problems.push_back(name == "category" ? parse_enum_field<Category>(name, *v).status()
                                              : parse_enum_field<Channel>(name, *v).status());
  }
  return out;
}

}  // namespace rapidesk::client
