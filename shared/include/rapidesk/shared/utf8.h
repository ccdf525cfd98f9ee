// The one UTF-8 decoder of the code base. Validation (shared, sync), the recurring-issue
// report, text similarity and the client's search tokenizer all step through text with
// next_code_point(), so they agree on what a valid sequence is.
//
// Valid means RFC 3629: shortest form only, no UTF-16 surrogates (U+D800..U+DFFF), nothing
// past U+10FFFF. The decoder is inline because the sync merge runs it over every text value
// it checks; ASCII takes one compare.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rapidesk {

inline constexpr char32_t kReplacementCharacter = 0xFFFD;

// One decoded step. An invalid byte decodes as {U+FFFD, length 1, valid false}, so a caller
// that skips or replaces bad bytes resynchronises on the next byte and never loops.
struct CodePoint {
  char32_t value = kReplacementCharacter;
  std::uint32_t length = 1;  // bytes consumed: 1..4
  bool valid = false;
};

namespace utf8_detail {

inline CodePoint decode_multibyte(const unsigned char* p, std::size_t available) noexcept {
  const unsigned char lead = p[0];
  std::uint32_t length = 0;
  char32_t value = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    value = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    value = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    value = lead & 0x07;
  } else {
    return {};  // a continuation byte or 0xF8..0xFF cannot start a sequence
  }
  if (length > available) return {};
  for (std::uint32_t k = 1; k < length; ++k) {
    if ((p[k] & 0xC0) != 0x80) return {};
    value = (value << 6) | (p[k] & 0x3F);
  }
  if ((length == 2 && value < 0x80) || (length == 3 && value < 0x800) || (length == 4 && value < 0x10000) ||
      value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
    return {};  // overlong form, surrogate or out of range
  }
  return {value, length, true};
}

}  // namespace utf8_detail

// Decodes the code point that starts at byte `at` of `text`.
// REQUIRES: at < text.size() (past the end the result is an invalid step of length 1).
// In a hot loop, branch on `value < 0x80` (then step by 1) before looking at `valid`: the
// compiler then drops the checks from the ASCII path (see first_invalid_utf8).
inline CodePoint next_code_point(std::string_view text, std::size_t at) noexcept {
  if (at >= text.size()) return {};
  const auto* p = reinterpret_cast<const unsigned char*>(text.data()) + at;
  if (*p < 0x80) return {*p, 1, true};
  return utf8_detail::decode_multibyte(p, text.size() - at);
}

// Offset of the first byte that does not start a valid sequence, or std::string_view::npos
// when the whole text is valid UTF-8.
std::size_t first_invalid_utf8(std::string_view text) noexcept;

// The first `max_bytes` of `text` at most, cut before a code point rather than inside one,
// for quoting user text in messages: a cut character would make the message invalid UTF-8,
// and everything carrying it (a push answer with the acks of good ops) unreadable.
inline std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes) noexcept {
  if (text.size() <= max_bytes) return text;
  std::size_t n = max_bytes;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return text.substr(0, n);
}

// Appends the UTF-8 encoding of `cp` (U+FFFD for a surrogate or a value past U+10FFFF).
void append_utf8(std::string& out, char32_t cp);

}  // namespace rapidesk
