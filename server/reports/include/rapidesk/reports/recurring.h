// Recurring issues: requests whose descriptions say the same thing, grouped so a review
// sees what keeps coming back. Similarity is the Jaccard overlap of character bigrams
// (works for Chinese, which has no spaces) with a bonus for shared tags.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace rapidesk::reports {

struct IssueText {
  std::string id;
  std::string text;  // title + description
  std::vector<std::string> tags;
};

struct IssueCluster {
  std::vector<std::string> ids;       // members, the earliest first
  std::vector<std::string> examples;  // up to 3 texts
  std::vector<std::string> common_tags;
};

// character_bigrams() and jaccard_similarity() of the domain library (text_similarity.h),
// under the names this report has always used.
std::unordered_set<std::uint64_t> bigrams(std::string_view utf8);
double similarity(const std::unordered_set<std::uint64_t>& a, const std::unordered_set<std::uint64_t>& b);

// Greedy single-pass clustering in input order: an issue joins the most similar cluster
// (similarity to its first member >= threshold), else starts one. Returns clusters with at
// least `min_size` members, largest first, at most `top`.
std::vector<IssueCluster> recurring_issues(const std::vector<IssueText>& issues, double threshold = 0.25,
                                           size_t min_size = 2, size_t top = 10);

}  // namespace rapidesk::reports
