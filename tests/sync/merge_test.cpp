// Every merge policy, through ReplicaStore (and merge_field directly once).
#include "rapidesk/sync/merge.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "rapidesk/sync/replica_store.h"
#include "test_support.h"

namespace rapidesk::sync {
namespace {

using testing::make_op;
using testing::stamp;
using testing::str;

const std::string R = testing::row_id(1);

FieldOp req(std::string id, std::string field, Value v, Stamp hlc, std::optional<Stamp> base = std::nullopt,
            std::string author = "tester") {
  return make_op(std::move(id), "request", R, std::move(field), std::move(v), std::move(hlc), std::move(base),
                 std::move(author));
}

Outcome apply(ReplicaStore& s, const FieldOp& op) { return s.apply(op).outcome; }

TEST(Lww, NewerWinsAndASeenOlderOpIsIgnored) {
  ReplicaStore s;
  const FieldOp a = req("a:1", "title", str("first"), stamp(1, 0, "a"));
  const FieldOp b = req("a:2", "title", str("second"), stamp(2, 0, "a"), a.hlc);
  EXPECT_EQ(apply(s, b), Outcome::kApplied);
  EXPECT_EQ(apply(s, a), Outcome::kIgnoredOlder);  // b's author had seen a: no conflict
  EXPECT_EQ(s.read("request", R, "title")->value, str("second"));
  EXPECT_EQ(s.read("request", R, "title")->hlc, b.hlc);
  EXPECT_TRUE(s.conflicts().empty());
  EXPECT_EQ(s.fate("a:1"), OpFate::kSuperseded);
  EXPECT_EQ(s.fate("a:2"), OpFate::kCurrent);
}

TEST(Lww, EqualClocksAreBrokenByDeviceId) {
  ReplicaStore s;
  EXPECT_EQ(apply(s, req("b:1", "title", str("from b"), stamp(5, 0, "b"))), Outcome::kApplied);
  EXPECT_EQ(apply(s, req("a:1", "title", str("from a"), stamp(5, 0, "a"))), Outcome::kConflictRecorded);
  EXPECT_EQ(s.read("request", R, "title")->value, str("from b"));  // "b" > "a"
}

class ConcurrentEdit : public ::testing::Test {
 protected:
  FieldOp seed = req("s:1", "title", str("Printer offline"), stamp(0, 0, "s"), std::nullopt, "ann");
  FieldOp mine = req("a:1", "title", str("Printer offline (3rd floor)"), stamp(10, 0, "a"), seed.hlc, "li.wei");
  FieldOp theirs = req("b:1", "title", str("Printer jammed"), stamp(20, 0, "b"), seed.hlc, "wang.fang");
};

TEST_F(ConcurrentEdit, LoserIsKeptAsAConflictRecordWhenTheWinnerArrivesSecond) {
  ReplicaStore s;
  apply(s, seed);
  EXPECT_EQ(apply(s, mine), Outcome::kApplied);
  std::vector<std::string> created;
  EXPECT_EQ(s.apply(theirs, &created).outcome, Outcome::kAppliedWithConflict);
  EXPECT_EQ(created, std::vector<std::string>{"cf:a:1"});
  ASSERT_EQ(s.conflicts().size(), 1u);
  const ConflictRecord c = s.conflicts()[0];
  EXPECT_EQ(c.id, "cf:a:1");
  EXPECT_EQ(c.entity, "request");
  EXPECT_EQ(c.row, R);
  EXPECT_EQ(c.field, "title");
  EXPECT_EQ(c.loser.value, mine.value);
  EXPECT_EQ(c.loser.hlc, mine.hlc);
  EXPECT_EQ(c.loser.author, "li.wei");
  EXPECT_EQ(c.loser.op, "a:1");
  EXPECT_EQ(c.winner.value, theirs.value);
  EXPECT_EQ(c.winner.author, "wang.fang");
  EXPECT_EQ(c.resolution, Resolution::kOpen);
  EXPECT_FALSE(c.invalid_transition);
  EXPECT_EQ(s.read("request", R, "title")->value, theirs.value);
  EXPECT_EQ(s.fate("a:1"), OpFate::kConflictLoser);
}

TEST_F(ConcurrentEdit, SameConflictWhenTheLoserArrivesSecond) {
  ReplicaStore first;
  for (const FieldOp* op : {&seed, &mine, &theirs}) apply(first, *op);
  ReplicaStore second;
  apply(second, theirs);
  apply(second, seed);
  std::vector<std::string> created;
  EXPECT_EQ(second.apply(mine, &created).outcome, Outcome::kConflictRecorded);
  EXPECT_EQ(created, std::vector<std::string>{"cf:a:1"});
  EXPECT_EQ(first.canonical_bytes(), second.canonical_bytes());
  EXPECT_EQ(first.state_hash(), second.state_hash());
}

TEST_F(ConcurrentEdit, TheWinnerSideFollowsTheField) {
  ReplicaStore s;
  for (const FieldOp* op : {&seed, &mine, &theirs}) apply(s, *op);
  const FieldOp later = req("c:1", "title", str("Printer replaced"), stamp(30, 0, "c"), theirs.hlc, "zhao");
  EXPECT_EQ(apply(s, later), Outcome::kApplied);
  const auto c = s.conflict("cf:a:1");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->winner.value, later.value);
  EXPECT_EQ(c->winner.author, "zhao");
  EXPECT_EQ(s.conflicts().size(), 1u);  // later had seen theirs, and mine is already a loser
}

TEST_F(ConcurrentEdit, AnUnsetBaseIsOlderThanEverything) {
  ReplicaStore s;
  apply(s, seed);
  // A second device creates the same field without having seen the seed.
  EXPECT_EQ(apply(s, req("b:2", "title", str("new"), stamp(5, 0, "b"))), Outcome::kAppliedWithConflict);
  EXPECT_TRUE(s.conflict("cf:s:1"));
}

TEST(Sets, ElementsMergeIndependentlyByLastWriter) {
  ReplicaStore s;
  EXPECT_EQ(apply(s, req("a:1", "collaborators", str("+li.wei"), stamp(1, 0, "a"))), Outcome::kApplied);
  EXPECT_EQ(apply(s, req("b:1", "collaborators", str("+wang.fang"), stamp(2, 0, "b"))), Outcome::kApplied);
  EXPECT_EQ(s.read_set("request", R, "collaborators"), (std::vector<std::string>{"li.wei", "wang.fang"}));
  // Concurrent remove (older) and add (newer) of one element: the add wins, the other element is untouched.
  EXPECT_EQ(apply(s, req("b:2", "collaborators", str("+li.wei"), stamp(9, 0, "b"))), Outcome::kApplied);
  EXPECT_EQ(apply(s, req("a:2", "collaborators", str("-li.wei"), stamp(8, 0, "a"))), Outcome::kIgnoredOlder);
  EXPECT_EQ(s.read_set("request", R, "collaborators"), (std::vector<std::string>{"li.wei", "wang.fang"}));
  EXPECT_EQ(apply(s, req("a:3", "collaborators", str("-wang.fang"), stamp(10, 0, "a"))), Outcome::kApplied);
  EXPECT_EQ(s.read_set("request", R, "collaborators"), (std::vector<std::string>{"li.wei"}));
  EXPECT_TRUE(s.conflicts().empty());  // sets never conflict
  EXPECT_EQ(s.fate("a:2"), OpFate::kElementSuperseded);
  EXPECT_EQ(s.fate("b:2"), OpFate::kElementCurrent);
  EXPECT_FALSE(s.read("request", R, "collaborators"));  // read_set, not read
}

TEST(Sets, AnyArrivalOrderGivesTheSameSet) {
  const std::vector<FieldOp> ops = {
      req("a:1", "tags", str("+vip"), stamp(1, 0, "a")), req("b:1", "tags", str("-vip"), stamp(2, 0, "b")),
      req("c:1", "tags", str("+vip"), stamp(2, 0, "c")), req("a:2", "tags", str("+printer"), stamp(3, 0, "a")),
      req("b:2", "tags", str("-printer"), stamp(1, 0, "b"))};
  ReplicaStore forward;
  ReplicaStore backward;
  for (const FieldOp& op : ops) apply(forward, op);
  for (auto it = ops.rbegin(); it != ops.rend(); ++it) apply(backward, *it);
  EXPECT_EQ(forward.read_set("request", R, "tags"), (std::vector<std::string>{"printer", "vip"}));
  EXPECT_EQ(forward.canonical_bytes(), backward.canonical_bytes());
}

TEST(AppendOnly, WrittenOnceNeverConflictsAndRefusesChanges) {
  ReplicaStore s;
  const std::string note = testing::row_id(50);
  const auto act = [&](std::string id, std::string field, Value v, std::int64_t t) {
    return make_op(std::move(id), "activity", note, std::move(field), std::move(v), stamp(t, 0, "a"));
  };
  EXPECT_EQ(apply(s, act("a:1", "text", str("Called the customer"), 1)), Outcome::kApplied);
  EXPECT_EQ(apply(s, act("a:1", "text", str("Called the customer"), 1)), Outcome::kDuplicate);  // replay
  EXPECT_EQ(apply(s, act("a:2", "text", str("Called the customer"), 2)), Outcome::kDuplicate);  // same value
  const MergeResult r = s.apply(act("b:1", "text", str("Edited!"), 3));
  EXPECT_EQ(r.outcome, Outcome::kRejected);
  EXPECT_EQ(r.problem, Problem::kAppendOnly);
  EXPECT_EQ(r.status.code(), ErrorCode::kConflict);
  EXPECT_NE(r.status.message().en.find("append-only"), std::string::npos);
  EXPECT_NE(r.status.message().zh.find("只能追加"), std::string::npos);
  EXPECT_EQ(s.read("activity", note, "text")->value, str("Called the customer"));
  EXPECT_TRUE(s.conflicts().empty());
  EXPECT_FALSE(s.contains("b:1"));
  EXPECT_FALSE(s.contains("a:2"));
}

class StatusPolicy : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(apply(s, created), Outcome::kApplied);
    ASSERT_EQ(apply(s, triaged), Outcome::kApplied);
  }
  ReplicaStore s;
  FieldOp created = req("a:1", "status", str("new"), stamp(0, 0, "a"));
  FieldOp triaged = req("a:2", "status", str("triaged"), stamp(1, 0, "a"), created.hlc);
};

TEST_F(StatusPolicy, FreshInvalidTransitionIsRejectedWithTheReason) {
  const std::string before = s.canonical_bytes();
  const MergeResult r = s.apply(req("b:1", "status", str("verifying"), stamp(5, 0, "b"), triaged.hlc));
  EXPECT_EQ(r.outcome, Outcome::kRejected);
  EXPECT_EQ(r.problem, Problem::kInvalidTransition);
  EXPECT_EQ(r.status.field(), "status");
  EXPECT_NE(r.status.message().en.find("cannot go from \"Triaged\" to \"Verifying\""), std::string::npos)
      << r.status.message().en;
  EXPECT_NE(r.status.message().zh.find("已分类"), std::string::npos);
  EXPECT_EQ(s.canonical_bytes(), before);
  // Staying in the same status is not a transition either.
  EXPECT_EQ(apply(s, req("b:2", "status", str("triaged"), stamp(6, 0, "b"), triaged.hlc)), Outcome::kRejected);
}

TEST_F(StatusPolicy, ARefusedTransitionIsJudgedAgainWhenItComesBack) {
  // The store keeps no trace of a refusal: once a newer status is in, the same op merges as
  // an older write (a stale one, so a conflict). ServerMerge keeps refusals for replays.
  const FieldOp invalid = req("b:1", "status", str("verifying"), stamp(5, 0, "b"), triaged.hlc);
  EXPECT_EQ(apply(s, invalid), Outcome::kRejected);
  ASSERT_EQ(apply(s, req("c:1", "status", str("in_progress"), stamp(6, 0, "c"), triaged.hlc)), Outcome::kApplied);
  EXPECT_EQ(apply(s, invalid), Outcome::kConflictRecorded);
  EXPECT_EQ(s.read("request", R, "status")->value, str("in_progress"));
}

TEST_F(StatusPolicy, StaleInvalidTransitionBecomesAConflictNotAnOverwrite) {
  // b saw only "new"; meanwhile a triaged the request, and triaged -> resolved is not allowed.
  const FieldOp stale = req("b:1", "status", str("resolved"), stamp(5, 0, "b"), created.hlc, "wang.fang");
  const MergeResult r = s.apply(stale);
  EXPECT_EQ(r.outcome, Outcome::kConflictRecorded);
  EXPECT_EQ(r.problem, Problem::kInvalidTransition);
  EXPECT_EQ(s.read("request", R, "status")->value, str("triaged"));
  const auto c = s.conflict("cf:b:1");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->invalid_transition);
  EXPECT_EQ(c->loser.value, str("resolved"));
  EXPECT_EQ(c->winner.value, str("triaged"));
  EXPECT_EQ(s.fate("b:1"), OpFate::kConflictLoser);
  EXPECT_TRUE(s.find_write("request", R, "status", stale.hlc));
}

TEST_F(StatusPolicy, StaleValidTransitionAppliesAndKeepsTheOverwrittenChange) {
  const MergeResult r = s.apply(req("b:1", "status", str("closed"), stamp(5, 0, "b"), created.hlc));
  EXPECT_EQ(r.outcome, Outcome::kAppliedWithConflict);  // triaged -> closed is allowed
  EXPECT_EQ(s.read("request", R, "status")->value, str("closed"));
  EXPECT_TRUE(s.conflict("cf:a:2"));  // the triage b had not seen
}

TEST_F(StatusPolicy, FreshValidTransitionApplies) {
  EXPECT_EQ(apply(s, req("a:3", "status", str("in_progress"), stamp(2, 0, "a"), triaged.hlc)), Outcome::kApplied);
  EXPECT_EQ(s.read("request", R, "status")->value, str("in_progress"));
  EXPECT_TRUE(s.conflicts().empty());
}

TEST(ServerOwned, ClientsCannotWriteServerFields) {
  ReplicaStore s;
  FieldOp op = req("a:1", "number", str("20260101-TECH-0001"), stamp(1, 0, "a"));
  const MergeResult r = s.apply(op);
  EXPECT_EQ(r.outcome, Outcome::kRejected);
  EXPECT_EQ(r.problem, Problem::kServerOwned);
  EXPECT_EQ(r.status.code(), ErrorCode::kForbidden);
  EXPECT_EQ(r.status.message().en, "request.number is set by the server and cannot be changed from a client.");
  EXPECT_EQ(r.status.message().zh, "request.number 由服务器设置，客户端不能修改。");
  for (const char* f : {"first_response_due", "resolution_due"}) {
    EXPECT_EQ(apply(s, req(std::string("a:") + f, f, str("2026-01-02T00:00:00Z"), stamp(1, 0, "a"))), Outcome::kRejected);
  }
  op.origin = Origin::kServer;
  EXPECT_EQ(apply(s, op), Outcome::kApplied);
  EXPECT_EQ(s.read("request", R, "number")->value, str("20260101-TECH-0001"));
}

TEST(Tombstone, DeletedRowsKeepFieldsAndStayDeletedUntilANewerUndelete) {
  ReplicaStore s;
  const FieldOp title = req("a:1", "title", str("x"), stamp(1, 0, "a"));
  const FieldOp del = req("b:1", "deleted", Value::boolean(true), stamp(5, 0, "b"));
  apply(s, title);
  EXPECT_EQ(apply(s, del), Outcome::kApplied);
  EXPECT_TRUE(s.is_deleted("request", R));
  EXPECT_EQ(s.read("request", R, "title")->value, str("x"));  // fields are kept
  EXPECT_EQ(apply(s, req("a:2", "title", str("edited offline"), stamp(6, 0, "a"), title.hlc)), Outcome::kApplied);
  EXPECT_EQ(s.read("request", R, "title")->value, str("edited offline"));
  EXPECT_TRUE(s.is_deleted("request", R));  // the edit is kept, the row stays deleted
  apply(s, req("a:3", "deleted", Value::boolean(false), stamp(4, 0, "a")));  // older undelete
  EXPECT_TRUE(s.is_deleted("request", R));
  EXPECT_EQ(apply(s, req("a:4", "deleted", Value::boolean(false), stamp(7, 0, "a"), del.hlc)), Outcome::kApplied);
  EXPECT_FALSE(s.is_deleted("request", R));
  EXPECT_EQ(s.read("request", R, "title")->value, str("edited offline"));
}

TEST(FieldGroups, ResolveTogetherByTheNewestStamp) {
  ReplicaStore s;
  apply(s, req("a:1", "contact_name", str("Li Wei"), stamp(1, 0, "a")));
  apply(s, req("a:2", "contact", str("138-0000-1111"), stamp(1, 0, "a")));
  EXPECT_EQ(s.read("request", R, "contact_name")->value, str("Li Wei"));
  EXPECT_EQ(s.read("request", R, "contact")->value, str("138-0000-1111"));
  // Another device writes the pair at a newer stamp: it wins as a unit.
  apply(s, req("b:1", "contact", str("139-2222-3333"), stamp(2, 0, "b"), stamp(1, 0, "a")));
  // With only half of b's pair here, the pair is shown incomplete rather than mixed.
  EXPECT_EQ(s.read("request", R, "contact")->value, str("139-2222-3333"));
  EXPECT_TRUE(s.read("request", R, "contact_name")->value.is_null());
  apply(s, req("b:2", "contact_name", str("Wang Fang"), stamp(2, 0, "b"), stamp(1, 0, "a")));
  EXPECT_EQ(s.read("request", R, "contact_name")->value, str("Wang Fang"));
  EXPECT_EQ(s.read("request", R, "contact")->value, str("139-2222-3333"));
  // An older complete pair arriving late changes nothing.
  apply(s, req("c:1", "contact_name", str("Zhao"), stamp(1, 5, "c"), stamp(1, 0, "a")));
  apply(s, req("c:2", "contact", str("137"), stamp(1, 5, "c"), stamp(1, 0, "a")));
  EXPECT_EQ(s.read("request", R, "contact_name")->value, str("Wang Fang"));
  EXPECT_EQ(s.read("request", R, "contact")->value, str("139-2222-3333"));
}

TEST(Idempotency, ReplayingAnOpOrABatchChangesNothing) {
  const std::vector<FieldOp> batch = {
      req("a:1", "title", str("x"), stamp(1, 0, "a")), req("b:1", "title", str("y"), stamp(2, 0, "b")),
      req("a:2", "tags", str("+vip"), stamp(3, 0, "a")), req("a:3", "status", str("new"), stamp(3, 0, "a")),
      make_op("a:4", "activity", testing::row_id(9), "text", str("note"), stamp(4, 0, "a"))};
  ReplicaStore s;
  std::vector<MergeResult> first;
  s.apply_batch(batch, &first);
  const std::string state = s.canonical_bytes();
  std::vector<MergeResult> again;
  s.apply_batch(batch, &again);
  for (const MergeResult& r : again) EXPECT_EQ(r.outcome, Outcome::kDuplicate);
  EXPECT_EQ(s.canonical_bytes(), state);
  EXPECT_EQ(s.op_count(), batch.size());
  EXPECT_EQ(s.conflicts().size(), 1u);
}

// apply_batch looks rows up ahead of the merge and caches names; none of it may change a
// result: a batch that creates rows midway, fills sets and names devices and authors that
// share a cache slot ("ab1", "ax1") ends exactly as the same ops applied one at a time.
TEST(Batches, ABatchEndsAsTheSameOpsAppliedOneByOne) {
  const std::vector<std::string> names = {"ab1", "ax1", "ab2", "liwei", "wangfang"};  // device ids and authors
  std::vector<FieldOp> ops;
  for (int i = 0; i < 600; ++i) {
    const std::string row = testing::row_id(1 + i % 7);
    const std::string& who = names[static_cast<std::size_t>(i) % names.size()];
    const Stamp hlc = stamp(1000 + i, 0, who);
    const std::string id = who + ":" + std::to_string(i);
    switch (i % 4) {
      case 0: ops.push_back(make_op(id, "request", row, "title", Value::string(std::to_string(i) + "t"), hlc, std::nullopt, who)); break;
      case 1: ops.push_back(make_op(id, "request", row, "tags", Value::string((i % 3 ? "+tag" : "-tag") + std::to_string(i % 11)), hlc, std::nullopt, who)); break;
      case 2: ops.push_back(make_op(id, "request", row, "collaborators", Value::string("+user" + std::to_string(i % 13)), hlc, std::nullopt, who)); break;
      default: ops.push_back(make_op(id, "request", row, "title", str("u"), stamp(900 - i, 0, who), std::nullopt, who));
    }
  }
  ops.push_back(make_op("ab1:bad", "request", "not-a-uuid", "title", str("x"), stamp(5000, 0, "ab1")));
  ReplicaStore batched;
  std::vector<MergeResult> results;
  batched.apply_batch(ops, &results);
  ReplicaStore single;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const MergeResult r = single.apply(ops[i]);
    EXPECT_EQ(r.outcome, results[i].outcome) << i;
    EXPECT_EQ(r.problem, results[i].problem) << i;
  }
  for (std::size_t i = 0; i + 1 < ops.size(); ++i) EXPECT_NE(results[i].outcome, Outcome::kRejected) << i;
  EXPECT_EQ(results.back().problem, Problem::kBadRow);
  EXPECT_EQ(batched.canonical_bytes(), single.canonical_bytes());
  EXPECT_EQ(batched.rows("request").size(), 7u);
  // Every element ever added to row 1's collaborators is there (none was removed).
  std::vector<std::string> expected;
  for (int i = 2; i < 600; i += 4) {
    if (i % 7 == 0) expected.push_back("user" + std::to_string(i % 13));
  }
  std::sort(expected.begin(), expected.end());
  expected.erase(std::unique(expected.begin(), expected.end()), expected.end());
  EXPECT_EQ(batched.read_set("request", testing::row_id(1), "collaborators"), expected);
  // Names that share a cache slot keep their own identity.
  for (int i : {0, 4, 8, 12, 16}) {
    const auto v = batched.read("request", testing::row_id(1 + i % 7), "title");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->author, v->hlc.device);
  }
  const auto first = batched.find_write("request", testing::row_id(1), "title", stamp(1000, 0, "ab1"));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->author, "ab1");
  const auto second = batched.find_write("request", testing::row_id(3), "title", stamp(1016, 0, "ax1"));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->author, "ax1");
}

// A field written once keeps its entry in its FieldState; later writes move the history
// into pool blocks, in stamp order, keeping each entry's flags.
TEST(History, TheFirstEntryLivesInTheStateAndMovesOutWhole) {
  HistoryPool pool;
  FieldState f;
  const auto entry = [](std::uint64_t clock, OpIndex op) { return HistoryEntry{clock, 0, 0, OpTable::kNoDevice, op, 0}; };
  EXPECT_EQ(HistoryPool::newest(f), kNoOp);
  pool.insert(f, 0, entry(10, 1));
  EXPECT_EQ(f.capacity, 0u);
  EXPECT_EQ(HistoryPool::newest(f), 1u);
  pool.at(f, 0).flags |= kOpLoser;  // as the conflict walk marks it
  pool.insert(f, 0, entry(5, 2));   // older: goes before, the winner stays
  EXPECT_EQ(f.capacity, 2u);
  EXPECT_EQ(HistoryPool::newest(f), 1u);
  pool.insert(f, 2, entry(20, 3));  // newest: the block doubles
  pool.insert(f, 1, entry(7, 4));
  ASSERT_EQ(f.size, 4u);
  std::vector<OpIndex> order;
  for (std::uint32_t i = 0; i < f.size; ++i) order.push_back(pool.at(f, i).op);
  EXPECT_EQ(order, (std::vector<OpIndex>{2, 4, 1, 3}));
  EXPECT_EQ(pool.at(f, 2).flags & kOpLoser, kOpLoser);  // kept through both moves
  EXPECT_EQ(HistoryPool::newest(f), 3u);
  EXPECT_EQ(f.newest.clock, 20u);
}

TEST(Rejections, ARejectedOpLeavesNoTrace) {
  ReplicaStore s;
  apply(s, req("a:1", "title", str("x"), stamp(1, 0, "a")));
  const std::string state = s.canonical_bytes();
  const std::string other_row = testing::row_id(2);
  EXPECT_EQ(apply(s, make_op("a:2", "request", other_row, "number", str("n"), stamp(2, 0, "a"))), Outcome::kRejected);
  EXPECT_EQ(apply(s, req("a:3", "progress", Value::integer(400), stamp(2, 0, "a"))), Outcome::kRejected);
  EXPECT_EQ(apply(s, make_op("a:4", "invoice", R, "title", str("x"), stamp(2, 0, "a"))), Outcome::kRejected);
  EXPECT_EQ(s.canonical_bytes(), state);
  EXPECT_FALSE(s.contains("a:2"));
  EXPECT_EQ(s.rows("request"), std::vector<std::string>{R});
  EXPECT_EQ(s.op_count(), 1u);
}

TEST(Resolution, KeepMineKeepTheirsAndMergedAreOrdinaryOps) {
  const FieldOp seed = req("s:1", "title", str("t0"), stamp(0, 0, "s"));
  const FieldOp mine = req("a:1", "title", str("mine"), stamp(10, 0, "a"), seed.hlc);
  const FieldOp theirs = req("b:1", "title", str("theirs"), stamp(20, 0, "b"), seed.hlc);
  for (Resolution how : {Resolution::kKeptMine, Resolution::kKeptTheirs, Resolution::kMerged}) {
    ReplicaStore s;
    for (const FieldOp* op : {&seed, &mine, &theirs}) apply(s, *op);
    const ConflictRecord c = *s.conflict("cf:a:1");
    int n = 0;
    auto ops = make_resolution_ops(c, how, how == Resolution::kMerged ? std::optional<Value>(str("both")) : std::nullopt,
                                   stamp(30, 0, "a"), [&] { return "a:r" + std::to_string(++n); });
    ASSERT_TRUE(ops);
    EXPECT_EQ(ops->size(), how == Resolution::kKeptTheirs ? 1u : 2u);
    for (const FieldOp& op : *ops) EXPECT_EQ(apply(s, op), Outcome::kApplied) << op.field;
    EXPECT_EQ(s.read("request", R, "title")->value,
              str(how == Resolution::kKeptMine ? "mine" : how == Resolution::kMerged ? "both" : "theirs"));
    const auto after = s.conflict("cf:a:1");
    ASSERT_TRUE(after);
    EXPECT_EQ(after->resolution, how);
    EXPECT_EQ(s.read("conflict", "cf:a:1", "resolution")->value, Value::string(std::string(resolution_name(how))));
    EXPECT_EQ(s.conflicts().size(), 1u);  // the resolution saw the winner: no new conflict
  }
  ReplicaStore s;
  for (const FieldOp* op : {&seed, &mine, &theirs}) apply(s, *op);
  const auto id = [] { return std::string("x:1"); };
  EXPECT_FALSE(make_resolution_ops(*s.conflict("cf:a:1"), Resolution::kOpen, std::nullopt, stamp(30, 0, "a"), id));
  EXPECT_FALSE(make_resolution_ops(*s.conflict("cf:a:1"), Resolution::kMerged, std::nullopt, stamp(30, 0, "a"), id));
}

TEST(Resolution, ConcurrentResolutionsMergeLastWriterWins) {
  ReplicaStore s;
  apply(s, make_op("a:9", "conflict", "cf:z:1", "resolution", str("kept_mine"), stamp(5, 0, "a")));
  apply(s, make_op("b:9", "conflict", "cf:z:1", "resolution", str("kept_theirs"), stamp(6, 0, "b")));
  EXPECT_EQ(s.read("conflict", "cf:z:1", "resolution")->value, str("kept_theirs"));
}

TEST(MergeField, IsAPureFunctionOfFieldStateAndOp) {
  OpTable ops;
  HistoryPool pool;
  FieldState field;
  const auto ref = *find_field("request", "title");
  std::vector<OpIndex> losers;
  const auto add = [&](const FieldOp& op) {
    const OpIndex i = ops.append(op, 0, ref.field_index, 0);
    const MergeResult r = merge_field(field, pool, *ref.entity, *ref.field, ops, i, losers);
    if (r.outcome == Outcome::kRejected || r.outcome == Outcome::kDuplicate) ops.pop_back();
    return r.outcome;
  };
  const FieldOp w = req("b:1", "title", str("w"), stamp(20, 0, "b"), stamp(0, 0, "s"));
  const FieldOp l = req("a:1", "title", str("l"), stamp(10, 0, "a"), stamp(0, 0, "s"));
  EXPECT_EQ(add(w), Outcome::kApplied);
  EXPECT_EQ(add(l), Outcome::kConflictRecorded);
  ASSERT_EQ(losers.size(), 1u);
  EXPECT_EQ(ops.op_id(losers[0]), "a:1");
  EXPECT_EQ(ops.op_id(pool.newest(field)), "b:1");
  EXPECT_EQ(field.size, 2u);
}

}  // namespace
}  // namespace rapidesk::sync
