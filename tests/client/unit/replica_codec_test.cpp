// The profile's stored form of ops: binary records (form 2) and runs of entries (form 3)
// round-trip every field, records written by earlier versions (the JSON wire form) still
// read, and a damaged record is a clear kCorrupt naming it, never a crash.
#include <gtest/gtest.h>

#include <limits>

#include "rapidesk/sync/codec.h"
#include "rapidesk/sync/entry_records.h"
#include "store/replica_codec.h"

namespace rapidesk::client::store {
namespace {

sync::LogEntry entry(std::uint64_t seq, sync::Value value, bool with_base, sync::Origin origin, sync::Outcome outcome) {
  sync::LogEntry e;
  e.seq = seq;
  e.outcome = outcome;
  e.op.op = "laptop-li:" + std::to_string(seq);
  e.op.entity = "request";
  e.op.row = "0195c8a0-7d2a-7000-8000-00000000000" + std::to_string(seq % 10);
  e.op.field = "title";
  e.op.value = std::move(value);
  e.op.hlc = sync::Stamp{1'767'225'600'000 + static_cast<std::int64_t>(seq), static_cast<std::uint16_t>(seq % 70'000), "laptop-li"};
  if (with_base) e.op.base = sync::Stamp{1'767'225'500'000, 65'535, "tablet-wang"};
  e.op.author = "li.wei";
  e.op.origin = origin;
  return e;
}

std::vector<sync::LogEntry> samples() {
  return {entry(1, sync::Value::null(), false, sync::Origin::kClient, sync::Outcome::kApplied),
          entry(2, sync::Value::boolean(true), true, sync::Origin::kServer, sync::Outcome::kIgnoredOlder),
          entry(3, sync::Value::integer(-42), true, sync::Origin::kClient, sync::Outcome::kAppliedWithConflict),
          entry(4, sync::Value::integer(9'007'199'254'740'993), false, sync::Origin::kClient, sync::Outcome::kConflictRecorded),
          entry(5, sync::Value::real(2.5), false, sync::Origin::kServer, sync::Outcome::kDuplicate),
          entry(6, sync::Value::string("扫码枪无法识别条码，客户急需 (ERP)"), true, sync::Origin::kClient, sync::Outcome::kApplied),
          entry(7, sync::Value::string(std::string(5000, 'x')), false, sync::Origin::kClient, sync::Outcome::kApplied),
          entry(18'446'744'073'709'551'615ull, sync::Value::string(""), true, sync::Origin::kServer, sync::Outcome::kApplied)};
}

TEST(ReplicaCodec, BinaryRecordsRoundTripEveryField) {
  std::vector<std::string> stored;
  for (const auto& e : samples()) {
    stored.push_back(sync::encode_entry_record(e));
    EXPECT_NE(stored.back().front(), '{');
  }
  auto decoded = decode_stored(stored);
  ASSERT_TRUE(decoded) << decoded.status().message().en;
  EXPECT_EQ(*decoded, samples());
}

TEST(ReplicaCodec, RecordsOfEarlierVersionsStillReadInOrder) {
  const auto all = samples();
  const sync::LogEntry old_printer =
      entry(9, sync::Value::string("打印机"), true, sync::Origin::kServer, sync::Outcome::kIgnoredOlder);
  // Written before: the JSON wire form. A profile holds old records, then new ones.
  std::vector<std::string> stored{sync::encode_log_entry(all[0]), sync::encode_log_entry(all[5]),
                                  sync::encode_entry_record(all[2]), sync::encode_log_entry(old_printer),
                                  sync::encode_entry_record(all[6])};
  auto decoded = decode_stored(stored);
  ASSERT_TRUE(decoded) << decoded.status().message().en;
  ASSERT_EQ(decoded->size(), 5u);
  EXPECT_EQ((*decoded)[0], all[0]);
  EXPECT_EQ((*decoded)[1], all[5]);
  EXPECT_EQ((*decoded)[2], all[2]);
  EXPECT_EQ((*decoded)[3], old_printer);
  EXPECT_EQ((*decoded)[4], all[6]);
}

TEST(ReplicaCodec, EveryTruncationOrExtraByteIsADamagedRecordNamed) {
  for (const auto& e : samples()) {
    const std::string whole = sync::encode_entry_record(e);
    for (std::size_t n = 0; n < whole.size(); ++n) {
      const std::vector<std::string> stored{sync::encode_entry_record(samples()[0]), whole.substr(0, n)};
      auto decoded = decode_stored(stored, 1000);
      ASSERT_FALSE(decoded) << "cut at " << n;
      EXPECT_EQ(decoded.status().code(), ErrorCode::kCorrupt);
      EXPECT_NE(decoded.status().message().en.find("operation 1001"), std::string::npos) << decoded.status().message().en;
    }
    const std::vector<std::string> longer{whole + "!"};
    EXPECT_FALSE(decode_stored(longer));
  }
}

std::vector<const sync::LogEntry*> pointers(const std::vector<sync::LogEntry>& entries) {
  std::vector<const sync::LogEntry*> out;
  for (const auto& e : entries) out.push_back(&e);
  return out;
}

TEST(ReplicaCodec, ARunRoundTripsEveryFieldInOrder) {
  // Seqs, stamps and strings that go up, down, wrap and share nothing or everything with the
  // entry before (a filtered pull brings older entries after newer ones).
  std::vector<sync::LogEntry> entries = samples();
  entries.push_back(entries[0]);
  entries.back().seq = 3;
  entries.back().op.hlc.physical_ms = -5;
  entries.back().op.base = sync::Stamp{std::numeric_limits<std::int64_t>::max(), 0, ""};
  entries.back().op.row = "";
  entries.back().op.author = "王芳";
  entries.push_back(entries[5]);
  const std::vector<std::string> stored{sync::encode_entry_run(pointers(entries))};
  ASSERT_EQ(stored[0].front(), 0x03);
  auto decoded = decode_stored(stored);
  ASSERT_TRUE(decoded) << decoded.status().message().en;
  EXPECT_EQ(*decoded, entries);
}

TEST(ReplicaCodec, RunsMixWithSingleRecordsAndAnEmptyRunIsNothing) {
  const auto all = samples();
  const std::vector<sync::LogEntry> first(all.begin(), all.begin() + 3), second(all.begin() + 3, all.end());
  const std::vector<std::string> stored{sync::encode_entry_run(pointers(first)), sync::encode_log_entry(all[5]),
                                        sync::encode_entry_record(all[0]), sync::encode_entry_run({}),
                                        sync::encode_entry_run(pointers(second))};
  auto decoded = decode_stored(stored);
  ASSERT_TRUE(decoded) << decoded.status().message().en;
  std::vector<sync::LogEntry> expected = first;
  expected.push_back(all[5]);
  expected.push_back(all[0]);
  expected.insert(expected.end(), second.begin(), second.end());
  EXPECT_EQ(*decoded, expected);
}

TEST(ReplicaCodec, ARunIsSmallerThanItsEntriesApart) {
  // A pull page: the 25 fields of each request, consecutive seqs, one author and device.
  std::vector<sync::LogEntry> page;
  for (std::uint64_t i = 0; i < 250; ++i) {
    page.push_back(entry(1000 + i, sync::Value::string("打印机卡纸"), i % 2 == 0, sync::Origin::kClient,
                         sync::Outcome::kApplied));
    page.back().op.row = "0195c8a0-7d2a-7000-8000-0000000000" + std::to_string(10 + i / 25);
  }
  std::size_t apart = 0;
  for (const auto& e : page) apart += sync::encode_entry_record(e).size();
  const std::string run = sync::encode_entry_run(pointers(page));
  EXPECT_LT(run.size() * 2, apart) << run.size() << " vs " << apart;
}

TEST(ReplicaCodec, EveryTruncationOrExtraByteOfARunIsADamagedRecordNamed) {
  const auto all = samples();
  const std::string whole = sync::encode_entry_run(pointers(all));
  for (std::size_t n = 0; n < whole.size(); ++n) {
    const std::vector<std::string> stored{sync::encode_entry_record(all[0]), whole.substr(0, n)};
    auto decoded = decode_stored(stored, 7);
    ASSERT_FALSE(decoded) << "cut at " << n;
    EXPECT_EQ(decoded.status().code(), ErrorCode::kCorrupt);
    EXPECT_NE(decoded.status().message().en.find("operation 8"), std::string::npos) << decoded.status().message().en;
  }
  EXPECT_FALSE(decode_stored(std::vector<std::string>{whole + "!"}));
  // A count larger than the bytes could hold is refused before anything is reserved.
  std::string huge = whole;
  huge[1] = static_cast<char>(0xFF);
  EXPECT_FALSE(decode_stored(std::vector<std::string>{huge}));
}

}  // namespace
}  // namespace rapidesk::client::store
