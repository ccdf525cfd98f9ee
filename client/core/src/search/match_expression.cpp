// What a user types into a search box, as an FTS5 MATCH expression over tables that use
// kSearchTokenizer, and the exact check behind it.
//
// The text is cut into terms by the same scanner the tokenizer uses: words (folded:
// lower case, full-width to ASCII) and CJK runs. Each term becomes a double-quoted FTS5
// string, and the terms are joined with AND:
//     ERP 登录失败  →  "erp" AND "登录失败"
// A quoted CJK run is read by the tokenizer as its adjacent pairs at consecutive positions
// and then its last character (登录 录失 失败 败), a phrase that matches where the run occurs
// (see fts_tokenizer.cpp); a single character is its unigram. Prefix rule: the last term, when it is a word and nothing
// follows it in what was typed, is a prefix query ("inv" → "inv"*), so results appear while
// a word is still being typed; a space or punctuation after it makes it a whole word.
// Nothing typed is ever read as FTS5 syntax: quotes, parentheses, *, -, :, ^ are
// separators, and words such as OR, NOT or NEAR are quoted like any other term.
#include <algorithm>
#include <vector>

#include "rapidesk/client/search_text.h"
#include "search/text_runs.h"

namespace rapidesk::client {

namespace {

// Longer input (a pasted paragraph) is cut here, so that the expression stays small; the
// exact check uses the same terms.
constexpr std::size_t kMaxQueryTerms = 64;

struct QueryTerm {
  std::string text;  // folded
  bool word = false;
  bool at_end = false;  // nothing but the end of the input follows it
};

std::vector<QueryTerm> query_terms(std::string_view user_text) {
  std::vector<QueryTerm> terms;
  search::TextRunScanner runs(user_text);
  while (terms.size() < kMaxQueryTerms && runs.next()) {
    terms.push_back({std::string(runs.folded()), runs.kind() == search::RunKind::kWord, runs.end() == user_text.size()});
  }
  return terms;
}

// An FTS5 string: double quotes around, and a double quote inside doubled. (Terms never
// hold a quote, since the scanner treats it as a separator; this keeps that a non-issue.)
void append_quoted(std::string& out, std::string_view term) {
  out.push_back('"');
  for (const char c : term) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

}  // namespace

std::optional<std::string> fts_match_expression(std::string_view user_text) {
  const std::vector<QueryTerm> terms = query_terms(user_text);
  if (terms.empty()) return std::nullopt;
  std::string expression;
  for (const QueryTerm& term : terms) {
    if (!expression.empty()) expression += " AND ";
    append_quoted(expression, term.text);
  }
  if (terms.back().word && terms.back().at_end) expression.push_back('*');
  return expression;
}

bool text_contains_query(std::string_view text, std::string_view user_text) {
  const std::vector<QueryTerm> terms = query_terms(user_text);
  if (terms.empty()) return true;  // nothing to look for; fts_match_expression gives nullopt
  const std::string folded = search::fold_text(text);
  return std::all_of(terms.begin(), terms.end(),
                     [&](const QueryTerm& term) { return folded.find(term.text) != std::string::npos; });
}

}  // namespace rapidesk::client
