// What people call the fields of the sync schema: the refused-edits and conflicts windows
// name a field this way rather than by its wire name ("agreed_due").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ui_text.h"

namespace rapidesk::ui {

// The label of `field` of `entity` (a field name means the same in every entity but where
// an entity names its own); nullopt for a field this table does not know.
std::optional<UiText> known_field_label(std::string_view entity, std::string_view field);

// known_field_label in the current language, or the wire name for a field it does not know
// (a newer server's field is still shown, by its name).
std::string field_label(std::string_view entity, std::string_view field);

}  // namespace rapidesk::ui
