// The merge of one operation into one field: a pure function of (field state, op) with no
// I/O and no hidden state, shared by every replica and the server so that all of them
// decide alike.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "rapidesk/shared/status.h"
#include "rapidesk/sync/field_history.h"
#include "rapidesk/sync/op_table.h"
#include "rapidesk/sync/problem.h"
#include "rapidesk/sync/schema.h"

namespace rapidesk::sync {

enum class Outcome : std::uint8_t {
  kApplied,              // the op is the field's value now
  kIgnoredOlder,         // a newer op that had seen this one already wins; nothing lost
  kAppliedWithConflict,  // the op wins, and concurrent ops it overwrote became conflict records
  kConflictRecorded,     // the op lost to a concurrent one and is kept as a conflict record
  kDuplicate,            // already applied (same op id, or the same append-only value again)
  kRejected,             // refused; the reason is in problem / status; nothing changed
};
std::string_view outcome_name(Outcome o);  // "applied", "ignored_older", ...
std::optional<Outcome> parse_outcome(std::string_view name);
// Everything but kRejected: the op is durable and its sender may forget it.
inline bool is_acknowledged(Outcome o) { return o != Outcome::kRejected; }

struct MergeResult {
  Outcome outcome = Outcome::kApplied;
  Problem problem = Problem::kNone;  // kRejected (and kConflictRecorded of a refused status change)
  Status status;                     // bilingual reason for `problem`
};

// Applies op `incoming` to one field's history `field` (in `pool`) by `spec.policy`:
//   kLww / kTombstone / kServerOwned (only Origin::kServer may write) / kStatus: the op is
//   inserted in stamp order (hlc, then op id); the newest wins. Conflicts follow the rule in
//   conflict.h, decided incrementally both ways: incoming loses if a newer op's base is
//   below its stamp; older ops above incoming's base become losers. Ops that became losers
//   are flagged kOpLoser and appended to `new_losers`.
//   kStatus additionally: when the op would become the newest, the transition from the
//   current status is checked (rapidesk::check_transition). With base == current stamp an
//   invalid one is rejected with the reason; with a stale base it is kept as a conflict
//   (kOpStatusConflict, not inserted) and the current status stays.
//   kAppendOnly: the first write is kept; the same value again is kDuplicate; any other
//   write is rejected (kAppendOnly).
// Pure: depends only on its arguments, no I/O.
// REQUIRES: `incoming` was just appended to `ops`, passed check_op for this field, is not a
// known op id, and spec.policy != kSet. On kRejected and kDuplicate nothing changed and the
// caller must undo the append (OpTable::pop_back).
MergeResult merge_field(FieldState& field, HistoryPool& pool, const EntitySpec& entity, const FieldSpec& spec,
                        OpTable& ops, OpIndex incoming, std::vector<OpIndex>& new_losers);

// Set fields: each element is its own last-writer-wins register with its own history; the
// element is present iff its newest op's value starts with '+'. Never conflicts, never
// rejects: kApplied when incoming is the newest, else kIgnoredOlder.
MergeResult merge_set_element(FieldState& element, HistoryPool& pool, OpTable& ops, OpIndex incoming);

}  // namespace rapidesk::sync
