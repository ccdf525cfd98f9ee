// Full-text search over Chinese and English: the rapidesk_cjk FTS5 tokenizer on a real
// in-memory SQLite database, the MATCH expressions built from what a user types, and the
// exact containment check.
#include "rapidesk/client/search_text.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "rapidesk/shared/utf8.h"

namespace rapidesk::client {
namespace {

using Rows = std::vector<std::int64_t>;

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};

// The documents every test searches; ids are the FTS rowids.
const std::vector<std::pair<std::int64_t, std::string>> kDocuments = {
    {1, "客户要求重开发票，抬头写错了"},
    {2, "申请退款：订单重复扣费"},
    {3, "ERP 登录失败，提示密码错误"},
    {4, "Invoice title printed wrong"},
    {5, "仓库扫码枪无法连接系统"},
    {6, "ERP系统无法登录"},
    {7, "退货后未收到退款"},
    {8, "ＥＲＰ　全角登录测试"},  // full-width letters and an ideographic space
    {9, "ERPNext migration question"},
    {10, "发 票 分开写"},            // 发 and 票 present but not adjacent
    {11, "开发票据"},                // 发票 inside a longer run
    {12, "登录页面记录失败的次数"},  // 登录, 录失 and 失败 all present, 登录失败 not
};

class SearchIndex : public ::testing::Test {
 protected:
  void SetUp() override {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(":memory:", &raw), SQLITE_OK);
    db_.reset(raw);
    const Status registered = register_search_tokenizer(db_.get());
    ASSERT_TRUE(registered.is_ok()) << registered.message().en;
    exec("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='rapidesk_cjk')");
    for (const auto& [id, body] : kDocuments) insert(id, body);
  }

  void exec(const std::string& sql) {
    char* error = nullptr;
    ASSERT_EQ(sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
  }

  // Inserts raw bytes (which may be invalid UTF-8) as the body.
  void insert(std::int64_t id, std::string_view body) {
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db_.get(), "INSERT INTO t(rowid, body) VALUES (?1, ?2)", -1, &stmt, nullptr),
              SQLITE_OK);
    sqlite3_bind_int64(stmt, 1, id);
    sqlite3_bind_text(stmt, 2, body.data(), static_cast<int>(body.size()), SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(stmt), SQLITE_DONE) << sqlite3_errmsg(db_.get());
    sqlite3_finalize(stmt);
  }

  // Rows the index returns for a raw MATCH expression, in rowid order; a SQLite error fails
  // the test.
  Rows match(const std::string& expression) {
    Rows rows;
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_.get(), "SELECT rowid FROM t WHERE t MATCH ?1 ORDER BY rowid", -1, &stmt, nullptr),
              SQLITE_OK);
    sqlite3_bind_text(stmt, 1, expression.data(), static_cast<int>(expression.size()), SQLITE_TRANSIENT);
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) rows.push_back(sqlite3_column_int64(stmt, 0));
    EXPECT_EQ(rc, SQLITE_DONE) << expression << ": " << sqlite3_errmsg(db_.get());
    sqlite3_finalize(stmt);
    return rows;
  }

  // What a user typing `user_text` finds through the index.
  Rows search(std::string_view user_text) {
    const auto expression = fts_match_expression(user_text);
    if (!expression) return {};
    return match(*expression);
  }

  // The index narrowed by the exact check, as a caller needing substring semantics does.
  Rows search_exact(std::string_view user_text) {
    Rows rows;
    for (const std::int64_t id : search(user_text)) {
      if (text_contains_query(body_of(id), user_text)) rows.push_back(id);
    }
    return rows;
  }

  std::string body_of(std::int64_t id) {
    for (const auto& [doc_id, body] : kDocuments) {
      if (doc_id == id) return body;
    }
    return {};
  }

  std::string highlighted(std::int64_t id, std::string_view user_text) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_.get(), "SELECT highlight(t, 0, '[', ']') FROM t WHERE t MATCH ?1 AND rowid = ?2",
                                 -1, &stmt, nullptr),
              SQLITE_OK);
    const std::string expression = fts_match_expression(user_text).value_or("");
    sqlite3_bind_text(stmt, 1, expression.data(), static_cast<int>(expression.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(stmt, 2, id);
    std::string out;
    if (sqlite3_step(stmt) == SQLITE_ROW) out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    return out;
  }

  std::unique_ptr<sqlite3, CloseDb> db_;
};

TEST_F(SearchIndex, TwoCharacterChineseWordsAreFound) {
  EXPECT_EQ(search("发票"), (Rows{1, 11}));  // not 10, where the two characters are apart
  EXPECT_EQ(search("退款"), (Rows{2, 7}));
}

TEST_F(SearchIndex, ASingleChineseCharacterMatchesWhereverItOccurs) {
  EXPECT_EQ(search("票"), (Rows{1, 10, 11}));
  EXPECT_EQ(search("枪"), (Rows{5}));
}

TEST_F(SearchIndex, ALongerChinesePhraseMatchesOnlyWhereItIsContiguous) {
  EXPECT_EQ(search("无法连接"), (Rows{5}));     // 6 has 无法 but not 无法连接
  EXPECT_EQ(search("登录失败"), (Rows{3}));     // 12 has every pair of it, but apart
  EXPECT_EQ(search("重开发票抬头"), (Rows{}));  // a comma stands between them in 1
  EXPECT_EQ(search("重开发票"), (Rows{1}));
}

TEST_F(SearchIndex, MixedEnglishAndChineseTermsAreAllRequired) {
  EXPECT_EQ(search("ERP 登录"), (Rows{3, 6, 8}));  // 8 is written in full-width letters
  EXPECT_EQ(search("ERP登录"), (Rows{3, 6, 8}));
  EXPECT_EQ(search("登录 ERP"), (Rows{3, 6, 8}));
  EXPECT_EQ(search("ERP 退款"), (Rows{}));
}

TEST_F(SearchIndex, EnglishIsCaseInsensitiveAndFullWidthFolds) {
  EXPECT_EQ(search("INVOICE"), (Rows{4}));
  EXPECT_EQ(search("invoice"), (Rows{4}));
  EXPECT_EQ(search("Invoice Title"), (Rows{4}));
  EXPECT_EQ(search("ｉｎｖｏｉｃｅ"), (Rows{4}));
  EXPECT_EQ(search("ＥＲＰ "), (Rows{3, 6, 8}));
}

TEST_F(SearchIndex, OnlyAWordStillBeingTypedIsAPrefix) {
  EXPECT_EQ(search("inv"), (Rows{4}));
  EXPECT_EQ(search("inv "), (Rows{}));  // finished word: whole words only
  EXPECT_EQ(search("erp"), (Rows{3, 6, 8, 9}));
  EXPECT_EQ(search("erp "), (Rows{3, 6, 8}));
  EXPECT_EQ(search("inv title"), (Rows{}));  // only the last word is a prefix
}

TEST_F(SearchIndex, ExpressionsQuoteEveryTerm) {
  EXPECT_EQ(fts_match_expression("ERP 登录失败"), R"("erp" AND "登录失败")");
  EXPECT_EQ(fts_match_expression("登录失败 ERP"), R"("登录失败" AND "erp"*)");
  EXPECT_EQ(fts_match_expression("inv "), R"("inv")");
  EXPECT_EQ(fts_match_expression("发"), R"("发")");
  EXPECT_EQ(fts_match_expression(R"(a"b OR c)"), R"("a" AND "b" AND "or" AND "c"*)");
}

TEST_F(SearchIndex, FtsSyntaxInTheQueryIsOnlyText) {
  // Each of these would be an FTS5 syntax error or operator if passed through; here they
  // are separators or plain quoted words, and the query runs.
  EXPECT_EQ(search("\""), (Rows{}));
  EXPECT_EQ(search("发票\" OR \"退款"), (Rows{}));  // "or" is a word no row holds
  EXPECT_EQ(search("NEAR(发票 退款)"), (Rows{}));
  EXPECT_EQ(search("发票*"), (Rows{1, 11}));
  EXPECT_EQ(search("-退款"), (Rows{2, 7}));
  EXPECT_EQ(search("NOT 退款"), (Rows{}));
  EXPECT_EQ(search("body:发票"), (Rows{}));  // not a column filter: "body" is a word
  EXPECT_EQ(search("invoice:title"), (Rows{4}));
  EXPECT_EQ(search("^发票 + {退款}"), (Rows{}));
  EXPECT_EQ(search("OR"), (Rows{}));
  EXPECT_EQ(search("AND"), (Rows{}));
  EXPECT_EQ(search("*"), (Rows{}));
  for (const char* typed : {"\"", "(", ")", "*", "-", ":", "OR", "NEAR(", "AND NOT", "\"\"\"", "'", "\\"}) {
    const auto expression = fts_match_expression(typed);
    if (expression) match(*expression);  // must not be an SQLite error
  }
}

TEST_F(SearchIndex, NothingToSearchForGivesNoExpression) {
  for (const char* typed : {"", "   ", "，。！？", "!!!---", "\"\"", "()", "　", "\xff\xfe", "😀👍"}) {
    EXPECT_EQ(fts_match_expression(typed), std::nullopt) << typed;
  }
}

TEST_F(SearchIndex, InvalidUtf8InDocumentsIsSkipped) {
  insert(20, "\xff\xfe发票\xc3(abc\xe4\xb8");       // stray bytes, a broken and a truncated sequence
  insert(21, "退\xed\xa0\x80款 \xc0\xafxyz");       // an encoded surrogate and an overlong '/'
  insert(22, std::string("\x80\x80\x80", 3));       // nothing valid at all
  EXPECT_EQ(search("发票"), (Rows{1, 11, 20}));
  EXPECT_EQ(search("abc "), (Rows{20}));
  EXPECT_EQ(search("xyz"), (Rows{21}));
  EXPECT_EQ(search("退款"), (Rows{2, 7}));  // the bad bytes between 退 and 款 separate them
  EXPECT_EQ(search("退"), (Rows{2, 7, 21}));
}

TEST_F(SearchIndex, InvalidUtf8InQueriesIsSkipped) {
  EXPECT_EQ(search("发\xff票"), (Rows{1, 10, 11}));  // two single characters
  EXPECT_EQ(search("退款\xc3"), (Rows{2, 7}));
  for (const char* typed : {"\xff", "\xe4\xb8", "abc\xf0\x9f", "\xed\xa0\x80", "\xc0\xaf"}) {
    const auto expression = fts_match_expression(typed);
    if (expression) {
      EXPECT_EQ(first_invalid_utf8(*expression), std::string_view::npos) << *expression;
      match(*expression);
    }
  }
}

TEST_F(SearchIndex, HighlightMarksExactlyTheMatchedText) {
  EXPECT_EQ(highlighted(1, "发票"), "客户要求重开[发票]，抬头写错了");
  EXPECT_EQ(highlighted(5, "无法连接"), "仓库扫码枪[无法连接]系统");
  EXPECT_EQ(highlighted(3, "erp 登录失败"), "[ERP] [登录失败]，提示密码错误");
}

TEST_F(SearchIndex, ExactCheckConfirmsSubstrings) {
  EXPECT_EQ(search_exact("登录"), (Rows{3, 6, 8, 12}));
  EXPECT_EQ(search_exact("ERP 登录"), (Rows{3, 6, 8}));
  EXPECT_EQ(search_exact("发票"), (Rows{1, 11}));
}

TEST(TextContainsQuery, EveryTermMustOccur) {
  EXPECT_TRUE(text_contains_query("ERP 登录失败，提示密码错误", "erp 登录"));
  EXPECT_TRUE(text_contains_query("ERP 登录失败", "登录失败 ERP"));
  EXPECT_FALSE(text_contains_query("ERP 登录失败", "ERP 退款"));
  EXPECT_FALSE(text_contains_query("登录页面记录失败的次数", "登录失败"));
  EXPECT_FALSE(text_contains_query("发 票", "发票"));
  EXPECT_TRUE(text_contains_query("发 票", "发 票"));
}

TEST(TextContainsQuery, AsciiCaseAndFullWidthAreIgnored) {
  EXPECT_TRUE(text_contains_query("Invoice Title", "INVOICE title"));
  EXPECT_TRUE(text_contains_query("ＥＲＰ登录", "erp"));
  EXPECT_TRUE(text_contains_query("erp", "ＥＲＰ"));
  EXPECT_FALSE(text_contains_query("Invoice", "invoices"));
}

TEST(TextContainsQuery, PunctuationInTheQueryIsNotRequired) {
  EXPECT_TRUE(text_contains_query("发票 退款", "\"发票\" -退款*"));
  EXPECT_FALSE(text_contains_query("发票 退款", "发票 OR 退款"));  // "or" is a word to find, not an operator
  EXPECT_TRUE(text_contains_query("发票 or 退款", "发票 OR 退款"));
  EXPECT_TRUE(text_contains_query("anything", "，。！"));  // no terms: nothing to fail
}

TEST(TextContainsQuery, InvalidUtf8NeitherCrashesNorMatchesAcrossBadBytes) {
  EXPECT_TRUE(text_contains_query("\xff发票\xc3", "发票"));
  EXPECT_FALSE(text_contains_query("发\xff票", "发票"));
  EXPECT_TRUE(text_contains_query("发票", "发\xff票"));  // the query's bad byte splits it in two
  EXPECT_FALSE(text_contains_query(std::string_view("\0\0", 2), "a"));
}

}  // namespace
}  // namespace rapidesk::client
