#include "rapidesk/reports/recurring.h"

#include <algorithm>

#include "rapidesk/shared/text_similarity.h"

namespace rapidesk::reports {

std::unordered_set<std::uint64_t> bigrams(std::string_view utf8) { return character_bigrams(utf8); }

double similarity(const std::unordered_set<std::uint64_t>& a, const std::unordered_set<std::uint64_t>& b) {
  return jaccard_similarity(a, b);
}

std::vector<IssueCluster> recurring_issues(const std::vector<IssueText>& issues, double threshold, size_t min_size,
                                           size_t top) {
  struct Working {
    std::unordered_set<std::uint64_t> grams;  // of the first member
    std::vector<std::string> tags;
    IssueCluster cluster;
  };
  std::vector<Working> clusters;
  for (const auto& issue : issues) {
    auto grams = bigrams(issue.text);
    double best = 0.0;
    Working* target = nullptr;
    for (auto& w : clusters) {
      double s = similarity(grams, w.grams);
      const bool shared_tag = std::any_of(issue.tags.begin(), issue.tags.end(), [&](const std::string& t) {
        return std::find(w.tags.begin(), w.tags.end(), t) != w.tags.end();
      });
      if (shared_tag) s += 0.15;  // the same tag is strong evidence of the same issue
      if (s >= threshold && s > best) {
        best = s;
        target = &w;
      }
    }
    if (!target) {
      clusters.push_back(Working{std::move(grams), issue.tags, {}});
      target = &clusters.back();
      target->cluster.common_tags = issue.tags;
    } else {
      auto& common = target->cluster.common_tags;
      common.erase(std::remove_if(common.begin(), common.end(),
                                  [&](const std::string& t) {
                                    return std::find(issue.tags.begin(), issue.tags.end(), t) == issue.tags.end();
                                  }),
                   common.end());
    }
    target->cluster.ids.push_back(issue.id);
    if (target->cluster.examples.size() < 3) target->cluster.examples.push_back(issue.text);
  }
  std::vector<IssueCluster> out;
  for (auto& w : clusters) {
    if (w.cluster.ids.size() >= min_size) out.push_back(std::move(w.cluster));
  }
  std::stable_sort(out.begin(), out.end(), [](const IssueCluster& a, const IssueCluster& b) { return a.ids.size() > b.ids.size(); });
  if (out.size() > top) out.resize(top);
  return out;
}

}  // namespace rapidesk::reports
