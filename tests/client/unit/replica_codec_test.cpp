// The profile's stored form of ops: binary records (form 2) round-trip every field, records
// written by earlier versions (the JSON wire form) still read, and a damaged record is a
// clear kCorrupt naming it, never a crash.
#include <gtest/gtest.h>

#include "rapidesk/sync/codec.h"
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
    stored.push_back(encode_stored(e));
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
  std::vector<std::string> stored{sync::encode_log_entry(all[0]), sync::encode_log_entry(all[5]), encode_stored(all[2]),
                                  sync::encode_log_entry(old_printer), encode_stored(all[6])};
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
    const std::string whole = encode_stored(e);
    for (std::size_t n = 0; n < whole.size(); ++n) {
      const std::vector<std::string> stored{encode_stored(samples()[0]), whole.substr(0, n)};
      auto decoded = decode_stored(stored, 1000);
      ASSERT_FALSE(decoded) << "cut at " << n;
      EXPECT_EQ(decoded.status().code(), ErrorCode::kCorrupt);
      EXPECT_NE(decoded.status().message().en.find("operation 1001"), std::string::npos) << decoded.status().message().en;
    }
    const std::vector<std::string> longer{whole + "!"};
    EXPECT_FALSE(decode_stored(longer));
  }
}

}  // namespace
}  // namespace rapidesk::client::store
