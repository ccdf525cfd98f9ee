#include "rapidesk/reports/recurring.h"

#include <algorithm>
#include <cstdint>
#include <unordered_map>

#include "rapidesk/shared/text_similarity.h"

namespace rapidesk::reports {

std::unordered_set<std::uint64_t> bigrams(std::string_view utf8) { return character_bigrams(utf8); }

double similarity(const std::unordered_set<std::uint64_t>& a, const std::unordered_set<std::uint64_t>& b) {
  return jaccard_similarity(a, b);
}

std::vector<IssueCluster> recurring_issues(const std::vector<IssueText>& issues, double threshold, size_t min_size,
                                           size_t top) {
  struct Working {
    std::size_t grams = 0;  // how many bigrams its first member has
    std::vector<std::string> tags;
    IssueCluster cluster;
  };
  std::vector<Working> clusters;
  // Which clusters' first members hold each bigram. A cluster sharing no bigram with an
  // issue scores 0, or the tag bonus alone, under any threshold above that bonus; so only
  // the clusters found here are scored, and the work follows the overlaps, not the number
  // of clusters (distinct free texts would otherwise compare every pair). The result is the
  // same as scoring every cluster.
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> holders;
  std::vector<std::uint32_t> shared;   // per cluster: bigrams shared with the current issue
  std::vector<std::uint32_t> touched;  // the clusters with shared > 0
  constexpr double kTagBonus = 0.15;   // the same tag is strong evidence of the same issue
  for (const auto& issue : issues) {
    const auto grams = bigrams(issue.text);
    for (const std::uint64_t g : grams) {
      auto it = holders.find(g);
      if (it == holders.end()) continue;
      for (const std::uint32_t c : it->second) {
        if (shared[c]++ == 0) touched.push_back(c);
      }
    }
    double best = 0.0;
    Working* target = nullptr;
    auto consider = [&](std::uint32_t c) {
      Working& w = clusters[c];
      double s = jaccard_of_counts(shared[c], grams.size(), w.grams);
      const bool shared_tag = std::any_of(issue.tags.begin(), issue.tags.end(), [&](const std::string& t) {
        return std::find(w.tags.begin(), w.tags.end(), t) != w.tags.end();
      });
      if (shared_tag) s += kTagBonus;
      if (s >= threshold && s > best) {
        best = s;
        target = &w;
      }
    };
    if (threshold > kTagBonus) {
      std::sort(touched.begin(), touched.end());  // in cluster order: a tie goes to the older cluster
      for (const std::uint32_t c : touched) consider(c);
    } else {
      // So low a threshold lets a shared tag alone join: every cluster is scored.
      for (std::uint32_t c = 0; c < clusters.size(); ++c) consider(c);
    }
    for (const std::uint32_t c : touched) shared[c] = 0;
    touched.clear();
    if (!target) {
      const auto index = static_cast<std::uint32_t>(clusters.size());
      for (const std::uint64_t g : grams) holders[g].push_back(index);
      shared.push_back(0);
      clusters.push_back(Working{grams.size(), issue.tags, {}});
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
