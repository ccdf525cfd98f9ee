#include "rapidesk/reports/recurring.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace rapidesk::reports {
namespace {

TEST(Recurring, ChineseDescriptionsOfTheSameIssueCluster) {
  const std::vector<IssueText> issues = {
      {"1", "仓库扫码枪无法连接系统", {}},
      {"2", "发票抬头打印错误", {"billing"}},
      {"3", "扫码枪无法连接系统，重启无效", {}},
      {"4", "二号仓库的扫码枪连接不上系统", {}},
      {"5", "Invoice title printed wrong", {"billing"}},
      {"6", "希望增加夜间模式", {}},
  };
  const auto clusters = recurring_issues(issues);
  ASSERT_EQ(clusters.size(), 1u);
  EXPECT_EQ(clusters[0].ids, (std::vector<std::string>{"1", "3", "4"}));
  EXPECT_EQ(clusters[0].examples.front(), "仓库扫码枪无法连接系统");
}

TEST(Recurring, SharedTagsHelpAcrossWording) {
  const std::vector<IssueText> issues = {
      {"1", "ERP 同步失败 订单丢失", {"erp"}},
      {"2", "ERP 订单同步报错", {"erp"}},
  };
  const auto clusters = recurring_issues(issues);
  ASSERT_EQ(clusters.size(), 1u);
  EXPECT_EQ(clusters[0].common_tags, (std::vector<std::string>{"erp"}));
}

// The clustering as first written: every issue scored against every cluster. The indexed
// one must give exactly its clusters.
std::vector<IssueCluster> scored_against_all(const std::vector<IssueText>& issues, double threshold) {
  struct Working {
    std::unordered_set<std::uint64_t> grams;
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
      for (const auto& t : issue.tags) {
        if (std::find(w.tags.begin(), w.tags.end(), t) != w.tags.end()) {
          s += 0.15;
          break;
        }
      }
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
      std::erase_if(common, [&](const std::string& t) {
        return std::find(issue.tags.begin(), issue.tags.end(), t) == issue.tags.end();
      });
    }
    target->cluster.ids.push_back(issue.id);
    if (target->cluster.examples.size() < 3) target->cluster.examples.push_back(issue.text);
  }
  std::vector<IssueCluster> out;
  for (auto& w : clusters) {
    if (w.cluster.ids.size() >= 2) out.push_back(std::move(w.cluster));
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.ids.size() > b.ids.size(); });
  return out;
}

TEST(Recurring, OnlyOverlappingClustersAreScoredAndTheResultIsTheSame) {
  // Short texts over a small alphabet, so many pairs overlap a little and ties happen.
  std::mt19937 rng(20261206);
  const std::u32string alphabet = U"扫码枪无法连接系统打印发票错误仓库";
  const std::vector<std::string> tags = {"erp", "billing", "vpn"};
  std::vector<IssueText> issues;
  for (int i = 0; i < 600; ++i) {
    std::string text;
    for (int n = 2 + static_cast<int>(rng() % 6); n > 0; --n) {
      const char32_t c = alphabet[rng() % alphabet.size()];
      text += static_cast<char>(0xE0 | (c >> 12));
      text += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      text += static_cast<char>(0x80 | (c & 0x3F));
    }
    std::vector<std::string> issue_tags;
    if (rng() % 3 == 0) issue_tags.push_back(tags[rng() % tags.size()]);
    issues.push_back({std::to_string(i), text, issue_tags});
  }
  for (double threshold : {0.25, 0.4, 0.6, 0.1}) {
    const auto indexed = recurring_issues(issues, threshold, 2, 1000);
    const auto reference = scored_against_all(issues, threshold);
    ASSERT_EQ(indexed.size(), reference.size()) << threshold;
    ASSERT_GT(indexed.size(), 5u) << threshold;
    for (std::size_t i = 0; i < indexed.size(); ++i) {
      EXPECT_EQ(indexed[i].ids, reference[i].ids) << threshold << " cluster " << i;
      EXPECT_EQ(indexed[i].common_tags, reference[i].common_tags) << threshold << " cluster " << i;
    }
  }
}

TEST(Recurring, SimilarityIsJaccardOfBigrams) {
  EXPECT_DOUBLE_EQ(similarity(bigrams("扫码枪"), bigrams("扫码枪")), 1.0);
  EXPECT_DOUBLE_EQ(similarity(bigrams("扫码枪"), bigrams("码枪坏")), 1.0 / 3.0);  // {码枪} of {扫码,码枪,枪坏}
  EXPECT_EQ(similarity(bigrams(""), bigrams("x")), 0.0);
  EXPECT_EQ(bigrams("A, b!").size(), 1u);  // "ab": punctuation and case ignored
  EXPECT_FALSE(bigrams("\xff\xfe bad bytes").empty());
}

}  // namespace
}  // namespace rapidesk::reports
