#include "ui_text.h"

#include <atomic>

namespace rapidesk::ui {

namespace {

std::atomic<Language> g_language{Language::kEnglish};
std::function<void(const char*)>& observer() {
  static std::function<void(const char*)> f;
  return f;
}

}  // namespace

Language language() { return g_language.load(); }
void set_language(Language lang) { g_language.store(lang); }

const char* tr(UiText text) {
  const char* s = language() == Language::kChinese ? text.zh : text.en;
  if (observer()) observer()(s);
  return s;
}

const std::string& pick(const Text& text) {
  const std::string& s = text.in(language());
  if (observer()) observer()(s.c_str());
  return s;
}

void set_text_observer(std::function<void(const char*)> f) { observer() = std::move(f); }

}  // namespace rapidesk::ui
