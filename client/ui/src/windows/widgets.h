// Small drawing helpers shared by the windows.
#pragma once

#include <imgui.h>

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "countdown.h"
#include "ui_text.h"

namespace rapidesk::ui {

ImVec4 tone_color(Tone tone, bool dark);
// A field of a row as text ("" when absent or null).
std::string field_text(const nlohmann::json& row, const char* field);
// A numeric / boolean field of a row (`fallback` when absent, null or of another type).
std::int64_t int_field(const nlohmann::json& row, const char* field, std::int64_t fallback = 0);
bool bool_field(const nlohmann::json& row, const char* field);
// The request's number, or "(not synced)" before the server numbered it.
std::string number_or_pending(const nlohmann::json& row);
// A combo over wire names showing their labels; `allow_empty` adds "(any)" / "(none)".
bool choice_combo(const char* id, const char* field, std::string& value, bool allow_empty, UiText empty_label);
// `label` on the current row, with the next item after it on the same row: a label that
// reads before its field (ImGui's own labels follow it). Give the field a "##id".
void label_before(UiText label);
// A value of `field` of `entity` as the detail window shows it: a time in local time, a
// choice by its label, other text as it is; a value that is not a string as JSON.
std::string shown_field_value(std::string_view entity, std::string_view field, const nlohmann::json& value);
// A greyed "(?)" that shows `text` as a tooltip.
void help_marker(const char* text);
// A local time "2026-11-23 14:05" from an ISO 8601 text or ms.
std::string short_time(std::string_view iso);
std::string short_time_ms(Instant ms);
// Text in the error colour, wrapped.
void error_text(const std::string& text);
// "`what`" followed by the reason of `failed`, in the error colour: a failure shown where the
// result would have been.
void error_text(UiText what, const Status& failed);
// A button whose action waits for a second answer: a click asks `question` in a modal
// popup, and this returns true on the frame the person picks `confirm`. Cancel or Escape
// closes the question and changes nothing.
bool confirmed_button(UiText label, UiText question, UiText confirm);

}  // namespace rapidesk::ui
