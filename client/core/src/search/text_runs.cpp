#include "search/text_runs.h"

#include <algorithm>
#include <iterator>

#include "rapidesk/shared/utf8.h"

namespace rapidesk::client::search {

namespace {

// Where each class begins above ASCII; a class holds until the next entry. Coarse by
// design: whole blocks of letters count as words and whole blocks of symbols as
// separators, with the common punctuation inside letter blocks carved out. Full-width
// ASCII never gets here (it is folded first).
struct ClassStart {
  char32_t first;
  CharClass cls;
};
constexpr ClassStart kClassStarts[] = {
    {0x0080, CharClass::kSeparator},  // C1 controls, Latin-1 punctuation and symbols
    {0x00AA, CharClass::kWord},       // ª
    {0x00AB, CharClass::kSeparator},
    {0x00B5, CharClass::kWord},       // µ
    {0x00B6, CharClass::kSeparator},
    {0x00BA, CharClass::kWord},       // º
    {0x00BB, CharClass::kSeparator},
    {0x00C0, CharClass::kWord},       // Latin-1 letters
    {0x00D7, CharClass::kSeparator},  // ×
    {0x00D8, CharClass::kWord},
    {0x00F7, CharClass::kSeparator},  // ÷
    {0x00F8, CharClass::kWord},       // Latin extended, IPA, combining marks, Greek, Cyrillic...
    {0x0375, CharClass::kSeparator},  // Greek numeral sign
    {0x0376, CharClass::kWord},
    {0x037E, CharClass::kSeparator},  // Greek question mark
    {0x037F, CharClass::kWord},
    {0x0387, CharClass::kSeparator},  // Greek ano teleia
    {0x0388, CharClass::kWord},
    {0x055A, CharClass::kSeparator},  // Armenian punctuation
    {0x0560, CharClass::kWord},
    {0x0589, CharClass::kSeparator},
    {0x058A, CharClass::kWord},
    {0x060C, CharClass::kSeparator},  // Arabic comma
    {0x060D, CharClass::kWord},
    {0x061B, CharClass::kSeparator},  // Arabic semicolon
    {0x061C, CharClass::kWord},
    {0x061F, CharClass::kSeparator},  // Arabic question mark
    {0x0620, CharClass::kWord},
    {0x06D4, CharClass::kSeparator},  // Arabic full stop
    {0x06D5, CharClass::kWord},
    {0x0964, CharClass::kSeparator},  // Devanagari danda
    {0x0966, CharClass::kWord},
    {0x1100, CharClass::kCjk},        // Hangul jamo
    {0x1200, CharClass::kWord},
    {0x2000, CharClass::kSeparator},  // general punctuation, symbols, arrows, maths, shapes
    {0x2C00, CharClass::kWord},       // Glagolitic, Latin extended-C, Coptic, ...
    {0x2E00, CharClass::kSeparator},  // supplemental punctuation, CJK radicals, IDCs
    {0x3005, CharClass::kCjk},        // 々 〆 〇
    {0x3008, CharClass::kSeparator},  // CJK brackets and marks
    {0x3021, CharClass::kCjk},        // Hangzhou numerals
    {0x302A, CharClass::kSeparator},
    {0x3041, CharClass::kCjk},        // hiragana, katakana
    {0x30FB, CharClass::kSeparator},  // katakana middle dot
    {0x30FC, CharClass::kCjk},        // prolonged sound mark, bopomofo, hangul compatibility jamo
    {0x31C0, CharClass::kSeparator},  // CJK strokes
    {0x31F0, CharClass::kCjk},        // katakana phonetic extensions
    {0x3200, CharClass::kSeparator},  // enclosed CJK letters, CJK compatibility
    {0x3400, CharClass::kCjk},        // CJK extension A
    {0x4DC0, CharClass::kSeparator},  // hexagram symbols
    {0x4E00, CharClass::kCjk},        // CJK unified ideographs
    {0xA000, CharClass::kWord},       // Yi and other scripts
    {0xA960, CharClass::kCjk},        // Hangul jamo extended-A
    {0xA980, CharClass::kWord},
    {0xAC00, CharClass::kCjk},        // Hangul syllables, jamo extended-B
    {0xD800, CharClass::kSeparator},  // (surrogates never decode), private use
    {0xF900, CharClass::kCjk},        // CJK compatibility ideographs
    {0xFB00, CharClass::kWord},       // alphabetic and Arabic presentation forms
    {0xFE00, CharClass::kSeparator},  // variation selectors, vertical and small forms
    {0xFE70, CharClass::kWord},       // Arabic presentation forms-B
    {0xFEFF, CharClass::kSeparator},  // byte order mark, full-width punctuation left over
    {0xFF66, CharClass::kCjk},        // half-width katakana and hangul
    {0xFFDD, CharClass::kSeparator},  // half-width symbols, specials
    {0x10000, CharClass::kWord},      // historic and minority scripts
    {0x1B000, CharClass::kCjk},       // kana supplement and extensions
    {0x1B300, CharClass::kWord},
    {0x1D000, CharClass::kSeparator},  // musical and mathematical symbols, emoji
    {0x20000, CharClass::kCjk},        // CJK extensions B..H, compatibility supplement
    {0x40000, CharClass::kSeparator},  // tags, variation selectors, private use
};

constexpr bool is_ascii_alnum(char32_t cp) {
  return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
}

CharClass class_of(CodePoint step) { return step.valid ? classify(fold_code_point(step.value)) : CharClass::kSeparator; }

}  // namespace

char32_t fold_code_point(char32_t cp) {
  if (cp < 0x80) return cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp;
  if (cp >= 0xFF01 && cp <= 0xFF5E) return fold_code_point(cp - 0xFEE0);  // full-width ASCII
  if (cp == 0x3000) return ' ';                                           // ideographic space
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 0x20;           // Latin-1 capitals
  if (cp == 0x130) return 'i';                                            // İ
  if ((cp >= 0x100 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177)) return cp | 1;  // Latin extended-A pairs
  if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E)) return (cp & 1) ? cp + 1 : cp;
  if (cp == 0x178) return 0xFF;                                         // Ÿ
  if (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) return cp + 0x20;      // Greek capitals
  if (cp == 0x386) return 0x3AC;
  if (cp >= 0x388 && cp <= 0x38A) return cp + 0x25;
  if (cp == 0x38C) return 0x3CC;
  if (cp == 0x38E || cp == 0x38F) return cp + 0x3F;
  if (cp == 0x3C2) return 0x3C3;                                        // final sigma
  if (cp >= 0x410 && cp <= 0x42F) return cp + 0x20;                     // Cyrillic capitals
  if (cp >= 0x400 && cp <= 0x40F) return cp + 0x50;
  return cp;
}

CharClass classify(char32_t folded) {
  if (folded < 0x80) return is_ascii_alnum(folded) ? CharClass::kWord : CharClass::kSeparator;
  const auto* after = std::upper_bound(std::begin(kClassStarts), std::end(kClassStarts), folded,
                                       [](char32_t cp, const ClassStart& s) { return cp < s.first; });
  return std::prev(after)->cls;  // folded >= 0x80 == kClassStarts[0].first
}

bool TextRunScanner::next() {
  word_.clear();
  CharClass cls = CharClass::kSeparator;
  while (at_ < text_.size()) {
    const CodePoint step = next_code_point(text_, at_);
    cls = class_of(step);
    if (cls != CharClass::kSeparator) break;
    at_ += step.length;
  }
  if (at_ >= text_.size()) return false;
  kind_ = cls == CharClass::kCjk ? RunKind::kCjk : RunKind::kWord;
  begin_ = at_;
  while (at_ < text_.size()) {
    const CodePoint step = next_code_point(text_, at_);
    if (class_of(step) != cls) break;
    if (kind_ == RunKind::kWord) append_utf8(word_, fold_code_point(step.value));
    at_ += step.length;
  }
  end_ = at_;
  return true;
}

std::string fold_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const CodePoint step = next_code_point(text, i);
    if (step.valid) {
      append_utf8(out, fold_code_point(step.value));
    } else {
      out.push_back(' ');
    }
    i += step.length;
  }
  return out;
}

}  // namespace rapidesk::client::search
