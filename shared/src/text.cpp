#include "rapidesk/shared/text.h"

#include "rapidesk/shared/status.h"

namespace rapidesk {

Language parse_language(std::string_view code) {
  return code.substr(0, 2) == "zh" ? Language::kChinese : Language::kEnglish;
}

std::string_view language_code(Language lang) { return lang == Language::kChinese ? "zh" : "en"; }

namespace {
std::string substitute(const std::string& pattern, std::initializer_list<Text> args, Language lang) {
  std::string out;
  out.reserve(pattern.size() + 16);
  auto next = args.begin();
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{' && i + 1 < pattern.size() && pattern[i + 1] == '}' && next != args.end()) {
      out += next->in(lang);
      ++next;
      ++i;
    } else {
      out += pattern[i];
    }
  }
  return out;
}
}  // namespace

Text format_text(const Text& pattern, std::initializer_list<Text> args) {
  return Text{substitute(pattern.en, args, Language::kEnglish), substitute(pattern.zh, args, Language::kChinese)};
}

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "ok";
    case ErrorCode::kInvalid: return "invalid";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kForbidden: return "forbidden";
    case ErrorCode::kUnauthorized: return "unauthorized";
    case ErrorCode::kTooLarge: return "too_large";
    case ErrorCode::kUpgradeRequired: return "upgrade_required";
    case ErrorCode::kRateLimited: return "rate_limited";
    case ErrorCode::kIo: return "io";
    case ErrorCode::kCorrupt: return "corrupt";
    case ErrorCode::kInternal: return "internal";
    case ErrorCode::kUnavailable: return "unavailable";
  }
  return "internal";
}

std::string stored_text(const Text& text) { return text.en + "\n" + text.zh; }

}  // namespace rapidesk
