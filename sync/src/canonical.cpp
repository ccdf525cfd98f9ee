// ReplicaStore::canonical_bytes: the byte form of a replica's full state, independent of
// the order in which ops arrived (for the order-independent policies) and of hash-table
// layout. Used to prove convergence and as the state hash.
//
// Format (text, one item per line, strings JSON-escaped):
//   rapidesk-sync-state 1
//   row <entity> <row id>
//    f <field>                                       then one line per op, newest first:
//     <op id> <hlc> <base|-> <flags> <author> <value>
//    s <field>                                       set fields, elements sorted bytewise:
//     e <element>                                    then that element's ops, newest first
//   conflict <id> <entity> <row> <field> <flags> loser <op> <hlc> <author> <value>
//            winner <op> <hlc> <author> <value> resolution <name>
//   ops <number of applied ops>
// flags: L = conflict loser, S = refused status change kept as conflict, V = server origin.
#include <algorithm>
#include <numeric>

#include "rapidesk/sync/replica_store.h"

namespace rapidesk::sync {

namespace {

void append_flags(std::string& out, std::uint8_t flags) {
  const std::size_t before = out.size();
  if (flags & kOpLoser) out += 'L';
  if (flags & kOpStatusConflict) out += 'S';
  if (flags & kOpServerOrigin) out += 'V';
  if (out.size() == before) out += '-';
}

void append_op_line(std::string& out, const OpTable& ops, OpIndex i, std::string_view indent) {
  out += indent;
  out += ops.op_id(i);
  out += ' ';
  ops.append_hlc(out, i);
  out += ' ';
  ops.append_base(out, i);
  out += ' ';
  append_flags(out, ops.at(i).flags);
  out += ' ';
  append_json_string(out, ops.author(i));
  out += ' ';
  ops.value(i).append_canonical(out);
  out += '\n';
}

void append_side(std::string& out, const ConflictSide& side) {
  out += side.op.empty() ? std::string("-") : side.op;
  out += ' ';
  if (side.op.empty()) {
    out += '-';
  } else {
    append_stamp(out, side.hlc);
  }
  out += ' ';
  append_json_string(out, side.author);
  out += ' ';
  side.value.append_canonical(out);
}

}  // namespace

std::string ReplicaStore::canonical_bytes() const {
  std::string out = "rapidesk-sync-state 1\n";
  const auto all = entities();

  std::vector<std::uint32_t> order;
  order.reserve(rows_.size());
  for (std::uint32_t r = 0; r < rows_.size(); ++r) {
    if (rows_[r].ops > 0) order.push_back(r);
  }
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    const std::string_view ea = all[rows_[a].entity].name;
    const std::string_view eb = all[rows_[b].entity].name;
    return ea != eb ? ea < eb : row_id(rows_[a]) < row_id(rows_[b]);
  });

  // Set elements grouped by slot, sorted by element bytes.
  std::vector<std::uint32_t> elems(elements_.size());
  std::iota(elems.begin(), elems.end(), 0u);
  std::sort(elems.begin(), elems.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (elements_[a].slot != elements_[b].slot) return elements_[a].slot < elements_[b].slot;
    return element_of(elements_[a]) < element_of(elements_[b]);
  });

  for (std::uint32_t r : order) {
    const Row& row = rows_[r];
    const EntitySpec& entity = all[row.entity];
    out += "row ";
    out += entity.name;
    out += ' ';
    out += row_id(row);
    out += '\n';
    for (std::size_t f = 0; f < entity.fields.size(); ++f) {
      const auto slot = static_cast<std::uint32_t>(row.first_slot + f);
      if (entity.fields[f].policy == MergePolicy::kSet) {
        auto it = std::lower_bound(elems.begin(), elems.end(), slot,
                                   [&](std::uint32_t e, std::uint32_t s) { return elements_[e].slot < s; });
        if (it == elems.end() || elements_[*it].slot != slot) continue;
        out += " s ";
        out += entity.fields[f].name;
        out += '\n';
        for (; it != elems.end() && elements_[*it].slot == slot; ++it) {
          out += "  e ";
          append_json_string(out, element_of(elements_[*it]));
          out += '\n';
          const FieldState& h = elements_[*it].history;
          for (std::uint32_t k = h.size; k-- > 0;) append_op_line(out, ops_, history_.at(h, k).op, "   ");
        }
        continue;
      }
      const FieldState& h = slots_[slot];
      if (h.size == 0) continue;
      out += " f ";
      out += entity.fields[f].name;
      out += '\n';
      for (std::uint32_t k = h.size; k-- > 0;) append_op_line(out, ops_, history_.at(h, k).op, "  ");
    }
  }

  for (const ConflictRecord& c : conflicts()) {
    out += "conflict ";
    out += c.id;
    out += ' ';
    out += c.entity;
    out += ' ';
    out += c.row;
    out += ' ';
    out += c.field;
    out += c.invalid_transition ? " S loser " : " - loser ";
    append_side(out, c.loser);
    out += " winner ";
    append_side(out, c.winner);
    out += " resolution ";
    out += resolution_name(c.resolution);
    out += '\n';
  }
  out += "ops ";
  out += std::to_string(accepted_);
  out += '\n';
  return out;
}

std::uint64_t ReplicaStore::state_hash() const {
  const std::string bytes = canonical_bytes();
  std::uint64_t h = 14695981039346656037ull;
  for (char ch : bytes) h = (h ^ static_cast<unsigned char>(ch)) * 1099511628211ull;
  return h;
}

}  // namespace rapidesk::sync
