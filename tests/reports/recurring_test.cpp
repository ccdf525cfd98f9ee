#include "rapidesk/reports/recurring.h"

#include <gtest/gtest.h>

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

TEST(Recurring, SimilarityIsJaccardOfBigrams) {
  EXPECT_DOUBLE_EQ(similarity(bigrams("扫码枪"), bigrams("扫码枪")), 1.0);
  EXPECT_DOUBLE_EQ(similarity(bigrams("扫码枪"), bigrams("码枪坏")), 1.0 / 3.0);  // {码枪} of {扫码,码枪,枪坏}
  EXPECT_EQ(similarity(bigrams(""), bigrams("x")), 0.0);
  EXPECT_EQ(bigrams("A, b!").size(), 1u);  // "ab": punctuation and case ignored
  EXPECT_FALSE(bigrams("\xff\xfe bad bytes").empty());
}

}  // namespace
}  // namespace rapidesk::reports
