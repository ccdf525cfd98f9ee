// The sync service's log on each backend: group commits of entries (append_log) read back
// by load_log exactly as written, in seq order with what append_sync stored; a commit that
// overlaps stored entries writes nothing. SQLite keeps each commit as one binary run: a
// damaged run is reported, never half-loaded. Built like storage_test.cpp, for SQLite here
// and with RAPIDESK_TEST_POSTGRES for PostgreSQL.
#include <gtest/gtest.h>

#include "rapidesk/sync/codec.h"
#include "test_stores.h"

namespace rapidesk::server {
namespace {

using testing::TestStore;

struct LogBackend {
  const char* name;
  std::unique_ptr<TestStore> (*make)();
};

void PrintTo(const LogBackend& backend, std::ostream* out) {
  *out << backend.name;
}

// An entry as the server logs it: a client op or a server-made one, with or without a base.
sync::LogEntry log_entry(std::uint64_t seq, const std::string& row, sync::Value value, bool from_server = false) {
  sync::LogEntry e;
  e.seq = seq;
  e.outcome = seq % 5 == 0 ? sync::Outcome::kConflictRecorded : sync::Outcome::kApplied;
  e.op.op = (from_server ? "server:" : "dev-a:") + std::to_string(seq);
  e.op.entity = "request";
  e.op.row = row;
  e.op.field = value.is_int()    ? "progress"
               : value.is_bool() ? "deleted"
               : value.is_null() ? "contacted_at"
                                 : "description";
  e.op.value = std::move(value);
  e.op.hlc = sync::Stamp{1'795'000'000'000 + static_cast<std::int64_t>(seq) * 7, static_cast<std::uint16_t>(seq % 3),
                         from_server ? "server" : "dev-a"};
  if (seq % 2 == 0) e.op.base = sync::Stamp{1'795'000'000'000, 1, "dev-b"};
  e.op.author = from_server ? "server" : "alice";
  e.op.origin = from_server ? sync::Origin::kServer : sync::Origin::kClient;
  return e;
}

std::vector<const sync::LogEntry*> refs(const std::vector<sync::LogEntry>& entries, std::size_t from, std::size_t to) {
  std::vector<const sync::LogEntry*> out;
  for (std::size_t i = from; i < to; ++i) out.push_back(&entries[i]);
  return out;
}

struct LoadedLog {
  Status status;
  std::vector<sync::LogEntry> entries;
  std::vector<SyncRejectionRecord> rejections;
  std::uint64_t next_op = 0;
};

LoadedLog load_log(Storage& s) {
  LoadedLog out;
  out.status = s.load_log(
      [&](std::vector<sync::LogEntry>&& batch) {
        for (auto& e : batch) out.entries.push_back(std::move(e));
        return Status::ok();
      },
      [&](SyncRejectionRecord&& r) {
        out.rejections.push_back(std::move(r));
        return Status::ok();
      },
      out.next_op);
  return out;
}

class StorageLogTest : public ::testing::TestWithParam<LogBackend> {
 protected:
  void SetUp() override {
    store_ = GetParam().make();
    ASSERT_TRUE(store_->unusable().empty()) << store_->unusable();
    const std::string row_a = "0192f3a0-0000-7000-8000-00000000000a", row_b = "0192f3a0-0000-7000-8000-00000000000b";
    const std::vector<sync::Value> values = {sync::Value::string("扫码枪无法连接，\"急\"\n\t\\"),
                                             sync::Value::integer(42), sync::Value::boolean(true), sync::Value::null(),
                                             sync::Value::string(std::string(3000, 'x'))};
    for (std::uint64_t seq = 1; seq <= 12; ++seq) {
      entries_.push_back(log_entry(seq, seq % 3 == 0 ? row_b : row_a, values[seq % values.size()], seq % 4 == 0));
    }
  }

  std::unique_ptr<Storage> open() {
    auto s = store_->open();
    EXPECT_TRUE(s.is_ok()) << s.status().message().en;
    return s.is_ok() ? std::move(*s) : nullptr;
  }

  std::unique_ptr<TestStore> store_;
  std::vector<sync::LogEntry> entries_;
};

TEST_P(StorageLogTest, GroupCommitsLoadBackAsWrittenAfterReopening) {
  {
    auto s = open();
    ASSERT_TRUE(s);
    const std::vector<SyncRejectionRecord> rejected = {{"dev-a:99", R"({"results":[]})"}};
    ASSERT_TRUE(s->append_log(refs(entries_, 0, 5), rejected, 7, std::vector<std::string>{"req-1:resolution:breach"}));
    ASSERT_TRUE(s->append_log(refs(entries_, 5, 12), {}, 9, {}));
    ASSERT_TRUE(s->append_log({}, {}, 10, {}));  // nothing but the counter
  }
  auto s = open();
  ASSERT_TRUE(s);
  LoadedLog l = load_log(*s);
  ASSERT_TRUE(l.status) << l.status.message().en;
  EXPECT_EQ(l.entries, entries_);
  ASSERT_EQ(l.rejections.size(), 1u);
  EXPECT_EQ(l.rejections[0].op_id, "dev-a:99");
  EXPECT_EQ(l.next_op, 10u);
  EXPECT_EQ(*s->load_sla_fired(), std::vector<std::string>{"req-1:resolution:breach"});
  // The record view of the same log: every entry in its wire form, in seq order.
  std::vector<SyncLogRecord> records;
  std::uint64_t next = 0;
  ASSERT_TRUE(s->load_sync(
      [&](SyncLogRecord&& r) {
        records.push_back(std::move(r));
        return Status::ok();
      },
      [](SyncRejectionRecord&&) { return Status::ok(); }, next));
  ASSERT_EQ(records.size(), entries_.size());
  auto decoded = decode_log_records(records);
  ASSERT_TRUE(decoded.is_ok());
  EXPECT_EQ(*decoded, entries_);
  EXPECT_EQ(records[2].row, entries_[2].op.row);
}

TEST_P(StorageLogTest, EntriesStoredOneByOneLoadInOrderWithTheCommitsAfterThem) {
  auto s = open();
  ASSERT_TRUE(s);
  // As a store from before the runs holds them (and append_sync still writes them).
  std::vector<SyncLogRecord> single;
  for (std::size_t i = 0; i < 4; ++i) {
    single.push_back({entries_[i].seq, entries_[i].op.entity, entries_[i].op.row, sync::encode_log_entry(entries_[i])});
  }
  ASSERT_TRUE(s->append_sync(single, {}, 5, {}));
  ASSERT_TRUE(s->append_log(refs(entries_, 4, 9), {}, 6, {}));
  ASSERT_TRUE(s->append_sync(
      std::vector<SyncLogRecord>{{entries_[9].seq, "request", entries_[9].op.row, sync::encode_log_entry(entries_[9])}},
      {}, 7, {}));
  ASSERT_TRUE(s->append_log(refs(entries_, 10, 12), {}, 8, {}));
  LoadedLog l = load_log(*s);
  ASSERT_TRUE(l.status) << l.status.message().en;
  EXPECT_EQ(l.entries, entries_);
  EXPECT_EQ(l.next_op, 8u);
}

TEST_P(StorageLogTest, ACommitOverlappingStoredEntriesWritesNothing) {
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->append_log(refs(entries_, 0, 3), {}, 4, {}));
  // Entries 3 and 4: 3 is stored. Nothing of it may stay: not 4, nor its refusal, key or counter.
  Status clash = s->append_log(refs(entries_, 2, 4), std::vector<SyncRejectionRecord>{{"dev-a:77", "{}"}}, 5,
                               std::vector<std::string>{"req-9:resolution:breach"});
  EXPECT_EQ(clash.code(), ErrorCode::kConflict) << clash.message().en;
  // One entry at a time, inside a stored commit: refused too.
  Status single = s->append_sync(std::vector<SyncLogRecord>{{2, "request", entries_[1].op.row, "{}"}}, {}, 5, {});
  EXPECT_EQ(single.code(), ErrorCode::kConflict) << single.message().en;
  LoadedLog l = load_log(*s);
  ASSERT_TRUE(l.status);
  EXPECT_EQ(l.entries, std::vector<sync::LogEntry>(entries_.begin(), entries_.begin() + 3));
  EXPECT_TRUE(l.rejections.empty());
  EXPECT_EQ(l.next_op, 4u);
  EXPECT_TRUE(s->load_sla_fired()->empty());
  // The next commit in order goes through.
  ASSERT_TRUE(s->append_log(refs(entries_, 3, 6), {}, 7, {}));
  EXPECT_EQ(load_log(*s).entries.size(), 6u);
}

TEST_P(StorageLogTest, LoadStopsAtTheFirstCallbackError) {
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->append_log(refs(entries_, 0, 6), {}, 7, {}));
  ASSERT_TRUE(s->append_log(refs(entries_, 6, 12), {}, 13, {}));
  int calls = 0;
  std::uint64_t next = 0;
  Status st = s->load_log(
      [&](std::vector<sync::LogEntry>&&) {
        return ++calls == 1 ? Status::corrupt(Text{"stop", "停"}) : Status::ok();
      },
      [](SyncRejectionRecord&&) { return Status::ok(); }, next);
  EXPECT_EQ(st.code(), ErrorCode::kCorrupt);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(load_log(*s).entries, entries_);  // still readable afterwards
}

std::string backend_name(const ::testing::TestParamInfo<LogBackend>& info) {
  return info.param.name;
}

#if RAPIDESK_TEST_POSTGRES

INSTANTIATE_TEST_SUITE_P(Postgres, StorageLogTest,
                         ::testing::Values(LogBackend{"postgres", &testing::make_postgres_store}), backend_name);

#else

std::unique_ptr<TestStore> make_sqlite_store() {
  return std::make_unique<testing::SqliteTestStore>();
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StorageLogTest, ::testing::Values(LogBackend{"sqlite", &make_sqlite_store}),
                         backend_name);

// ---- SQLite only: the runs ----------------------------------------------------------------

class SqliteLogTest : public ::testing::Test {
 protected:
  std::unique_ptr<Storage> open() {
    auto s = store_.open();
    EXPECT_TRUE(s.is_ok()) << s.status().message().en;
    return s.is_ok() ? std::move(*s) : nullptr;
  }
  testing::SqliteTestStore store_;
};

TEST_F(SqliteLogTest, EachCommitIsOneRowMuchSmallerThanTheWireForms) {
  auto s = open();
  ASSERT_TRUE(s);
  std::vector<sync::LogEntry> entries;
  std::size_t wire_bytes = 0;
  for (std::uint64_t seq = 1; seq <= 500; ++seq) {
    entries.push_back(log_entry(seq, "0192f3a0-0000-7000-8000-0000000000" + std::to_string(10 + seq / 25),
                                sync::Value::string("进展 " + std::to_string(seq)), seq % 7 == 0));
    wire_bytes += sync::encode_log_entry(entries.back()).size();
  }
  ASSERT_TRUE(s->append_log(refs(entries, 0, 500), {}, 1, {}));
  EXPECT_EQ(store_.number("SELECT COUNT(*) FROM sync_log_run"), 1);
  EXPECT_EQ(store_.number("SELECT COUNT(*) FROM sync_log"), 0);
  EXPECT_EQ(store_.number("SELECT entries FROM sync_log_run WHERE first_seq = 1 AND last_seq = 500"), 500);
  const long long run_bytes = store_.number("SELECT LENGTH(run) FROM sync_log_run");
  EXPECT_LT(run_bytes * 3, static_cast<long long>(wire_bytes)) << run_bytes << " vs " << wire_bytes;
}

TEST_F(SqliteLogTest, ADamagedRunIsReportedAndNothingOfItIsLoaded) {
  std::vector<sync::LogEntry> entries;
  for (std::uint64_t seq = 1; seq <= 6; ++seq)
    entries.push_back(log_entry(seq, "0192f3a0-0000-7000-8000-00000000000a", sync::Value::integer(1)));
  {
    auto s = open();
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->append_log(refs(entries, 0, 3), {}, 4, {}));
    ASSERT_TRUE(s->append_log(refs(entries, 3, 6), {}, 7, {}));
  }
  store_.exec("UPDATE sync_log_run SET run = substr(run, 1, length(run) - 2) WHERE first_seq = 4");
  auto s = open();
  ASSERT_TRUE(s);
  LoadedLog l = load_log(*s);
  EXPECT_EQ(l.status.code(), ErrorCode::kCorrupt);
  EXPECT_NE(l.status.message().en.find("entry 4"), std::string::npos) << l.status.message().en;
  EXPECT_NE(l.status.message().en.find("backup"), std::string::npos);
  EXPECT_FALSE(l.status.message().zh.empty());
  EXPECT_EQ(l.entries.size(), 3u);  // the commit before it, whole; none of the damaged one
}

TEST_F(SqliteLogTest, ACommitMustHoldConsecutiveEntries) {
  std::vector<sync::LogEntry> entries = {log_entry(1, "0192f3a0-0000-7000-8000-00000000000a", sync::Value::integer(1)),
                                         log_entry(3, "0192f3a0-0000-7000-8000-00000000000a", sync::Value::integer(2))};
  auto s = open();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->append_log(refs(entries, 0, 2), {}, 4, {}).code(), ErrorCode::kInvalid);
  EXPECT_EQ(store_.number("SELECT COUNT(*) FROM sync_log_run"), 0);
  EXPECT_EQ(store_.number("SELECT COUNT(*) FROM sync_meta"), 0);
}

#endif

}  // namespace
}  // namespace rapidesk::server
