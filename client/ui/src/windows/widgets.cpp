#include "windows/widgets.h"

#include <ctime>

#include "intake_form.h"
#include "rapidesk/shared/time.h"
#include "rapidesk/sync/schema.h"

namespace rapidesk::ui {

ImVec4 tone_color(Tone tone, bool dark) {
  switch (tone) {
    case Tone::kOnTrack: return dark ? ImVec4(0.40f, 0.85f, 0.45f, 1) : ImVec4(0.10f, 0.55f, 0.15f, 1);
    case Tone::kWarning: return dark ? ImVec4(1.00f, 0.75f, 0.25f, 1) : ImVec4(0.80f, 0.50f, 0.00f, 1);
    case Tone::kBreached: return dark ? ImVec4(1.00f, 0.40f, 0.40f, 1) : ImVec4(0.80f, 0.10f, 0.10f, 1);
    case Tone::kPaused: return dark ? ImVec4(0.55f, 0.70f, 1.00f, 1) : ImVec4(0.20f, 0.35f, 0.75f, 1);
    case Tone::kDone:
    case Tone::kNone: break;
  }
  return dark ? ImVec4(0.60f, 0.60f, 0.60f, 1) : ImVec4(0.45f, 0.45f, 0.45f, 1);
}

std::string field_text(const nlohmann::json& row, const char* field) {
  auto it = row.find(field);
  if (it == row.end() || it->is_null()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_array()) {
    std::string out;
    for (const auto& e : *it) out += (out.empty() ? "" : ", ") + (e.is_string() ? e.get<std::string>() : e.dump());
    return out;
  }
  return it->dump();
}

std::int64_t int_field(const nlohmann::json& row, const char* field, std::int64_t fallback) {
  auto it = row.find(field);
  if (it == row.end() || !it->is_number()) return fallback;
  return it->is_number_float() ? static_cast<std::int64_t>(it->get<double>()) : it->get<std::int64_t>();
}

bool bool_field(const nlohmann::json& row, const char* field) {
  auto it = row.find(field);
  if (it == row.end()) return false;
  if (it->is_boolean()) return it->get<bool>();
  return it->is_number_integer() && it->get<std::int64_t>() != 0;
}

std::string number_or_pending(const nlohmann::json& row) {
  std::string n = field_text(row, "number");
  return n.empty() ? std::string(tr({"(not synced)", "（未同步）"})) : n;
}

bool choice_combo(const char* id, const char* field, std::string& value, bool allow_empty, UiText empty_label) {
  bool changed = false;
  const std::string preview = value.empty() ? std::string(tr(empty_label)) : choice_label(field, value);
  if (ImGui::BeginCombo(id, preview.c_str())) {
    if (allow_empty && ImGui::Selectable(tr(empty_label), value.empty())) {
      value.clear();
      changed = true;
    }
    for (const auto& w : intake_choices(field)) {
      if (ImGui::Selectable(choice_label(field, w).c_str(), value == w)) {
        value = w;
        changed = true;
      }
    }
    ImGui::EndCombo();
  }
  return changed;
}

void help_marker(const char* text) {
  ImGui::SameLine();
  ImGui::TextDisabled("(?)");
  if (ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30.0f);
    ImGui::TextUnformatted(text);
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

std::string short_time_ms(Instant ms) {
  if (ms <= 0) return "-";
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm local{};
  localtime_r(&t, &local);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &local);
  return buf;
}

std::string short_time(std::string_view iso) {
  if (iso.empty()) return "-";
  auto t = parse_iso8601(iso);
  return t ? short_time_ms(*t) : std::string(iso);
}

void label_before(UiText label) {
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(tr(label));
  ImGui::SameLine();
}

std::string shown_field_value(std::string_view entity, std::string_view field, const nlohmann::json& value) {
  if (!value.is_string()) return value.dump();
  const std::string text = value.get<std::string>();
  const auto spec = sync::find_field(entity, field);
  if (spec && spec->field->type == sync::ValueType::kInstant) return short_time(text);
  if (spec && spec->field->type == sync::ValueType::kEnum) return choice_label(field, text);
  return text;
}

void error_text(const std::string& text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.85f, 0.15f, 0.15f, 1));
  ImGui::TextWrapped("%s", text.c_str());
  ImGui::PopStyleColor();
}

void error_text(UiText what, const Status& failed) { error_text(std::string(tr(what)) + pick(failed.message())); }

bool confirmed_button(UiText label, UiText question, UiText confirm) {
  // The popup's id hangs off the button's own, so two such buttons never share a question.
  ImGui::PushID(label.en);
  if (ImGui::Button(tr(label))) ImGui::OpenPopup("confirm");
  bool confirmed = false;
  if (ImGui::BeginPopupModal("confirm", nullptr, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoTitleBar)) {
    ImGui::TextUnformatted(tr(question));
    if (ImGui::Button(tr(confirm))) {
      confirmed = true;
      ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    if (ImGui::Button(tr({"Cancel", "取消"})) || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false)) {
      ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
  }
  ImGui::PopID();
  return confirmed;
}

}  // namespace rapidesk::ui
