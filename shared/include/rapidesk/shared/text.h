// Text shown to people, always in both languages Rapidesk ships (zh and en).
#pragma once

#include <string>
#include <string_view>

namespace rapidesk {

enum class Language { kEnglish, kChinese };

// Parses "en" / "zh" (also "zh-CN", "en-US"); anything else is English.
Language parse_language(std::string_view code);
std::string_view language_code(Language lang);

// A message in both languages. Domain code builds these; the UI or CLI picks one.
struct Text {
  std::string en;
  std::string zh;

  const std::string& in(Language lang) const { return lang == Language::kChinese ? zh : en; }
  bool operator==(const Text&) const = default;
};

// Replaces each "{}" in order with the next argument, in both languages.
// Arguments that are themselves Text are substituted per language.
Text format_text(const Text& pattern, std::initializer_list<Text> args);
// Wraps a value that reads the same in both languages (names, numbers, ids).
inline Text same_text(std::string_view s) { return Text{std::string(s), std::string(s)}; }

// A text Rapidesk writes into a record every replica shows, whatever its language (an SLA
// activity, why a request was assigned, how its priority was suggested): English, a line
// break, Chinese.
std::string stored_text(const Text& text);

}  // namespace rapidesk
