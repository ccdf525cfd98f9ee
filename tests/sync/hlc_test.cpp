#include "rapidesk/sync/hlc.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "test_support.h"

namespace rapidesk::sync {
namespace {

using testing::kT0;
using testing::ManualClock;

TEST(HybridClock, SendRuleUsesPhysicalTimeWhenItMovesOn) {
  ManualClock pc;
  HybridClock clock("laptop-li", pc.fn());
  EXPECT_EQ(clock.now(), (Stamp{kT0, 0, "laptop-li"}));
  EXPECT_EQ(clock.now(), (Stamp{kT0, 1, "laptop-li"}));  // same ms: counter
  pc.now += 5;
  EXPECT_EQ(clock.now(), (Stamp{kT0 + 5, 0, "laptop-li"}));  // time moved: counter resets
}

TEST(HybridClock, BackwardsPhysicalClockNeverProducesASmallerStamp) {
  ManualClock pc;
  HybridClock clock("d1", pc.fn());
  pc.now = kT0 + 60'000;
  const Stamp before = clock.now();
  pc.now = kT0 - 3'600'000;  // the user set the clock back an hour
  Stamp prev = before;
  for (int i = 0; i < 100; ++i) {
    const Stamp s = clock.now();
    EXPECT_GT(s, prev);
    EXPECT_EQ(s.physical_ms, before.physical_ms);  // waits on the logical part
    prev = s;
  }
  pc.now = kT0 + 120'000;  // physical time catches up
  EXPECT_EQ(clock.now(), (Stamp{kT0 + 120'000, 0, "d1"}));
}

TEST(HybridClock, CounterOverflowAdvancesPhysicalMillisecondInsteadOfWrapping) {
  ManualClock pc;
  HybridClock clock("d1", pc.fn());
  clock.restore(Stamp{kT0, 0xFFFE, "d1"});
  EXPECT_EQ(clock.now(), (Stamp{kT0, 0xFFFF, "d1"}));
  const Stamp next = clock.now();
  EXPECT_EQ(next, (Stamp{kT0 + 1, 1, "d1"}));  // counter 0 is left to readings of the clock
  EXPECT_GT(next, (Stamp{kT0, 0xFFFF, "d1"}));
  EXPECT_EQ(format_stamp(next), "1767225600001-0001-d1");
}

TEST(HybridClock, ReceiveOverflowAlsoCarries) {
  ManualClock pc;
  HybridClock clock("d1", pc.fn());
  auto r = clock.receive(Stamp{kT0, 0xFFFF, "d2"});
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (Stamp{kT0 + 1, 1, "d1"}));
}

TEST(HybridClock, ReceiveRuleCoversThePapersFourCases) {
  ManualClock pc;
  HybridClock clock("d1", pc.fn());
  clock.restore(Stamp{kT0 + 10, 3, "d1"});
  // Remote ahead in time (within drift): adopt its time, counter + 1.
  auto a = clock.receive(Stamp{kT0 + 20, 7, "d2"});
  ASSERT_TRUE(a);
  EXPECT_EQ(*a, (Stamp{kT0 + 20, 8, "d1"}));
  // Same time as local and remote: max counter + 1.
  auto b = clock.receive(Stamp{kT0 + 20, 30, "d3"});
  ASSERT_TRUE(b);
  EXPECT_EQ(*b, (Stamp{kT0 + 20, 31, "d1"}));
  // Remote behind: local counter + 1.
  auto c = clock.receive(Stamp{kT0 + 1, 500, "d4"});
  ASSERT_TRUE(c);
  EXPECT_EQ(*c, (Stamp{kT0 + 20, 32, "d1"}));
  // Physical time ahead of both: physical time, counter 0.
  pc.now = kT0 + 1000;
  auto d = clock.receive(Stamp{kT0 + 50, 1, "d2"});
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, (Stamp{kT0 + 1000, 0, "d1"}));
  // Every later local stamp is above everything received.
  EXPECT_GT(clock.now(), (Stamp{kT0 + 1000, 0, "d1"}));
}

TEST(HybridClock, RejectsRemoteStampsBeyondTheDriftWithAClearMessage) {
  ManualClock pc;
  HybridClock clock("server", pc.fn());  // default drift: 5 minutes
  EXPECT_TRUE(clock.receive(Stamp{kT0 + 5 * 60'000, 0, "tablet-7"}));  // exactly at the bound: accepted
  const Stamp before = clock.last();
  auto r = clock.receive(Stamp{kT0 + 7 * 60'000 + 1, 0, "tablet-7"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalid);
  EXPECT_EQ(r.status().field(), "hlc");
  const Text& m = r.status().message();
  EXPECT_NE(m.en.find("tablet-7"), std::string::npos) << m.en;
  EXPECT_NE(m.en.find("about 8 minutes ahead"), std::string::npos) << m.en;
  EXPECT_NE(m.en.find("at most 5 minutes"), std::string::npos) << m.en;
  EXPECT_NE(m.en.find("Fix the date and time on device \"tablet-7\""), std::string::npos) << m.en;
  EXPECT_NE(m.zh.find("请校正设备“tablet-7”的日期和时间"), std::string::npos) << m.zh;
  EXPECT_EQ(clock.last(), before);  // a rejected stamp does not drag the clock
}

TEST(HybridClock, DriftBoundIsConfigurable) {
  ManualClock pc;
  HybridClock clock("server", pc.fn(), 1000);
  EXPECT_TRUE(clock.check_drift(Stamp{kT0 + 1000, 0, "d"}));
  EXPECT_FALSE(clock.check_drift(Stamp{kT0 + 1001, 0, "d"}));
}

// A server whose clock ran an hour ahead is set right (NTP steps it back). Devices took in
// its stamps, so theirs run an hour "ahead" of its new time until the wall clock catches
// up; measured from its highest reading, they are still within the drift. A device truly
// ahead of that reading is still refused. A restarted server finds its readings in its own
// stamps with counter 0; no other stamp counts, since its time may be a client's taken in,
// and counting those would let clients raise the bound step by step.
TEST(HybridClock, AClockSteppedBackStillAcceptsStampsOfItsEarlierTime) {
  ManualClock pc;
  HybridClock clock("server", pc.fn());
  pc.now = kT0 + 3'600'000;
  const Stamp ahead = clock.now();
  pc.now = kT0;  // stepped back
  EXPECT_TRUE(clock.check_drift(Stamp{ahead.physical_ms + 1, 0, "tablet-7"}));
  EXPECT_TRUE(clock.check_drift(Stamp{ahead.physical_ms + 5 * 60'000, 0, "tablet-7"}));
  EXPECT_FALSE(clock.check_drift(Stamp{ahead.physical_ms + 5 * 60'000 + 1, 0, "tablet-7"}));

  ASSERT_EQ(ahead.counter, 0);
  HybridClock restarted("server", pc.fn());
  restarted.observe(Stamp{ahead.physical_ms, 0, "tablet-7"});  // another device's: no reading
  EXPECT_FALSE(restarted.check_drift(Stamp{ahead.physical_ms + 1, 0, "tablet-7"}));
  restarted.observe(ahead);
  EXPECT_TRUE(restarted.check_drift(Stamp{ahead.physical_ms + 1, 0, "tablet-7"}));

  // A stamp of its own carrying a client's time (counter above 0) raises nothing, also after
  // a counter overflow forced by the client's counter.
  pc.now = kT0;
  HybridClock server("server", pc.fn());
  ASSERT_TRUE(server.receive(Stamp{kT0 + 5 * 60'000, 0xFFFE, "tablet-7"}));
  const Stamp carried = server.now();  // at the client's time (+1 ms), not a reading
  EXPECT_GT(carried.physical_ms, kT0 + 5 * 60'000);
  EXPECT_NE(carried.counter, 0);
  HybridClock fresh("server", pc.fn());
  fresh.observe(carried);
  EXPECT_FALSE(fresh.check_drift(Stamp{carried.physical_ms + 5 * 60'000, 0, "tablet-7"}));
}

TEST(HybridClock, ObserveSkipsTheDriftCheck) {
  ManualClock pc;
  HybridClock clock("d1", pc.fn());
  clock.observe(Stamp{kT0 + 3'600'000, 4, "server"});
  EXPECT_EQ(clock.now(), (Stamp{kT0 + 3'600'000, 6, "d1"}));
}

TEST(Stamp, WireFormatRoundTrips) {
  const Stamp s{1732345678901, 0x002a, "laptop-li_2"};
  EXPECT_EQ(format_stamp(s), "1732345678901-002a-laptop-li_2");
  auto p = parse_stamp("1732345678901-002a-laptop-li_2");
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, s);
  EXPECT_EQ(format_stamp(Stamp{5, 0, "a"}), "0000000000005-0000-a");
  EXPECT_EQ(format_stamp(Stamp{kMaxPhysicalMs, 0xFFFF, std::string(64, 'z')}),
            "9999999999999-ffff-" + std::string(64, 'z'));
}

TEST(Stamp, ParseRejectsEverythingButTheExactShape) {
  for (const char* bad : {"", "1732345678901-002a-", "173234567890-002a-dev", "17323456789012-002a-dev",
                          "1732345678901-002A-dev", "1732345678901-02a-dev", "1732345678901_002a-dev",
                          "1732345678901-002a-dev ice", "1732345678901-002a-dév", "x732345678901-002a-dev"}) {
    auto p = parse_stamp(bad);
    EXPECT_FALSE(p) << bad;
    if (!p) {
      EXPECT_EQ(p.status().code(), ErrorCode::kInvalid);
      EXPECT_NE(p.status().message().en.find("13-digit"), std::string::npos);
      EXPECT_FALSE(p.status().message().zh.empty());
    }
  }
  EXPECT_FALSE(parse_stamp("1732345678901-002a-" + std::string(65, 'a')));
  EXPECT_TRUE(parse_stamp("1732345678901-002a-" + std::string(64, 'a')));
}

TEST(Stamp, DeviceIdRules) {
  EXPECT_TRUE(is_valid_device_id("A-z_09"));
  EXPECT_FALSE(is_valid_device_id(""));
  EXPECT_FALSE(is_valid_device_id("a.b"));
  EXPECT_FALSE(is_valid_device_id("a:b"));
  EXPECT_FALSE(is_valid_device_id(std::string(65, 'a')));
}

TEST(Stamp, StringOrderEqualsClockOrderWithDeviceTieBreak) {
  testing::SplitMix rng(2024);
  const std::vector<std::string> devices = {"a", "b", "a-", "a_", "A", "z9", "dev-10", "dev-9", "0"};
  std::vector<Stamp> stamps;
  for (int i = 0; i < 400; ++i) {
    stamps.push_back(Stamp{static_cast<std::int64_t>(rng.below(4)) * 1'000'000'000'000 + static_cast<std::int64_t>(rng.below(3)),
                           static_cast<std::uint16_t>(rng.below(3) * 0x1111), devices[rng.below(devices.size())]});
  }
  for (const Stamp& a : stamps) {
    for (const Stamp& b : stamps) {
      const auto by_stamp = a <=> b;
      const auto by_text = format_stamp(a) <=> format_stamp(b);
      ASSERT_EQ(by_stamp == 0, by_text == 0) << format_stamp(a) << " vs " << format_stamp(b);
      ASSERT_EQ(by_stamp < 0, by_text < 0) << format_stamp(a) << " vs " << format_stamp(b);
    }
  }
}

}  // namespace
}  // namespace rapidesk::sync
