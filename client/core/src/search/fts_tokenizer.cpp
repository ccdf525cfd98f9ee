// The FTS5 tokenizer kSearchTokenizer ("rapidesk_cjk").
//
// Documents: a word is one token at its own position. In a CJK run every character is a
// token at its own position, and the pair it starts with the next character is a second
// token COLOCATED with it (same position, FTS5_TOKEN_COLOCATED):
//     发票抬头 → 发 | 发票 | 票 | 票抬 | 抬 | 抬头 | 头   at positions 0 0 1 1 2 2 3
// Queries (FTS5_TOKENIZE_QUERY): a single CJK character is its unigram; a run of two or more
// is its pairs at consecutive positions followed by its last character
// (发票抬头 → 发票 票抬 抬头 头 at 0 1 2 3). A quoted run is thus a phrase that matches
// exactly where the run occurs in a document and covers one position per character, so
// words after it in the same phrase stay in step and highlight()/snippet() mark exactly
// the run (they use the offsets of the non-colocated tokens, the characters).
#include <new>

#include <sqlite3.h>

#include "rapidesk/client/search_text.h"
#include "rapidesk/shared/utf8.h"
#include "search/text_runs.h"

namespace rapidesk::client {

namespace {

using TokenCallback = int (*)(void* ctx, int flags, const char* token, int bytes, int start, int end);

// Feeds one xTokenize call's tokens to FTS5.
class TokenSink {
 public:
  TokenSink(void* ctx, TokenCallback emit, std::string_view text) : ctx_(ctx), emit_(emit), text_(text) {}

  int token(std::string_view bytes, std::size_t begin, std::size_t end, bool colocated = false) {
    return emit_(ctx_, colocated ? FTS5_TOKEN_COLOCATED : 0, bytes.data(), static_cast<int>(bytes.size()),
                 static_cast<int>(begin), static_cast<int>(end));
  }
  // The source bytes [begin, end) as a token.
  int span(std::size_t begin, std::size_t end, bool colocated = false) {
    return token(text_.substr(begin, end - begin), begin, end, colocated);
  }

 private:
  void* ctx_;
  TokenCallback emit_;
  std::string_view text_;
};

int tokenize_cjk_run(TokenSink& sink, std::string_view text, std::size_t begin, std::size_t end, bool query) {
  std::size_t previous = end;  // start of the previous character; `end` = none yet
  for (std::size_t at = begin; at < end;) {
    const std::size_t next = at + next_code_point(text, at).length;
    int rc = SQLITE_OK;
    if (!query) {
      if (previous != end) rc = sink.span(previous, next, /*colocated=*/true);
      if (rc == SQLITE_OK) rc = sink.span(at, next);
    } else if (previous != end) {
      rc = sink.span(previous, next);
    }
    if (rc != SQLITE_OK) return rc;
    previous = at;
    at = next;
  }
  return query ? sink.span(previous, end) : SQLITE_OK;  // query: the last (or only) character
}

int tokenize(Fts5Tokenizer* /*tokenizer*/, void* ctx, int flags, const char* text, int bytes,
             TokenCallback emit) noexcept {
  if (text == nullptr || bytes <= 0) return SQLITE_OK;
  try {
    const std::string_view source(text, static_cast<std::size_t>(bytes));
    const bool query = (flags & FTS5_TOKENIZE_QUERY) != 0;
    TokenSink sink(ctx, emit, source);
    search::TextRunScanner runs(source);
    while (runs.next()) {
      const int rc = runs.kind() == search::RunKind::kWord
                         ? sink.token(runs.folded(), runs.begin(), runs.end())
                         : tokenize_cjk_run(sink, source, runs.begin(), runs.end(), query);
      if (rc != SQLITE_OK) return rc;
    }
    return SQLITE_OK;
  } catch (const std::bad_alloc&) {
    return SQLITE_NOMEM;
  } catch (...) {
    return SQLITE_ERROR;
  }
}

// The tokenizer has no state, so every table shares one instance.
int create(void* /*user_data*/, const char** /*args*/, int arg_count, Fts5Tokenizer** out) {
  static char instance;
  if (arg_count != 0) return SQLITE_ERROR;  // it takes no options
  *out = reinterpret_cast<Fts5Tokenizer*>(&instance);
  return SQLITE_OK;
}

void destroy(Fts5Tokenizer* /*tokenizer*/) {}

fts5_api* fts5_api_of(sqlite3* db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, nullptr) == SQLITE_OK) {
    sqlite3_bind_pointer(stmt, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
    sqlite3_step(stmt);
  }
  sqlite3_finalize(stmt);
  return api;
}

}  // namespace

Status register_search_tokenizer(sqlite3* db) {
  if (db == nullptr) {
    return Status::invalid(Text{"No database connection to register the search tokenizer on.",
                                "没有可注册搜索分词器的数据库连接。"});
  }
  fts5_api* api = fts5_api_of(db);
  if (api == nullptr || api->iVersion < 2) {
    return Status::io(Text{"This SQLite library has no full-text search (FTS5); search is unavailable.",
                           "此 SQLite 库不支持全文检索（FTS5），无法搜索。"});
  }
  fts5_tokenizer tokenizer{create, destroy, tokenize};
  const std::string name(kSearchTokenizer);
  if (const int rc = api->xCreateTokenizer(api, name.c_str(), nullptr, &tokenizer, nullptr); rc != SQLITE_OK) {
    return Status::io(format_text(Text{"Cannot register the search tokenizer: {}.", "无法注册搜索分词器：{}。"},
                                  {same_text(sqlite3_errstr(rc))}));
  }
  return Status::ok();
}

}  // namespace rapidesk::client
