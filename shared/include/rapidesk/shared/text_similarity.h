// How alike two short texts are, in Chinese as well as English: the Jaccard overlap of their
// character bigrams (Chinese has no spaces, so words cannot be split reliably; pairs of
// adjacent characters carry most of the meaning). Used to cluster recurring issues in the
// reports and to suggest knowledge-base entries for a new request in the client.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace rapidesk {

// A character bigram packs two code points: (first << 32) | second.
using CharacterBigrams = std::unordered_set<std::uint64_t>;

// Bigrams of the text's letters, digits and ideographs, in order, with ASCII letters
// lower-cased; spaces, ASCII and CJK punctuation and invalid UTF-8 bytes are dropped first,
// so "A, b!" gives {ab} and "扫码枪" gives {扫码, 码枪}.
CharacterBigrams character_bigrams(std::string_view utf8);

// |a ∩ b| / |a ∪ b|, in [0, 1]; 0 when either set is empty.
double jaccard_similarity(const CharacterBigrams& a, const CharacterBigrams& b);
// The same from the counts: `shared` members in both, of sets of `a_size` and `b_size`.
double jaccard_of_counts(std::size_t shared, std::size_t a_size, std::size_t b_size);

struct SimilarityMatch {
  std::size_t index = 0;  // into the candidates
  double score = 0.0;     // jaccard_similarity to the query
};

// The candidates most like `query`: those scoring at least `threshold` (and above 0), best
// first, ties in candidate order, at most `top_n`.
std::vector<SimilarityMatch> rank_by_similarity(std::string_view query, std::span<const std::string> candidates,
                                                std::size_t top_n, double threshold);
// The same over bigram sets computed once (e.g. a knowledge base ranked for many requests).
std::vector<SimilarityMatch> rank_by_similarity(const CharacterBigrams& query,
                                                std::span<const CharacterBigrams> candidates, std::size_t top_n,
                                                double threshold);

}  // namespace rapidesk
