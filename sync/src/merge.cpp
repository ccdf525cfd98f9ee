#include "rapidesk/sync/merge.h"

#include "rapidesk/shared/enums.h"
#include "rapidesk/shared/status_machine.h"

namespace rapidesk::sync {

namespace {

MergeResult rejected(Problem p, Status s) { return MergeResult{Outcome::kRejected, p, std::move(s)}; }

int compare_hlc(const OpTable& ops, const HistoryEntry& a, const HistoryEntry& b) {
  return ops.compare_stamps(a.clock, a.device, b.clock, b.device);
}

// History order: stamp, then op id bytes (two ops may share a stamp, e.g. replayed bugs).
bool newer(const OpTable& ops, const HistoryEntry& a, const HistoryEntry& b) {
  const int c = compare_hlc(ops, a, b);
  return c != 0 ? c > 0 : ops.op_id(a.op) > ops.op_id(b.op);
}

// w.base < l.hlc; an unset base is older than every stamp.
bool base_below(const OpTable& ops, const HistoryEntry& w, const HistoryEntry& l) {
  return w.base_device == OpTable::kNoDevice ||
         ops.compare_stamps(w.base_clock, w.base_device, l.clock, l.device) < 0;
}

// Position of `x` in an oldest-first history: the number of entries older than it.
std::uint32_t position_of(const FieldState& field, const HistoryPool& pool, const OpTable& ops,
                          const HistoryEntry& x) {
  std::uint32_t lo = 0;
  std::uint32_t hi = field.size;
  // The usual case, decided from the cached newest stamp: incoming is the newest op.
  if (hi > 0 && ops.compare_stamps(x.clock, x.device, field.newest.clock, field.newest.device) > 0) return hi;
  while (lo < hi) {
    const std::uint32_t mid = lo + (hi - lo) / 2;
    if (newer(ops, x, pool.at(field, mid))) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

// Inserts `incoming` and applies the conflict rule in both directions.
MergeResult insert_lww(FieldState& field, HistoryPool& pool, OpTable& ops, OpIndex incoming,
                       std::vector<OpIndex>& new_losers) {
  HistoryEntry x = history_entry(ops, incoming);
  const std::uint32_t pos = position_of(field, pool, ops, x);
  // Newer ops: incoming loses if one of them had not seen it.
  bool incoming_loses = false;
  for (std::uint32_t i = pos; i < field.size; ++i) {
    const HistoryEntry& w = pool.at(field, i);
    if (compare_hlc(ops, w, x) > 0 && base_below(ops, w, x)) {
      incoming_loses = true;
      break;
    }
  }
  // Older ops: each one incoming had not seen becomes a loser. Walking from newest to
  // oldest, the first op at or below incoming's base ends the walk.
  bool made_losers = false;
  // Usual case: incoming saw the newest op (base >= its stamp): nothing older can lose.
  const bool saw_newest = pos == field.size && field.size > 0 && x.base_device != OpTable::kNoDevice &&
                          ops.compare_stamps(x.base_clock, x.base_device, field.newest.clock, field.newest.device) >= 0;
  for (std::uint32_t i = saw_newest ? 0 : pos; i-- > 0;) {
    HistoryEntry& l = pool.at(field, i);
    if (compare_hlc(ops, x, l) <= 0) continue;  // same stamp: neither is "newer"
    if (!base_below(ops, x, l)) break;
    if ((l.flags & kOpLoser) == 0) {
      l.flags |= kOpLoser;
      ops.at(l.op).flags |= kOpLoser;
      new_losers.push_back(l.op);
      made_losers = true;
    }
  }
  if (incoming_loses) {
    x.flags |= kOpLoser;
    ops.at(incoming).flags |= kOpLoser;
    new_losers.push_back(incoming);
  }
  pool.insert(field, pos, x);
  if (pos + 1 == field.size) return MergeResult{made_losers ? Outcome::kAppliedWithConflict : Outcome::kApplied, {}, {}};
  return MergeResult{incoming_loses ? Outcome::kConflictRecorded : Outcome::kIgnoredOlder, {}, {}};
}

}  // namespace

std::string_view outcome_name(Outcome o) {
  switch (o) {
    case Outcome::kApplied: return "applied";
    case Outcome::kIgnoredOlder: return "ignored_older";
    case Outcome::kAppliedWithConflict: return "applied_with_conflict";
    case Outcome::kConflictRecorded: return "conflict_recorded";
    case Outcome::kDuplicate: return "duplicate";
    case Outcome::kRejected: return "rejected";
  }
  return "rejected";
}

std::optional<Outcome> parse_outcome(std::string_view name) {
  for (Outcome o : {Outcome::kApplied, Outcome::kIgnoredOlder, Outcome::kAppliedWithConflict,
                    Outcome::kConflictRecorded, Outcome::kDuplicate, Outcome::kRejected}) {
    if (outcome_name(o) == name) return o;
  }
  return std::nullopt;
}

MergeResult merge_field(FieldState& field, HistoryPool& pool, const EntitySpec& entity, const FieldSpec& spec,
                        OpTable& ops, OpIndex incoming, std::vector<OpIndex>& new_losers) {
  switch (spec.policy) {
    case MergePolicy::kServerOwned:
      if ((ops.at(incoming).flags & kOpServerOrigin) == 0) {
        return rejected(Problem::kServerOwned, problem_status(Problem::kServerOwned, entity.name, spec.name));
      }
      break;
    case MergePolicy::kAppendOnly: {
      const OpIndex first = pool.newest(field);
      if (first == kNoOp) {
        pool.insert(field, 0, history_entry(ops, incoming));
        return MergeResult{};
      }
      if (ops.same_value(first, incoming)) return MergeResult{Outcome::kDuplicate, {}, {}};
      return rejected(Problem::kAppendOnly, problem_status(Problem::kAppendOnly, entity.name, spec.name));
    }
    case MergePolicy::kStatus: {
      const OpIndex current = pool.newest(field);
      if (current == kNoOp) break;  // the first status of a row
      const HistoryEntry x = history_entry(ops, incoming);
      const HistoryEntry cur = history_entry(ops, current);
      if (!newer(ops, x, cur)) break;  // a late op does not change the status: plain LWW
      const auto from = from_wire<RequestStatus>(ops.string_value(current));
      const auto to = from_wire<RequestStatus>(ops.string_value(incoming));
      if (!from || !to) break;  // cannot happen after check_op; stay deterministic anyway
      const bool fresh = x.base_device != OpTable::kNoDevice && x.base_clock == cur.clock && x.base_device == cur.device;
      if (*from == *to && !fresh) break;  // concurrent edits agree: no transition to check
      Status verdict = check_transition(*from, *to);
      if (verdict) break;
      if (fresh) return rejected(Problem::kInvalidTransition, std::move(verdict));
      // Stale base and invalid from where the request is now: keep it, do not overwrite.
      ops.at(incoming).flags |= kOpLoser | kOpStatusConflict;
      new_losers.push_back(incoming);
      return MergeResult{Outcome::kConflictRecorded, Problem::kInvalidTransition, std::move(verdict)};
    }
    case MergePolicy::kSet:  // REQUIRES-violation: treat as LWW rather than crash
    case MergePolicy::kLww:
    case MergePolicy::kTombstone:
      break;
  }
  return insert_lww(field, pool, ops, incoming, new_losers);
}

MergeResult merge_set_element(FieldState& element, HistoryPool& pool, OpTable& ops, OpIndex incoming) {
  const HistoryEntry x = history_entry(ops, incoming);
  const std::uint32_t pos = position_of(element, pool, ops, x);
  pool.insert(element, pos, x);
  return MergeResult{pos + 1 == element.size ? Outcome::kApplied : Outcome::kIgnoredOlder, {}, {}};
}

}  // namespace rapidesk::sync
