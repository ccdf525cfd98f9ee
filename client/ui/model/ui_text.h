// Words on screen, in the language the person chose (switchable while running).
//
// UiText holds string literals (static storage), so tr() can hand ImGui a pointer that
// stays valid. Domain messages built at run time are rapidesk::Text; pick() chooses one.
#pragma once

#include <functional>
#include <string>

#include "rapidesk/shared/text.h"

namespace rapidesk::ui {

struct UiText {
  const char* en;
  const char* zh;
};

Language language();
void set_language(Language lang);

const char* tr(UiText text);
const std::string& pick(const Text& text);

// Test hook: called with every string tr() returns (the UI test checks that each Chinese
// label drawn has its glyphs in the font atlas). Empty function: off.
void set_text_observer(std::function<void(const char*)> observer);

}  // namespace rapidesk::ui
