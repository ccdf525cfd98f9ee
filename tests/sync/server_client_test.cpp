// ServerMerge and ClientReplica: the server decides, replicas converge on its log.
#include <gtest/gtest.h>

#include "rapidesk/sync/client_replica.h"
#include "rapidesk/sync/codec.h"
#include "rapidesk/sync/server_merge.h"
#include "test_support.h"

namespace rapidesk::sync {
namespace {

using testing::kT0;
using testing::ManualClock;
using testing::str;

struct Device {
  ManualClock clock;
  testing::SplitMix random{3};
  ClientReplica replica;
  Device(std::string id, std::string user, std::uint64_t seed)
      : random(seed), replica(ClientOptions{std::move(id), std::move(user), 1}, clock.fn(), [this] { return random(); }) {}
};

void sync(ServerMerge& server, ClientReplica& r, std::string_view user) {
  const std::vector<FieldOp> batch = r.next_push();
  if (!batch.empty()) r.on_push_result(server.push(batch, user));
  bool more = true;
  while (more) ASSERT_TRUE(r.on_pull(server.pull(r.cursor(), 3, &more)));
}

class ServerClient : public ::testing::Test {
 protected:
  ManualClock server_clock;
  ServerMerge server{server_clock.fn()};
  Device a{"laptop-li", "li.wei", 1};
  Device b{"tablet-wang", "wang.fang", 2};

  // `loser` (li.wei's) and b retitle `row` without seeing each other's edit, b later:
  // loser's title is kept as a conflict, which loser's replica sees after syncing.
  void retitle_concurrently(Device& loser, const std::string& row) {
    sync(server, loser.replica, "li.wei");
    sync(server, b.replica, "wang.fang");
    loser.clock.now += 10;
    b.clock.now += 20;
    ASSERT_TRUE(loser.replica.set_field("request", row, "title", str("mine")));
    ASSERT_TRUE(b.replica.set_field("request", row, "title", str("theirs")));
    sync(server, b.replica, "wang.fang");
    sync(server, loser.replica, "li.wei");
  }
};

TEST_F(ServerClient, EditsTravelThroughTheServerAndEveryoneConverges) {
  const std::string row = a.replica.new_row_id();
  const FieldEdit intake[] = {{"title", str("Printer offline")}, {"status", str("new")}, {"category", str("tech_support")}};
  auto ops = a.replica.edit("request", row, intake);
  ASSERT_TRUE(ops) << ops.status().message().en;
  EXPECT_EQ(ops->size(), 3u);
  EXPECT_EQ(a.replica.visible().read("request", row, "title")->value, str("Printer offline"));
  EXPECT_FALSE(a.replica.confirmed().read("request", row, "title"));  // not yet confirmed
  sync(server, a.replica, "li.wei");
  EXPECT_EQ(a.replica.pending_count(), 0u);
  EXPECT_EQ(server.store().read("request", row, "title")->author, "li.wei");
  sync(server, b.replica, "wang.fang");
  EXPECT_EQ(b.replica.visible().read("request", row, "status")->value, str("new"));
  ASSERT_TRUE(b.replica.set_field("request", row, "status", str("triaged")));
  sync(server, b.replica, "wang.fang");
  sync(server, a.replica, "li.wei");
  EXPECT_EQ(a.replica.confirmed().canonical_bytes(), server.store().canonical_bytes());
  EXPECT_EQ(b.replica.confirmed().canonical_bytes(), server.store().canonical_bytes());
  EXPECT_EQ(a.replica.visible().read("request", row, "status")->value, str("triaged"));
}

TEST_F(ServerClient, AuthorComesFromTheAuthenticatedUserNotTheClient) {
  const std::string row = a.replica.new_row_id();
  ASSERT_TRUE(a.replica.set_field("request", row, "title", str("x")));
  std::vector<FieldOp> batch = a.replica.next_push();
  batch[0].author = "the.boss";
  batch[0].origin = Origin::kServer;  // a forged origin does not unlock server fields either
  server.push(batch, "li.wei");
  EXPECT_EQ(server.log()[0].op.author, "li.wei");
  EXPECT_EQ(server.log()[0].op.origin, Origin::kClient);
}

TEST_F(ServerClient, RejectedOpsAreReportedAndDroppedFromTheOutbox) {
  const std::string row = a.replica.new_row_id();
  ASSERT_TRUE(a.replica.set_field("request", row, "status", str("new")));
  sync(server, a.replica, "li.wei");
  sync(server, b.replica, "wang.fang");
  // Both triage offline from "new".
  ASSERT_TRUE(a.replica.set_field("request", row, "status", str("triaged")));
  ASSERT_TRUE(b.replica.set_field("request", row, "status", str("triaged")));
  sync(server, a.replica, "li.wei");
  // b's change is stale; "triaged" -> "triaged" agrees with the server: applied (with a conflict record).
  sync(server, b.replica, "wang.fang");
  EXPECT_TRUE(b.replica.take_rejections().empty());
  // Now b, seeing "triaged", moves to in_progress; a little later a (not yet synced, also seeing
  // "triaged") closes it.
  b.clock.now += 100;
  ASSERT_TRUE(b.replica.set_field("request", row, "status", str("in_progress")));
  a.clock.now += 200;
  ASSERT_TRUE(a.replica.set_field("request", row, "status", str("closed")));
  sync(server, b.replica, "wang.fang");
  sync(server, a.replica, "li.wei");  // in_progress -> closed is invalid and a's base is stale
  EXPECT_TRUE(a.replica.take_rejections().empty());  // kept as a conflict, not rejected
  const auto conflicts = a.replica.visible().conflicts();
  const auto it = std::find_if(conflicts.begin(), conflicts.end(), [](const ConflictRecord& c) { return c.invalid_transition; });
  ASSERT_NE(it, conflicts.end());
  EXPECT_EQ(it->loser.value, str("closed"));
  EXPECT_EQ(it->winner.value, str("in_progress"));
  EXPECT_EQ(a.replica.visible().read("request", row, "status")->value, str("in_progress"));
  EXPECT_EQ(a.replica.pending_count(), 0u);

  // A forged push of a server-owned field is rejected, reported, and removed.
  FieldOp forged;
  forged.op = "laptop-li:999";
  forged.entity = "request";
  forged.row = row;
  forged.field = "number";
  forged.value = str("20260101-TECH-9999");
  forged.hlc = a.replica.clock().now();
  const PushResult r = server.push(std::vector<FieldOp>{forged}, "li.wei");
  ASSERT_EQ(r.results.size(), 1u);
  EXPECT_EQ(r.results[0].outcome, Outcome::kRejected);
  EXPECT_EQ(r.results[0].status.code(), ErrorCode::kForbidden);
  // Replaying the rejected op gets the same answer, not a late acceptance.
  EXPECT_EQ(server.push(std::vector<FieldOp>{forged}, "li.wei").results[0].problem, Problem::kServerOwned);
}

TEST_F(ServerClient, ClientRefusesLocallyWhatTheServerWouldReject) {
  const std::string row = a.replica.new_row_id();
  auto number = a.replica.set_field("request", row, "number", str("x"));
  ASSERT_FALSE(number);
  EXPECT_EQ(number.status().code(), ErrorCode::kForbidden);
  ASSERT_TRUE(a.replica.set_field("request", row, "status", str("new")));
  auto jump = a.replica.set_field("request", row, "status", str("resolved"));
  ASSERT_FALSE(jump);
  EXPECT_NE(jump.status().message().en.find("cannot go from \"New\" to \"Resolved\""), std::string::npos);
  auto bad = a.replica.set_field("request", row, "progress", Value::integer(120));
  ASSERT_FALSE(bad);
  EXPECT_EQ(a.replica.pending_count(), 1u);  // only the valid edit is queued
  EXPECT_EQ(a.replica.visible().read("request", row, "status")->value, str("new"));
}

TEST_F(ServerClient, ServerRejectsStampsTooFarAheadAndSaysWhy) {
  a.clock.now = kT0 + 10 * 60'000;  // the laptop's clock is 10 minutes fast
  const std::string row = a.replica.new_row_id();
  ASSERT_TRUE(a.replica.set_field("request", row, "title", str("x")));
  sync(server, a.replica, "li.wei");
  const auto rejections = a.replica.take_rejections();
  ASSERT_EQ(rejections.size(), 1u);
  EXPECT_EQ(rejections[0].problem, Problem::kClockDrift);
  EXPECT_NE(rejections[0].status.message().en.find("Fix the date and time on device \"laptop-li\""), std::string::npos);
  EXPECT_EQ(server.cursor(), 0u);
  EXPECT_FALSE(a.replica.visible().read("request", row, "title"));  // the refused edit is gone
}

// The server's clock ran an hour fast and is set right. Its stamps carried the fast time to
// the laptop, whose next edit is stamped after them: an hour past the server's new time,
// but not past any time the server read. It used to be refused as clock drift for an hour.
TEST_F(ServerClient, AServerClockSetBackStillAcceptsEditsMadeAfterItsStamps) {
  server_clock.now = kT0 + 3'600'000;
  const std::string row = a.replica.new_row_id();
  ASSERT_TRUE(a.replica.set_field("request", row, "title", str("Printer offline")));
  sync(server, a.replica, "li.wei");
  ASSERT_TRUE(server.apply_server_edit("request", row, "number", str("R-0001")).outcome == Outcome::kApplied);
  sync(server, a.replica, "li.wei");
  server_clock.now = kT0;  // NTP steps the server back; the laptop's clock was right all along
  a.clock.now = kT0 + 1000;
  ASSERT_TRUE(a.replica.set_field("request", row, "title", str("Printer back online")));
  sync(server, a.replica, "li.wei");
  EXPECT_TRUE(a.replica.take_rejections().empty());
  EXPECT_EQ(server.store().read("request", row, "title")->value.as_string(), "Printer back online");

  // Stepped back at a restart (NTP at boot): the server finds how far its clock had read in
  // its own stamps. Its edit made in the millisecond it merged the laptop's op carries the
  // reading (counter 0), not a stamp after it.
  ServerMerge restarted{server_clock.fn()};
  ASSERT_TRUE(restarted.restore(server.pull(0, 1000)));
  a.clock.now = kT0 + 2000;
  ASSERT_TRUE(a.replica.set_field("request", row, "title", str("Printer replaced")));
  const auto batch = a.replica.next_push();
  ASSERT_EQ(batch.size(), 1u);
  ASSERT_GT(batch[0].hlc.physical_ms, kT0 + 3'000'000) << "the laptop stamps after the server's stamps";
  EXPECT_EQ(restarted.push(batch, "li.wei").results[0].outcome, Outcome::kApplied);
}

// The server merges a client's op and stamps its own edit in the same millisecond: the edit
// carries the clock's reading (counter 0), which a restart counts (see HybridClock::observe).
TEST_F(ServerClient, AServerEditInTheMillisecondOfAMergeCarriesTheReading) {
  server_clock.now = kT0 + 3'600'000;
  const std::string row = a.replica.new_row_id();
  ASSERT_TRUE(a.replica.set_field("request", row, "title", str("Printer offline")));
  ASSERT_EQ(server.push(a.replica.next_push(), "li.wei").results[0].outcome, Outcome::kApplied);
  const OpResult numbered = server.apply_server_edit("request", row, "number", str("R-0001"));
  ASSERT_EQ(numbered.outcome, Outcome::kApplied);
  const Stamp stamped = server.store().read("request", row, "number")->hlc;
  EXPECT_EQ(stamped, (Stamp{kT0 + 3'600'000, 0, "server"}));
  EXPECT_EQ(server.apply_server_edit("request", row, "number", str("R-0002")).outcome, Outcome::kApplied);
  EXPECT_GT(server.store().read("request", row, "number")->hlc.counter, 0) << "only a reading gets counter 0";
}

TEST_F(ServerClient, FieldGroupsAreWrittenWholeAndMustArriveWhole) {
  const std::string row = a.replica.new_row_id();
  ASSERT_TRUE(a.replica.set_field("request", row, "contact_name", str("Li Wei")));
  auto ops = a.replica.set_field("request", row, "contact", str("138-0000-1111"));
  ASSERT_TRUE(ops);
  ASSERT_EQ(ops->size(), 2u);  // contact_name rides along unchanged
  EXPECT_EQ((*ops)[1].field, "contact_name");
  EXPECT_EQ((*ops)[1].value, str("Li Wei"));
  EXPECT_EQ((*ops)[0].hlc, (*ops)[1].hlc);
  sync(server, a.replica, "li.wei");
  EXPECT_EQ(server.store().read("request", row, "contact")->value, str("138-0000-1111"));

  FieldOp half = (*ops)[0];
  half.op = "laptop-li:500";
  half.hlc = a.replica.clock().now();
  half.value = str("139");
  const PushResult r = server.push(std::vector<FieldOp>{half}, "li.wei");
  EXPECT_EQ(r.results[0].problem, Problem::kIncompleteGroup);
  EXPECT_NE(r.results[0].status.message().en.find("contact_name"), std::string::npos);
}

TEST_F(ServerClient, NextPushNeverSplitsOneEdit) {
  const std::string row = a.replica.new_row_id();
  ASSERT_TRUE(a.replica.set_field("request", row, "title", str("x")));
  ASSERT_TRUE(a.replica.set_field("request", row, "contact", str("138")));  // two ops, one stamp
  EXPECT_EQ(a.replica.next_push(2).size(), 1u);
  EXPECT_EQ(a.replica.next_push(3).size(), 3u);
  EXPECT_EQ(a.replica.next_push(1).size(), 1u);
  ASSERT_TRUE(a.replica.on_pull({}));
  a.replica.on_push_result(server.push(a.replica.next_push(1), "li.wei"));
  EXPECT_EQ(a.replica.next_push(1).size(), 2u);  // the edit alone is larger than 1: sent whole
}

TEST_F(ServerClient, LostResponsesAndReplaysAreHarmless) {
  const std::string row = a.replica.new_row_id();
  ASSERT_TRUE(a.replica.set_field("request", row, "title", str("x")));
  const auto batch = a.replica.next_push();
  server.push(batch, "li.wei");                   // response lost
  const PushResult again = server.push(batch, "li.wei");  // resent
  EXPECT_EQ(again.results[0].outcome, Outcome::kDuplicate);
  a.replica.on_push_result(again);
  EXPECT_EQ(server.cursor(), 1u);
  ASSERT_TRUE(a.replica.on_pull(server.pull(0, 100)));
  ASSERT_TRUE(a.replica.on_pull(server.pull(0, 100)));  // pulled twice: skipped
  EXPECT_EQ(a.replica.pending_count(), 0u);
  EXPECT_EQ(a.replica.confirmed().canonical_bytes(), server.store().canonical_bytes());
}

TEST_F(ServerClient, AnOpIdKeepsItsFirstAnswerWhenAnotherOpReusesIt) {
  // "a:2" repeats an append-only value: acknowledged as a duplicate, with no log entry. A later
  // op reusing the id for a refused change must not turn that answer into a rejection, nor
  // be answered "duplicate" itself: it was not kept (op_id_reused). After a restart the
  // content first answered is not known, and the id keeps its first answer.
  const std::string note = testing::row_id(50);
  const auto act = [&](std::string id, const char* text, std::int64_t t) {
    return testing::make_op(std::move(id), "activity", note, "text", str(text), testing::stamp(t, 0, "a"));
  };
  const std::vector<FieldOp> batch{act("a:1", "Called", 1), act("a:2", "Called", 2), act("a:2", "Edited", 3)};
  const PushResult first = server.push(batch, "li.wei");
  ASSERT_EQ(first.results.size(), 3u);
  EXPECT_EQ(first.results[1].outcome, Outcome::kDuplicate);
  EXPECT_EQ(first.results[2].outcome, Outcome::kRejected);
  EXPECT_EQ(first.results[2].problem, Problem::kOpIdReused);
  EXPECT_EQ(std::vector<std::size_t>(server.remembered_by_last_push().begin(), server.remembered_by_last_push().end()),
            std::vector<std::size_t>{1});
  const auto answers = [](const PushResult& r) {
    std::vector<Outcome> out;
    for (const OpResult& o : r.results) out.push_back(o.outcome);
    return out;
  };
  const PushResult again = server.push(batch, "li.wei");
  EXPECT_EQ(answers(again), (std::vector<Outcome>{Outcome::kDuplicate, Outcome::kDuplicate, Outcome::kRejected}));
  EXPECT_TRUE(server.remembered_by_last_push().empty());  // nothing new to keep
  EXPECT_EQ(server.cursor(), 1u);

  // A refusal is kept the same way, and both survive a restart through restore_answer().
  const FieldOp edit = act("a:3", "Edited", 4);
  EXPECT_EQ(server.push(std::vector<FieldOp>{edit}, "li.wei").results[0].problem, Problem::kAppendOnly);
  ASSERT_EQ(server.remembered_by_last_push().size(), 1u);
  ServerMerge restarted{server_clock.fn()};
  ASSERT_TRUE(restarted.restore(server.pull(0, 100)));
  restarted.restore_answer(first.results[1]);
  restarted.restore_answer(OpResult{"a:3", Outcome::kRejected, Problem::kAppendOnly, {}, {}});
  EXPECT_EQ(answers(restarted.push(batch, "li.wei")),
            (std::vector<Outcome>{Outcome::kDuplicate, Outcome::kDuplicate, Outcome::kDuplicate}));
  EXPECT_EQ(restarted.push(std::vector<FieldOp>{act("a:3", "Called", 5)}, "li.wei").results[0].outcome,
            Outcome::kRejected);  // same id, now a harmless value: still the first answer
  // Before a restart the refused op's content is known: the same id with a harmless value
  // is not the refused op again.
  const PushResult reused = server.push(std::vector<FieldOp>{act("a:3", "Called", 5)}, "li.wei");
  EXPECT_EQ(reused.results[0].problem, Problem::kOpIdReused);
  EXPECT_EQ(server.push(std::vector<FieldOp>{edit}, "li.wei").results[0].problem, Problem::kAppendOnly);
}

// An accepted op's id sent again with other content is not a replay: answering it as a
// duplicate would tell the sender its edit was kept. It is refused, and the store keeps the
// first op; the first op itself sent again is still a duplicate.
TEST_F(ServerClient, AnAcceptedOpsIdCarryingOtherContentIsRefused) {
  const std::string row = testing::row_id(7);
  const FieldOp first = testing::make_op("a:1", "request", row, "title", str("Printer offline"), testing::stamp(1, 0, "a"));
  ASSERT_EQ(server.push(std::vector<FieldOp>{first}, "li.wei").results[0].outcome, Outcome::kApplied);
  FieldOp other_value = first;
  other_value.value = str("Scanner offline");
  FieldOp other_stamp = first;
  other_stamp.hlc = testing::stamp(2, 0, "a");
  FieldOp other_field = first;
  other_field.field = "description";
  for (const FieldOp& other : {other_value, other_stamp, other_field}) {
    const PushResult r = server.push(std::vector<FieldOp>{other}, "li.wei");
    ASSERT_EQ(r.results.size(), 1u);
    EXPECT_EQ(r.results[0].outcome, Outcome::kRejected);
    EXPECT_EQ(r.results[0].problem, Problem::kOpIdReused);
    EXPECT_EQ(r.results[0].status.code(), ErrorCode::kConflict);
    EXPECT_NE(r.results[0].status.message().zh.find("a:1"), std::string::npos);
  }
  FieldOp same = first;
  same.author = "someone.else";  // the server sets the author: not part of the op's content
  EXPECT_EQ(server.push(std::vector<FieldOp>{same}, "li.wei").results[0].outcome, Outcome::kDuplicate);
  EXPECT_EQ(server.cursor(), 1u);
  EXPECT_EQ(server.store().read("request", row, "title")->value.as_string(), "Printer offline");
  // The answer travels: an older client reads the unknown problem as a refusal with its message.
  EXPECT_EQ(parse_problem("op_id_reused"), Problem::kOpIdReused);
}

TEST_F(ServerClient, PullGapsAndDivergenceAreRefused) {
  const std::string row = a.replica.new_row_id();
  ASSERT_TRUE(a.replica.set_field("request", row, "title", str("x")));
  ASSERT_TRUE(a.replica.set_field("request", row, "title", str("y")));
  server.push(a.replica.next_push(), "li.wei");
  auto log = server.pull(0, 10);
  ASSERT_EQ(log.size(), 2u);
  const Status gap = b.replica.on_pull(std::vector<LogEntry>{log[1]});
  EXPECT_EQ(gap.code(), ErrorCode::kCorrupt);
  EXPECT_EQ(b.replica.cursor(), 0u);
  log[1].outcome = Outcome::kConflictRecorded;  // not what this replica computes
  const Status diverged = b.replica.on_pull(log);
  EXPECT_EQ(diverged.code(), ErrorCode::kCorrupt);
  EXPECT_NE(diverged.message().en.find("rebuilt"), std::string::npos);
}

TEST_F(ServerClient, ServerMadeEditsAreLoggedWithServerOrigin) {
  const std::string row = a.replica.new_row_id();
  ASSERT_TRUE(a.replica.set_field("request", row, "title", str("x")));
  sync(server, a.replica, "li.wei");
  const OpResult r = server.apply_server_edit("request", row, "number", str("20260101-TECH-0001"));
  EXPECT_EQ(r.outcome, Outcome::kApplied);
  sync(server, a.replica, "li.wei");
  EXPECT_EQ(a.replica.visible().read("request", row, "number")->value, str("20260101-TECH-0001"));
  EXPECT_EQ(a.replica.visible().read("request", row, "number")->author, "server");
  EXPECT_EQ(server.log().back().op.origin, Origin::kServer);
}

// The log refers to the store's ops instead of copying them: reading an entry back, whole or
// in place, gives the op exactly as it was merged, whatever its kind of value, base and origin.
TEST_F(ServerClient, TheLogReadsBackEveryOpAsItWasMerged) {
  const std::string row = a.replica.new_row_id();
  const FieldEdit intake[] = {{"title", str("Printer offline")}, {"status", str("new")}, {"progress", Value::integer(40)}};
  ASSERT_TRUE(a.replica.edit("request", row, intake));
  ASSERT_TRUE(a.replica.add_element("request", row, "tags", "printer"));
  sync(server, a.replica, "li.wei");
  sync(server, b.replica, "wang.fang");
  ASSERT_TRUE(b.replica.set_field("request", row, "title", str("Printer offline, 3rd floor")));  // with a base
  ASSERT_TRUE(b.replica.set_field("request", row, "deleted", Value::boolean(false)));
  ASSERT_TRUE(b.replica.set_field("request", row, "expected_at", Value::null()));
  sync(server, b.replica, "wang.fang");
  ASSERT_EQ(server.apply_server_edit("request", row, "number", str("20260101-TECH-0001")).outcome, Outcome::kApplied);
  // Concurrent titles: a conflict, which li.wei resolves on a row of the conflict entity
  // whose id ("cf:<op id>") is longer than a UUID, so the store keeps it apart.
  Device far{"tablet-of-li-wei-at-the-shanghai-office", "li.wei", 7};
  ASSERT_NO_FATAL_FAILURE(retitle_concurrently(far, row));
  const auto conflicts = far.replica.visible().conflicts();
  ASSERT_EQ(conflicts.size(), 1u);
  ASSERT_TRUE(far.replica.resolve(conflicts[0].id, Resolution::kKeptMine));
  sync(server, far.replica, "li.wei");

  const std::vector<LogEntry> handed = server.take_new_entries();
  ASSERT_EQ(handed.size(), server.cursor());
  ASSERT_EQ(handed.size(), 12u);  // 4 + 3 + the number + 2 titles + keeping mine (title, resolution)
  for (std::size_t i = 0; i < handed.size(); ++i) {
    SCOPED_TRACE(handed[i].op.field);
    EXPECT_EQ(handed[i].seq, i + 1);
    EXPECT_EQ(server.log()[i], handed[i]);
    const EntryView v = server.log().view(i);
    EXPECT_EQ(v.seq, handed[i].seq);
    EXPECT_EQ(v.outcome, handed[i].outcome);
    EXPECT_EQ(v.op.op, handed[i].op.op);
    EXPECT_EQ(v.op.entity, handed[i].op.entity);
    EXPECT_EQ(v.op.row, handed[i].op.row);
    EXPECT_EQ(v.op.field, handed[i].op.field);
    EXPECT_EQ(v.op.author, handed[i].op.author);
    EXPECT_EQ(v.op.origin, handed[i].op.origin);
    EXPECT_EQ(v.op.physical_ms, handed[i].op.hlc.physical_ms);
    EXPECT_EQ(v.op.kind, handed[i].op.value.kind());
    EXPECT_EQ(v.op.text, handed[i].op.value.is_string() ? handed[i].op.value.as_string() : std::string());
  }
  EXPECT_EQ(handed[4].op.value, str("Printer offline, 3rd floor"));
  EXPECT_TRUE(handed[4].op.base.has_value());
  EXPECT_TRUE(handed[6].op.value.is_null());
  EXPECT_EQ(handed[7].op.origin, Origin::kServer);
  const auto resolution = std::find_if(handed.begin(), handed.end(), [](const LogEntry& e) { return e.op.entity == "conflict"; });
  ASSERT_NE(resolution, handed.end());
  EXPECT_EQ(resolution->op.row, conflicts[0].id);
  EXPECT_GT(resolution->op.row.size(), 36u);
  EXPECT_TRUE(server.take_new_entries().empty());  // handed over once

  // A restart reads the same log back from storage and hands nothing over: it is stored.
  ServerMerge restarted{server_clock.fn()};
  ASSERT_TRUE(restarted.restore(handed));
  EXPECT_TRUE(restarted.take_new_entries().empty());
  EXPECT_EQ(std::vector<LogEntry>(restarted.log().begin(), restarted.log().end()), handed);
  EXPECT_EQ(restarted.pull(2, 3), std::vector<LogEntry>(handed.begin() + 2, handed.begin() + 5));

  // Stored entries the log never holds (an op merged again as a duplicate) are damage.
  std::vector<LogEntry> damaged(handed.begin(), handed.begin() + 2);
  damaged.push_back(handed[1]);
  damaged.back().seq = 3;
  damaged.back().outcome = Outcome::kDuplicate;
  ServerMerge broken{server_clock.fn()};
  EXPECT_EQ(broken.restore(damaged).code(), ErrorCode::kCorrupt);
}

// A batch the server gives up is moved into the log instead of copied; a field group's ops
// are still found by their siblings later in the batch.
TEST_F(ServerClient, AHandedOverBatchMergesAsACopiedOne) {
  const std::string row = a.replica.new_row_id();
  const FieldEdit intake[] = {{"title", str("Printer offline")}, {"contact_name", str("Li Wei")},
                              {"contact", str("+86 138 0000 0000")}};
  ASSERT_TRUE(a.replica.edit("request", row, intake));
  const std::vector<FieldOp> batch = a.replica.next_push();
  ServerMerge copied{server_clock.fn()};
  const PushResult copied_answer = copied.push(batch, "li.wei");
  const PushResult answer = server.push(std::vector<FieldOp>(batch), "li.wei");
  EXPECT_EQ(encode_push_result(answer), encode_push_result(copied_answer));
  EXPECT_EQ(server.store().canonical_bytes(), copied.store().canonical_bytes());
  EXPECT_EQ(server.store().read("request", row, "contact")->value, str("+86 138 0000 0000"));  // the group is whole
  EXPECT_EQ(server.take_new_entries(), copied.take_new_entries());
}

// Server-made ops take ids "server:<n>" that are never looked up before use: no pushed op
// may take one, nor the server's device id, or it would shadow a later server edit.
TEST_F(ServerClient, NoDeviceMayPushUnderTheServersIdentity) {
  Device impostor{"server", "li.wei", 5};
  const std::string row = impostor.replica.new_row_id();
  ASSERT_TRUE(impostor.replica.set_field("request", row, "title", str("x")));
  sync(server, impostor.replica, "li.wei");
  auto rejections = impostor.replica.take_rejections();
  ASSERT_EQ(rejections.size(), 1u);
  EXPECT_EQ(rejections[0].problem, Problem::kDeviceMismatch);
  EXPECT_NE(rejections[0].status.message().en.find("\"server\" is the server's own device id"), std::string::npos);
  EXPECT_FALSE(rejections[0].status.message().zh.empty());

  // Another device's op under a server-made id is refused too, and the server's own edit
  // with that id is applied when its turn comes.
  const std::string other = a.replica.new_row_id();
  ASSERT_TRUE(a.replica.set_field("request", other, "title", str("y")));
  std::vector<FieldOp> batch = a.replica.next_push();
  ASSERT_EQ(batch.size(), 1u);
  batch[0].op = "server:1";
  const PushResult answer = server.push(batch, "li.wei");
  EXPECT_EQ(answer.results.at(0).outcome, Outcome::kRejected);
  EXPECT_EQ(answer.results.at(0).problem, Problem::kDeviceMismatch);
  EXPECT_EQ(server.cursor(), 0u);
  sync(server, a.replica, "li.wei");
  EXPECT_EQ(server.apply_server_edit("request", other, "number", str("20260101-TECH-0001")).outcome, Outcome::kApplied);
  EXPECT_EQ(server.log().back().op.op, "server:1");
}

TEST_F(ServerClient, RestoringALogKeepsServerMadeIdsFresh) {
  const std::string row = a.replica.new_row_id();
  ASSERT_TRUE(a.replica.set_field("request", row, "title", str("x")));
  sync(server, a.replica, "li.wei");
  ASSERT_EQ(server.apply_server_edit("request", row, "number", str("20260101-TECH-0001")).outcome, Outcome::kApplied);
  ASSERT_EQ(server.apply_server_edit("request", row, "sla_state", str("on_track")).outcome, Outcome::kApplied);
  // A restart whose stored sequence fell behind its log: the log's ids win.
  ServerMerge restarted{server_clock.fn()};
  ASSERT_TRUE(restarted.restore(std::vector<LogEntry>(server.log().begin(), server.log().end())));
  EXPECT_EQ(restarted.next_op_sequence(), 3u);
  EXPECT_EQ(restarted.apply_server_edit("request", row, "sla_state", str("warning")).outcome, Outcome::kApplied);
  EXPECT_EQ(restarted.log().back().op.op, "server:3");

  // A log from before such ids were refused may hold a client's op named like the server's.
  std::vector<LogEntry> older(restarted.log().begin(), restarted.log().end());
  LogEntry client_named_like_server = older.front();
  client_named_like_server.seq = older.size() + 1;
  client_named_like_server.op.op = "server:9";
  client_named_like_server.op.field = "customer";
  older.push_back(client_named_like_server);
  ServerMerge upgraded{server_clock.fn()};
  ASSERT_TRUE(upgraded.restore(older));
  EXPECT_EQ(upgraded.next_op_sequence(), 10u);
  EXPECT_EQ(upgraded.apply_server_edit("request", row, "sla_state", str("breached")).outcome, Outcome::kApplied);
  // Its log restores as it was merged: every id once.
  ServerMerge again{server_clock.fn()};
  EXPECT_TRUE(again.restore(std::vector<LogEntry>(upgraded.log().begin(), upgraded.log().end())));
}

TEST_F(ServerClient, ResolvingAConflictFromTheClient) {
  const std::string row = a.replica.new_row_id();
  ASSERT_TRUE(a.replica.set_field("request", row, "title", str("t0")));
  ASSERT_NO_FATAL_FAILURE(retitle_concurrently(a, row));
  const auto conflicts = a.replica.visible().conflicts();
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_EQ(conflicts[0].loser.author, "li.wei");
  auto ops = a.replica.resolve(conflicts[0].id, Resolution::kKeptMine);
  ASSERT_TRUE(ops) << ops.status().message().en;
  sync(server, a.replica, "li.wei");
  sync(server, b.replica, "wang.fang");
  EXPECT_EQ(b.replica.visible().read("request", row, "title")->value, str("mine"));
  EXPECT_EQ(b.replica.visible().conflict(conflicts[0].id)->resolution, Resolution::kKeptMine);
  EXPECT_EQ(a.replica.resolve("cf:nope:1", Resolution::kKeptMine).status().code(), ErrorCode::kNotFound);
}

TEST_F(ServerClient, TheWholeExchangeWorksThroughTheWireCodec) {
  const std::string row = a.replica.new_row_id();
  const FieldEdit edits[] = {{"title", str("打印机离线")}, {"status", str("new")}, {"tags", str("+vip")}};
  ASSERT_TRUE(a.replica.edit("request", row, edits));
  const DecodedPush in = decode_push(encode_push(a.replica.device(), a.replica.next_push()));
  ASSERT_TRUE(in.ok());
  ASSERT_TRUE(in.errors.empty());
  const DecodedPushResult answer = decode_push_result(encode_push_result(server.push(in.ops, "li.wei")));
  ASSERT_TRUE(answer.ok());
  a.replica.on_push_result(answer.result);
  const DecodedPull page = decode_pull(encode_pull(server.pull(0, 100), server.cursor(), false));
  ASSERT_TRUE(page.ok());
  ASSERT_TRUE(a.replica.on_pull(page.entries));
  EXPECT_EQ(a.replica.pending_count(), 0u);
  EXPECT_EQ(a.replica.confirmed().canonical_bytes(), server.store().canonical_bytes());
  EXPECT_EQ(a.replica.visible().read_set("request", row, "tags"), std::vector<std::string>{"vip"});
}

// A profile restored from an older backup (or copied) has an older op counter than the
// ops its device already made. Its next edit reused an id the server holds: the server
// answered "duplicate", the replica took it as confirmed, and the edit was lost unseen.
// Ops of its own device that come back now move the counter past them.
TEST_F(ServerClient, ARestoredReplicaNeverReusesItsDevicesOpIds) {
  const std::string row = a.replica.new_row_id();
  const FieldEdit intake[] = {{"title", str("Printer offline")}, {"status", str("new")}, {"category", str("tech_support")}};
  ASSERT_TRUE(a.replica.edit("request", row, intake));
  sync(server, a.replica, "li.wei");
  ASSERT_GT(a.replica.next_op_sequence(), 3u);

  Device restored{"laptop-li", "li.wei", 9};  // the same device, its counter back at 1
  restored.clock.now = a.clock.now + 1000;
  sync(server, restored.replica, "li.wei");
  EXPECT_GE(restored.replica.next_op_sequence(), a.replica.next_op_sequence());
  ASSERT_TRUE(restored.replica.set_field("request", row, "title", str("Printer back online")));
  sync(server, restored.replica, "li.wei");
  EXPECT_EQ(server.store().read("request", row, "title")->value.as_string(), "Printer back online");
  EXPECT_EQ(restored.replica.pending_count(), 0u);
  EXPECT_TRUE(restored.replica.take_rejections().empty());
}

}  // namespace
}  // namespace rapidesk::sync
