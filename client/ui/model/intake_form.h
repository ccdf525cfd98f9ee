// The intake form's state and rules, without any drawing: the fields of DESIGN.md's
// intake step, required ones marked, problems per field (the shared intake rules), the
// priority suggested from the three factors with an override that needs a reason, and the
// draft that keeps what was typed across restarts until the request is filed.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "rapidesk/client/intake.h"
#include "rapidesk/client/local_replica.h"
#include "ui_text.h"

namespace rapidesk::ui {

enum class InputKind { kText, kMultiline, kChoice, kTime };

struct IntakeFieldSpec {
  const char* name;  // wire name
  UiText label;
  InputKind kind;
  bool required;
  UiText hint;
};

// In the order the form shows them (the order a person asks on a visit).
std::span<const IntakeFieldSpec> intake_fields();
// Choices (wire names) of a kChoice field.
std::vector<std::string> intake_choices(std::string_view field);
// The label of a choice in the current language ("vip" → "VIP 客户").
std::string choice_label(std::string_view field, std::string_view wire);

class IntakeForm {
 public:
  std::map<std::string, std::string> values;  // wire name → typed text
  bool override_priority = false;
  std::string override_priority_value;  // wire name, when overriding
  std::string override_reason;

  // Empties the form; the contact time defaults to now (in the device's offset).
  void reset(Instant now);
  // What the person typed, as field inputs (empty fields left out).
  std::vector<client::FieldInput> inputs() const;
  std::optional<PriorityDecision> suggestion(Instant now) const;
  // field → message for each problem; "" is a problem of the whole form.
  std::map<std::string, Text> problems(Instant now) const;
  // Files the request (one transaction) when there are no problems; the form is reset.
  Result<std::string> submit(client::LocalReplica& replica, Instant now);

  // The draft: the form as JSON, and back (unknown keys ignored).
  std::string to_draft() const;
  void from_draft(std::string_view json);
  bool empty() const;
};

}  // namespace rapidesk::ui
