#include "bench_data.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "bench.h"
#include "rapidesk/client/sync_worker.h"
#include "rapidesk/sync/client_replica.h"

namespace rapidesk::bench {

namespace {

const char* const kWords[] = {"发票", "登录", "扫码枪", "打印机", "合同", "退款", "网络", "报表", "权限", "升级",
                              "invoice", "login", "scanner", "printer", "VPN", "ERP", "仓库", "对账", "延迟", "故障"};

// The vocabulary's characters: none of them is in kWords, so its words never match those.
constexpr std::string_view kVocabularyChars = "设备系统服务数据订单配置安装维护更新支付密短信邮件接口页面门店物料价格运输车辆电";
constexpr std::size_t kCjkBytes = 3;
constexpr std::size_t kVocabularySize = (kVocabularyChars.size() / kCjkBytes) * (kVocabularyChars.size() / kCjkBytes);

// A rank drawn with Zipf's law (probability of rank r proportional to 1 / (r + 1)).
std::size_t zipf_rank(std::mt19937_64& rng) {
  static const std::vector<double> cumulative = [] {
    std::vector<double> c(kVocabularySize);
    double sum = 0;
    for (std::size_t r = 0; r < kVocabularySize; ++r) c[r] = sum += 1.0 / static_cast<double>(r + 1);
    for (double& x : c) x /= sum;
    return c;
  }();
  const double u = std::uniform_real_distribution<double>(0, 1)(rng);
  const auto it = std::lower_bound(cumulative.begin(), cumulative.end(), u);
  return std::min(static_cast<std::size_t>(it - cumulative.begin()), kVocabularySize - 1);
}

// `n` vocabulary words, space separated.
std::string vocabulary_words(std::mt19937_64& rng, int n) {
  std::string s;
  for (int k = 0; k < n; ++k) {
    if (k != 0) s.push_back(' ');
    s.append(vocabulary_word(zipf_rank(rng)));
  }
  return s;
}

}  // namespace

std::string vocabulary_word(std::size_t rank) {
  const std::size_t chars = kVocabularyChars.size() / kCjkBytes;
  rank %= kVocabularySize;
  std::string word;
  word.append(kVocabularyChars.substr(rank / chars * kCjkBytes, kCjkBytes));
  word.append(kVocabularyChars.substr(rank % chars * kCjkBytes, kCjkBytes));
  return word;
}


std::vector<sync::FieldEdit> request_fields(std::mt19937_64& rng, int i) {
  auto pick = [&](std::initializer_list<const char*> v) { return std::string(v.begin()[rng() % v.size()]); };
  auto words = [&](int n) {
    std::string s;
    for (int k = 0; k < n; ++k) s += std::string(kWords[rng() % std::size(kWords)]) + (k % 3 == 2 ? "，" : " ");
    return s;
  };
  auto text = [](std::string s) { return sync::Value::string(std::move(s)); };
  // prefix + tail by append (GCC 12 warns wrongly about `"..." + std::string`).
  auto joined = [](std::string_view prefix, const std::string& tail) {
    std::string s(prefix);
    s.append(tail);
    return sync::Value::string(std::move(s));
  };
  return {{"customer", joined("客户", std::to_string(i % 5000))},
          {"customer_id", joined("C", std::to_string(i % 5000))},
          {"contact_name", joined("联系人", std::to_string(i % 977))},
          {"contact", joined("1380000", std::to_string(1000 + i % 9000))},
          {"industry", text(pick({"医疗", "制造", "零售", "物流"}))},
          {"tier", text(pick({"strategic", "vip", "regular", "new"}))},
          {"channel", text(pick({"phone", "email", "chat", "visit"}))},
          {"category", text(pick({"consultation", "complaint", "service", "tech_support"}))},
          {"priority", text(pick({"urgent", "high", "medium", "low"}))},
          {"priority_reason", text("impact team (2) + urgency (2) + tier (2)")},
          {"impact", text(pick({"single_user", "team", "site"}))},
          {"title", text(words(3))},
          {"description", text(words(8) + vocabulary_words(rng, 4))},
          {"background", text(words(6))},
          {"contacted_at", text("2026-11-18T09:00:00+08:00")},
          {"expected_at", text("2026-11-20T18:00:00+08:00")},
          {"status", text("new")},
          {"owner", text("user" + std::to_string(i % 40))},
          {"team", text(pick({"SVC", "TECH", "FIELD"}))},
          {"progress", sync::Value::integer(static_cast<std::int64_t>(rng() % 100))},
          {"feedback", text(words(2))},
          {"satisfaction", sync::Value::integer(static_cast<std::int64_t>(1 + rng() % 5))},
          {"status_reason", text("")},
          {"priority_override_by", text("")},
          {"tags", joined("+", pick({"vip", "repeat", "onsite"}))}};
}

Status build_server_log(sync::ServerMerge& server, int n, std::mt19937_64& rng, std::int64_t& now,
                        std::vector<std::vector<sync::FieldEdit>>* rows) {
  std::uint64_t seed = 7;
  sync::ClientReplica maker({"maker", "maker", 1}, [&now] { return now; },
                            [&seed] { return seed = seed * 6364136223846793005ull + 1; });
  std::vector<sync::FieldOp> batch;
  for (int i = 0; i < n; ++i) {
    if (i % 1000 == 0) ++now;
    auto fields = request_fields(rng, i);
    auto ops = maker.edit("request", maker.new_row_id(), fields);
    if (!ops) return ops.status();
    batch.insert(batch.end(), ops->begin(), ops->end());
    if (rows != nullptr) rows->push_back(std::move(fields));
    if (batch.size() >= 5000) {
      server.push(batch, "maker");
      (void)server.take_new_entries();  // nothing stores this log: its copies would only take memory
      batch.clear();
    }
  }
  server.push(batch, "maker");
  (void)server.take_new_entries();
  return Status::ok();
}

Status pull_all(sync::ServerMerge& server, client::LocalReplica& replica) {
  const std::size_t apply_entries = client::SyncWorkerOptions{}.apply_entries;
  std::vector<sync::LogEntry> pulled;
  for (std::uint64_t cursor = 0;;) {
    bool more = false;
    auto page = server.pull(cursor, client::SyncWorkerOptions{}.pull_limit, &more);
    if (!page.empty()) cursor = page.back().seq;
    pulled.insert(pulled.end(), std::make_move_iterator(page.begin()), std::make_move_iterator(page.end()));
    if (!more || pulled.size() >= apply_entries) {
      if (Status s = replica.on_pull_page(pulled, cursor, more); !s) return s;
      pulled.clear();
    }
    if (!more) return Status::ok();
  }
}

double plain_insert_rows_per_s(sqlite::Database& db, const std::vector<std::vector<sync::FieldEdit>>& rows) {
  std::string cols = "id TEXT PRIMARY KEY";
  std::string names = "id", params = "?1";
  for (std::size_t k = 0; k < rows[0].size(); ++k) {
    cols += ", " + rows[0][k].field;
    names += ", " + rows[0][k].field;
    params += ", ?" + std::to_string(k + 2);
  }
  if (!db.exec("CREATE TABLE requests (" + cols + ")", "bench")) return 0;
  const double t0 = now_seconds();
  auto insert = db.prepare("INSERT INTO requests (" + names + ") VALUES (" + params + ")");
  if (!insert) return 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i % 1000 == 0 && !db.exec("BEGIN", "bench")) return 0;
    insert->bind(1, std::to_string(i));
    for (std::size_t k = 0; k < rows[i].size(); ++k) {
      const auto& v = rows[i][k].value;
      if (v.is_int()) insert->bind(static_cast<int>(k) + 2, v.as_int());
      else insert->bind(static_cast<int>(k) + 2, v.as_string());
    }
    if (!insert->run()) return 0;
    if ((i % 1000 == 999 || i + 1 == rows.size()) && !db.exec("COMMIT", "bench")) return 0;
  }
  return static_cast<double>(rows.size()) / (now_seconds() - t0);
}

}  // namespace rapidesk::bench
