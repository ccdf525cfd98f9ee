#include "rapidesk/shared/text_similarity.h"

#include <algorithm>

#include "rapidesk/shared/utf8.h"

namespace rapidesk {

namespace {

// Letters, digits and ideographs count; spaces and punctuation (ASCII, CJK symbols, the
// full-width punctuation blocks) do not.
bool is_word_char(char32_t cp) {
  if (cp < 0x80) return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  if (cp >= 0x3000 && cp <= 0x303F) return false;
  if (cp >= 0xFF00 && cp <= 0xFF0F) return false;
  if (cp >= 0xFF1A && cp <= 0xFF20) return false;
  return cp != kReplacementCharacter;
}

template <typename ScoreOf>
std::vector<SimilarityMatch> best_matches(std::size_t count, std::size_t top_n, double threshold,
                                          const ScoreOf& score_of) {
  std::vector<SimilarityMatch> out;
  if (top_n == 0) return out;
  for (std::size_t i = 0; i < count; ++i) {
    const double score = score_of(i);
    if (score > 0.0 && score >= threshold) out.push_back({i, score});
  }
  const auto better = [](const SimilarityMatch& a, const SimilarityMatch& b) {
    return a.score != b.score ? a.score > b.score : a.index < b.index;
  };
  if (out.size() > top_n) {
    std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(top_n), out.end(), better);
    out.resize(top_n);
  } else {
    std::sort(out.begin(), out.end(), better);
  }
  return out;
}

}  // namespace

CharacterBigrams character_bigrams(std::string_view utf8) {
  CharacterBigrams out;
  char32_t previous = 0;
  bool have_previous = false;
  for (std::size_t i = 0; i < utf8.size();) {
    const CodePoint step = next_code_point(utf8, i);
    i += step.length;
    char32_t cp = step.value;  // U+FFFD for an invalid byte, which is_word_char drops
    if (!is_word_char(cp)) continue;
    if (cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
    if (have_previous) out.insert((static_cast<std::uint64_t>(previous) << 32) | cp);
    previous = cp;
    have_previous = true;
  }
  return out;
}

double jaccard_similarity(const CharacterBigrams& a, const CharacterBigrams& b) {
  if (a.empty() || b.empty()) return 0.0;
  const auto& small = a.size() < b.size() ? a : b;
  const auto& large = a.size() < b.size() ? b : a;
  std::size_t shared = 0;
  for (const auto gram : small) shared += large.count(gram);
  return jaccard_of_counts(shared, a.size(), b.size());
}

double jaccard_of_counts(std::size_t shared, std::size_t a_size, std::size_t b_size) {
  if (shared == 0) return 0.0;
  return static_cast<double>(shared) / static_cast<double>(a_size + b_size - shared);
}

std::vector<SimilarityMatch> rank_by_similarity(std::string_view query, std::span<const std::string> candidates,
                                                std::size_t top_n, double threshold) {
  const CharacterBigrams grams = character_bigrams(query);
  if (grams.empty()) return {};
  return best_matches(candidates.size(), top_n, threshold,
                      [&](std::size_t i) { return jaccard_similarity(grams, character_bigrams(candidates[i])); });
}

std::vector<SimilarityMatch> rank_by_similarity(const CharacterBigrams& query,
                                                std::span<const CharacterBigrams> candidates, std::size_t top_n,
                                                double threshold) {
  if (query.empty()) return {};
  return best_matches(candidates.size(), top_n, threshold,
                      [&](std::size_t i) { return jaccard_similarity(query, candidates[i]); });
}

}  // namespace rapidesk
