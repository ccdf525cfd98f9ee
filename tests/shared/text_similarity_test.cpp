#include "rapidesk/shared/text_similarity.h"

#include <gtest/gtest.h>

namespace rapidesk {
namespace {

TEST(TextSimilarity, BigramsSkipPunctuationAndFoldAsciiCase) {
  EXPECT_EQ(character_bigrams("扫码枪").size(), 2u);
  EXPECT_EQ(character_bigrams("A, b!"), character_bigrams("ab"));
  EXPECT_EQ(character_bigrams("扫码，枪。"), character_bigrams("扫码枪"));
  EXPECT_TRUE(character_bigrams("，。！ ").empty());
  EXPECT_EQ(character_bigrams("\xFF扫\xC3码"), character_bigrams("扫码"));  // invalid bytes dropped
}

TEST(TextSimilarity, JaccardOfBigrams) {
  EXPECT_DOUBLE_EQ(jaccard_similarity(character_bigrams("扫码枪"), character_bigrams("扫码枪")), 1.0);
  EXPECT_DOUBLE_EQ(jaccard_similarity(character_bigrams("扫码枪"), character_bigrams("码枪坏")), 1.0 / 3.0);
  EXPECT_EQ(jaccard_similarity(character_bigrams(""), character_bigrams("扫码枪")), 0.0);
  EXPECT_EQ(jaccard_similarity(character_bigrams("发票"), character_bigrams("退款")), 0.0);
}

TEST(TextSimilarity, RankingPutsTheClosestEntryFirst) {
  const std::vector<std::string> knowledge_base = {
      "如何修改发票抬头",          // 0
      "扫码枪无法连接系统的处理办法",  // 1
      "退款到账时间说明",          // 2
      "扫码枪连接系统失败怎么办",    // 3
      "ERP login fails",           // 4
  };
  const auto ranked = rank_by_similarity("仓库的扫码枪无法连接系统", knowledge_base, 3, 0.1);
  ASSERT_EQ(ranked.size(), 2u);
  EXPECT_EQ(ranked[0].index, 1u);
  EXPECT_EQ(ranked[1].index, 3u);
  EXPECT_GT(ranked[0].score, ranked[1].score);
  EXPECT_GE(ranked[1].score, 0.1);
}

TEST(TextSimilarity, RankingHonoursTopNThresholdAndTies) {
  const std::vector<std::string> candidates = {"退款", "发票抬头", "退款", "ERP login", "erp LOGIN"};
  const auto ties = rank_by_similarity("退款", candidates, 10, 0.0);
  ASSERT_EQ(ties.size(), 2u);  // unrelated candidates (score 0) are never suggested
  EXPECT_EQ(ties[0].index, 0u);  // equal scores keep candidate order
  EXPECT_EQ(ties[1].index, 2u);
  EXPECT_EQ(rank_by_similarity("退款", candidates, 1, 0.0).size(), 1u);
  EXPECT_TRUE(rank_by_similarity("退款", candidates, 0, 0.0).empty());
  EXPECT_TRUE(rank_by_similarity("，。", candidates, 5, 0.0).empty());
  const auto english = rank_by_similarity("ERP Login", candidates, 5, 0.9);
  ASSERT_EQ(english.size(), 2u);
  EXPECT_DOUBLE_EQ(english[0].score, 1.0);

  const std::vector<CharacterBigrams> precomputed = {character_bigrams("发票抬头"), character_bigrams("发票")};
  const auto ranked = rank_by_similarity(character_bigrams("发票"), precomputed, 5, 0.2);
  ASSERT_EQ(ranked.size(), 2u);
  EXPECT_EQ(ranked[0].index, 1u);
  EXPECT_DOUBLE_EQ(ranked[1].score, 1.0 / 3.0);
}

}  // namespace
}  // namespace rapidesk
