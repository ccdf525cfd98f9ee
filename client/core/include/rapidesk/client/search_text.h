// Full-text search over Chinese and English text in the local replica (SQLite FTS5).
//
// Chinese has no spaces between words, so the FTS5 tables use our tokenizer
// (kSearchTokenizer): runs of letters and digits in alphabetic scripts become lower-cased
// words; every CJK character becomes a token of its own and so does every pair of
// adjacent CJK characters. A query is turned into an AND of quoted terms (a Chinese run of
// two or more characters into its character pairs, a single character into itself), so a
// two-character word such as 发票 is found, and nothing a user types can be read as FTS5
// syntax. The index narrows the rows; callers that need exact substring semantics confirm
// with text_contains_query().
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "rapidesk/shared/status.h"

struct sqlite3;

namespace rapidesk::client {

inline constexpr std::string_view kSearchTokenizer = "rapidesk_cjk";

// Registers kSearchTokenizer on this connection (needed before any FTS5 table that uses it
// is created or read). kIo when SQLite lacks FTS5.
Status register_search_tokenizer(sqlite3* db);

// The FTS5 MATCH expression for what a user typed; nullopt when it holds nothing to
// search for (only spaces and punctuation).
std::optional<std::string> fts_match_expression(std::string_view user_text);

// True when every term of `user_text` (as fts_match_expression splits it) occurs in
// `text`, compared case-insensitively for ASCII letters.
bool text_contains_query(std::string_view text, std::string_view user_text);

}  // namespace rapidesk::client
