// Splits text into the runs that search indexes and queries are built from: words of an
// alphabetic script (folded: full-width forms to ASCII, upper to lower case) and runs of
// CJK characters (Chinese ideographs, Japanese kana, Korean hangul). Everything else —
// spaces, punctuation, symbols, emoji, control characters and invalid UTF-8 bytes —
// separates runs and is never searchable. The FTS5 tokenizer and the query builder both
// use this scanner, so a document and a query are always cut the same way.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace rapidesk::client::search {

enum class CharClass { kSeparator, kWord, kCjk };

// Full-width ASCII (U+FF01..U+FF5E) and the ideographic space become their ASCII forms;
// Latin, Greek and Cyrillic capitals become small letters; everything else is unchanged.
char32_t fold_code_point(char32_t cp);

// The class of an already folded code point.
CharClass classify(char32_t folded);

enum class RunKind { kWord, kCjk };

// Walks `text` run by run. Holds a view of `text`, which must outlive the scanner.
class TextRunScanner {
 public:
  explicit TextRunScanner(std::string_view text) : text_(text) {}

  // Moves to the next run; false when the text has no more.
  bool next();

  RunKind kind() const { return kind_; }
  // Byte range of the run in the scanned text.
  std::size_t begin() const { return begin_; }
  std::size_t end() const { return end_; }
  // A word: its folded UTF-8. A CJK run: its bytes as they stand in the text (CJK characters
  // are not folded). Valid until the next call to next().
  std::string_view folded() const {
    return kind_ == RunKind::kWord ? std::string_view(word_) : text_.substr(begin_, end_ - begin_);
  }

 private:
  std::string_view text_;
  std::size_t at_ = 0;  // where the next run is looked for
  RunKind kind_ = RunKind::kWord;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  std::string word_;
};

// `text` with every code point folded (fold_code_point) and each invalid UTF-8 byte turned
// into a space, so that substring tests compare what the scanner compares.
std::string fold_text(std::string_view text);

}  // namespace rapidesk::client::search
