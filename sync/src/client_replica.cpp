#include "rapidesk/sync/client_replica.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "rapidesk/shared/utf8.h"

namespace rapidesk::sync {

namespace {
std::string signed_element(char sign, std::string_view element) {
  std::string s;
  s.reserve(element.size() + 1);
  s += sign;
  s.append(element);
  return s;
}
}  // namespace

ClientReplica::ClientReplica(ClientOptions options, PhysicalClock clock, RandomSource random)
    : options_(std::move(options)),
      clock_(options_.device,
             [physical = std::move(clock), correction = correction_ms_] { return physical() - *correction; }),
      random_(std::move(random)),
      next_op_(options_.next_op_sequence) {}

std::string ClientReplica::new_row_id() { return make_uuid_v7(clock_.now().physical_ms, random_); }

void ClientReplica::reserve_confirmed(std::size_t entries) { confirmed_.reserve(entries); }

void ClientReplica::skip_past_own(std::string_view op_id) {
  const std::string& device = options_.device;
  if (op_id.size() <= device.size() + 1 || op_id[device.size()] != ':' || op_id.substr(0, device.size()) != device) {
    return;
  }
  std::uint64_t n = 0;
  const char* end = op_id.data() + op_id.size();
  auto [p, ec] = std::from_chars(op_id.data() + device.size() + 1, end, n);
  if (ec == std::errc() && p == end && n >= next_op_ && n - next_op_ < kSharedIdJump / 2) next_op_ = n + 1;
}

void ClientReplica::leave_shared_ids() { next_op_ += kSharedIdJump + random_() % kSharedIdJump; }

void ClientReplica::note_confirmed(const FieldOp& op) {
  skip_past_own(op.op);
  clock_.observe(op.hlc);
  accepted_ = std::max(accepted_, op.hlc);
}

void ClientReplica::restore_confirmed(std::span<const LogEntry> confirmed) {
  for (const LogEntry& e : confirmed) {
    note_confirmed(e.op);
    confirmed_.apply(e.op);
  }
}

void ClientReplica::restore(std::span<const LogEntry> confirmed, std::uint64_t cursor,
                            std::span<const PendingOp> pending, const std::optional<Stamp>& last_stamp) {
  if (!confirmed.empty()) reserve_confirmed(confirmed.size());
  restore_confirmed(confirmed);
  cursor_ = std::max(cursor_, cursor);
  pending_.assign(pending.begin(), pending.end());
  for (const PendingOp& p : pending_) {
    skip_past_own(p.op.op);
    clock_.observe(p.op.hlc);
    if (p.acked) accepted_ = std::max(accepted_, p.op.hlc);
  }
  if (last_stamp) clock_.restore(*last_stamp);
  visible_state_ = VisibleState::kStale;
  drop_confirmed();
  if (pending_.empty()) visible_state_ = VisibleState::kConfirmed;
}

void ClientReplica::build_visible() {
  if (visible_state_ == VisibleState::kOwn) return;
  visible_ = confirmed_;
  // A copy's tables are exactly full: without room the first edit would grow (and rehash)
  // each of them, which at 100k requests costs what the copy does.
  visible_.reserve(pending_.size() + confirmed_.op_count() / 16 + 4096);
  // Ops the local merge now refuses stay pending: the server has the final word.
  for (const Pending& p : pending_) visible_.apply(p.op);
  visible_state_ = VisibleState::kOwn;
}

const ReplicaStore& ClientReplica::visible() {
  if (visible_state_ == VisibleState::kOwn) return visible_;
  // Nothing pending: the confirmed state is what the user sees, no copy needed.
  if (visible_state_ == VisibleState::kConfirmed || pending_.empty()) return confirmed_;
  build_visible();
  return visible_;
}

ClientReplica::VisibleFollower::VisibleFollower(ClientReplica& replica) : replica_(replica) {
  if (replica.visible_state_ != VisibleState::kOwn) return;
  for (const Pending& p : replica.pending_) pending_fields_.insert(field_key(p.op));
}

std::string ClientReplica::VisibleFollower::field_key(const FieldOp& op) {
  std::string key;
  key.reserve(op.entity.size() + op.row.size() + op.field.size() + 2);
  key.append(op.entity).push_back('\n');
  key.append(op.row).push_back('\n');
  key.append(op.field);
  return key;
}

void ClientReplica::VisibleFollower::confirmed(const FieldOp& op) {
  if (replica_.visible_state_ != VisibleState::kOwn) return;
  if (replica_.visible_.contains(op.op)) return;  // a pending op coming back
  // Status transitions and append-only fields merge differently in another order: a field
  // this device has pending edits on is rebuilt in the defined order (confirmed, then
  // pending). Everything else merges the same in any order (see docs/sync.md).
  if (!pending_fields_.empty() && pending_fields_.contains(field_key(op))) {
    replica_.visible_state_ = VisibleState::kStale;
    return;
  }
  replica_.visible_.apply(op);
}

std::size_t ClientReplica::unsent_count() const {
  return static_cast<std::size_t>(std::count_if(pending_.begin(), pending_.end(), [](const Pending& p) { return !p.acked; }));
}

FieldOp ClientReplica::make_op(std::string_view entity, std::string_view row, std::string_view field, Value value,
                               const Stamp& stamp) {
  FieldOp op;
  op.op = make_op_id(options_.device, next_op_++);
  op.entity.assign(entity);
  op.row.assign(row);
  op.field.assign(field);
  op.value = std::move(value);
  op.hlc = stamp;
  const auto ref = find_field(entity, field);
  if (!ref || ref->field->policy != MergePolicy::kSet) op.base = visible_.current_stamp(entity, row, field);
  op.author = options_.user;
  op.origin = Origin::kClient;
  return op;
}

Result<std::vector<FieldOp>> ClientReplica::commit(std::vector<FieldOp> ops) {
  build_visible();
  for (const FieldOp& op : ops) {
    const MergeResult r = visible_.apply(op);
    if (r.outcome == Outcome::kRejected) {
      visible_state_ = VisibleState::kStale;  // undo the ops of this edit already merged
      return r.status;
    }
  }
  for (const FieldOp& op : ops) pending_.push_back(Pending{op, false, 0});
  return ops;
}

Result<std::vector<FieldOp>> ClientReplica::edit(std::string_view entity, std::string_view row,
                                                 std::span<const FieldEdit> edits) {
  build_visible();
  const EntitySpec* spec = find_entity(entity);
  if (!spec) return problem_status(Problem::kUnknownEntity, entity, "");
  for (std::size_t i = 0; i < edits.size(); ++i) {
    for (std::size_t k = 0; k < i; ++k) {
      if (edits[k].field == edits[i].field) {
        return Status::invalid(format_text(Text{"Field \"{}\" appears twice in one edit.", "字段“{}”在一次修改中出现了两次。"},
                                           {same_text(edits[i].field)}),
                               edits[i].field);
      }
    }
  }
  const Stamp stamp = clock_.now();
  std::vector<FieldOp> ops;
  ops.reserve(edits.size() + 1);
  for (const FieldEdit& e : edits) ops.push_back(make_op(entity, row, e.field, e.value, stamp));
  // Complete field groups with their other members, unchanged.
  for (const FieldEdit& e : edits) {
    const FieldSpec* f = find_field(*spec, e.field);
    if (!f || f->group == 0) continue;
    for (const FieldSpec& sibling : spec->fields) {
      if (sibling.group != f->group) continue;
      const bool present = std::any_of(ops.begin(), ops.end(), [&](const FieldOp& o) { return o.field == sibling.name; });
      if (present) continue;
      const auto current = visible_.read(entity, row, sibling.name);
      ops.push_back(make_op(entity, row, sibling.name, current ? current->value : Value::null(), stamp));
    }
  }
  return commit(std::move(ops));
}

Result<std::vector<FieldOp>> ClientReplica::set_field(std::string_view entity, std::string_view row,
                                                      std::string_view field, Value value) {
  const FieldEdit e{std::string(field), std::move(value)};
  return edit(entity, row, std::span<const FieldEdit>(&e, 1));
}

Result<std::vector<FieldOp>> ClientReplica::add_element(std::string_view entity, std::string_view row,
                                                        std::string_view field, std::string_view element) {
  return set_field(entity, row, field, Value::string(signed_element('+', element)));
}

Result<std::vector<FieldOp>> ClientReplica::remove_element(std::string_view entity, std::string_view row,
                                                           std::string_view field, std::string_view element) {
  return set_field(entity, row, field, Value::string(signed_element('-', element)));
}

Result<std::vector<FieldOp>> ClientReplica::resolve(std::string_view conflict_id, Resolution resolution,
                                                    std::optional<Value> merged) {
  build_visible();
  const auto record = visible_.conflict(conflict_id);
  if (!record) {
    return Status::not_found(format_text(Text{"There is no conflict \"{}\".", "不存在冲突“{}”。"},
                                         {same_text(std::string(utf8_prefix(conflict_id, 110)))}));
  }
  const Stamp stamp = clock_.now();
  auto made = make_resolution_ops(*record, resolution, merged, stamp,
                                  [this] { return make_op_id(options_.device, next_op_++); });
  if (!made) return made.status();
  std::vector<FieldOp> ops = std::move(*made);
  const auto ref = find_field(record->entity, record->field);
  if (ref && ref->field->group != 0 && resolution != Resolution::kKeptTheirs) {
    // Write the group whole: the loser's group write (kept_mine) or the current values (merged).
    for (const FieldSpec& sibling : ref->entity->fields) {
      if (sibling.group != ref->field->group || sibling.name == ref->field->name) continue;
      std::optional<FieldValue> source = resolution == Resolution::kKeptMine
                                             ? visible_.find_write(record->entity, record->row, sibling.name, record->loser.hlc)
                                             : visible_.read(record->entity, record->row, sibling.name);
      ops.insert(ops.end() - 1, make_op(record->entity, record->row, sibling.name,
                                        source ? source->value : Value::null(), stamp));
    }
  }
  for (FieldOp& op : ops) {
    op.author = options_.user;
    op.origin = Origin::kClient;
  }
  return commit(std::move(ops));
}

ClientReplica::Restamped ClientReplica::restamp(std::span<const FieldOp> refused, std::int64_t beyond_ms) {
  Restamped out;
  std::vector<FieldOp> old(refused.begin(), refused.end());
  std::size_t kept = 0;
  bool sweeping = false;  // from the first op stamped ahead, every unsent one: they keep their order
  for (std::size_t i = 0; i < pending_.size(); ++i) {
    sweeping = sweeping || (!pending_[i].acked && pending_[i].op.hlc.physical_ms > beyond_ms);
    if (!pending_[i].acked && sweeping) {
      out.replaced.push_back(pending_[i].op.op);
      old.push_back(std::move(pending_[i].op));
      continue;
    }
    if (kept != i) pending_[kept] = std::move(pending_[i]);
    ++kept;
  }
  pending_.resize(kept);
  if (!out.replaced.empty()) visible_state_ = VisibleState::kStale;
  remake(std::move(old), true, out);
  return out;
}

ClientReplica::Restamped ClientReplica::reissue(std::span<const FieldOp> refused) {
  Restamped out;
  remake(std::vector<FieldOp>(refused.begin(), refused.end()), false, out);
  return out;
}

void ClientReplica::remake(std::vector<FieldOp> old, bool fresh_stamps, Restamped& out) {
  // In the order they were made (this device's stamps only grow): refused ops come before
  // the unsent ones swept along, but an edit made again under a new id just before (reissue)
  // is older than a later one refused.
  std::stable_sort(old.begin(), old.end(), [](const FieldOp& a, const FieldOp& b) { return a.hlc < b.hlc; });
  std::map<Stamp, Stamp> renamed;  // original stamp -> its replacement
  for (std::size_t first = 0; first < old.size();) {
    std::size_t end = first + 1;  // one edit: consecutive ops of one stamp
    while (end < old.size() && old[end].hlc == old[first].hlc) ++end;
    const Stamp stamp = fresh_stamps ? clock_.now() : old[first].hlc;
    if (fresh_stamps) renamed.emplace(old[first].hlc, stamp);
    std::vector<FieldOp> ops;
    for (std::size_t i = first; i < end; ++i) {
      FieldOp op = old[i];
      op.op = make_op_id(options_.device, next_op_++);
      op.hlc = stamp;
      if (op.base) {
        if (auto to = renamed.find(*op.base); to != renamed.end()) op.base = to->second;
      }
      op.author = options_.user;
      op.origin = Origin::kClient;
      ops.push_back(std::move(op));
    }
    auto made = commit(std::move(ops));
    if (made) {
      out.made.insert(out.made.end(), made->begin(), made->end());
    } else {
      for (std::size_t i = first; i < end; ++i) out.refused.emplace_back(old[i], made.status());
    }
    first = end;
  }
}

void ClientReplica::correct_clock(std::int64_t ahead_ms) {
  *correction_ms_ = ahead_ms;
  const std::int64_t corrected_now = clock_.physical_now();
  Stamp floor = accepted_;
  for (const Pending& p : pending_) {
    if (p.acked || p.op.hlc.physical_ms <= corrected_now + clock_.max_drift_ms()) floor = std::max(floor, p.op.hlc);
  }
  floor.device = options_.device;
  clock_.rebase(floor);
}

std::vector<FieldOp> ClientReplica::next_push(std::size_t max_ops) const {
  std::vector<FieldOp> out;
  std::size_t i = 0;
  for (; i < pending_.size() && out.size() < max_ops; ++i) {
    if (!pending_[i].acked) out.push_back(pending_[i].op);
  }
  // If the cut falls inside one edit (ops sharing row and stamp), leave that edit for the
  // next push; if that edit is all there is, send it whole even beyond max_ops (an edit
  // is a handful of ops; splitting a field group would get it refused).
  while (i < pending_.size() && pending_[i].acked) ++i;
  if (i < pending_.size() && !out.empty()) {
    const FieldOp& next = pending_[i].op;
    std::size_t keep = out.size();
    while (keep > 0 && out[keep - 1].row == next.row && out[keep - 1].hlc == next.hlc) --keep;
    if (keep > 0) {
      out.resize(keep);
    } else {
      for (; i < pending_.size() && pending_[i].op.row == next.row && pending_[i].op.hlc == next.hlc; ++i) {
        if (!pending_[i].acked) out.push_back(pending_[i].op);
      }
    }
  }
  return out;
}

void ClientReplica::on_push_result(const PushResult& result) {
  std::unordered_map<std::string_view, std::size_t> index;
  index.reserve(pending_.size());
  for (std::size_t i = 0; i < pending_.size(); ++i) index.emplace(pending_[i].op.op, i);
  std::vector<bool> drop(pending_.size(), false);
  for (const OpResult& r : result.results) {
    const auto it = index.find(r.op);
    if (it == index.end()) continue;
    Pending& p = pending_[it->second];
    if (is_acknowledged(r.outcome)) {
      accepted_ = std::max(accepted_, p.op.hlc);
      p.acked = true;
      p.ack_cursor = std::max(p.ack_cursor, result.cursor);
    } else if (!drop[it->second]) {
      rejections_.push_back(r);
      drop[it->second] = true;
      if (visible_state_ == VisibleState::kOwn) visible_state_ = VisibleState::kStale;
    }
  }
  std::size_t kept = 0;
  for (std::size_t i = 0; i < pending_.size(); ++i) {
    if (drop[i]) continue;
    if (kept != i) pending_[kept] = std::move(pending_[i]);
    ++kept;
  }
  pending_.resize(kept);
  drop_confirmed();
}

Status ClientReplica::on_pull(std::span<const LogEntry> entries) {
  Status status;
  VisibleFollower follower(*this);
  for (const LogEntry& e : entries) {
    if (e.seq <= cursor_) continue;
    if (e.seq != cursor_ + 1) {
      status = Status(ErrorCode::kCorrupt,
                      format_text(Text{"The server log jumps from entry {} to {}; pull again from {}.",
                                       "服务器日志从第 {} 条跳到第 {} 条；请从 {} 重新拉取。"},
                                  {same_text(std::to_string(cursor_)), same_text(std::to_string(e.seq)),
                                   same_text(std::to_string(cursor_))}),
                      "seq");
      break;
    }
    note_confirmed(e.op);
    const MergeResult r = confirmed_.apply(e.op);
    cursor_ = e.seq;
    follower.confirmed(e.op);
    if (r.outcome != e.outcome) {
      status = Status(ErrorCode::kCorrupt,
                      format_text(Text{"This device merged operation \"{}\" differently from the server ({} here, {} "
                                       "there); its copy must be rebuilt from the server.",
                                       "本设备对操作“{}”的合并结果与服务器不同（本地 {}，服务器 {}）；需要从服务器重建本地副本。"},
                                  {same_text(e.op.op), same_text(outcome_name(r.outcome)),
                                   same_text(outcome_name(e.outcome))}),
                      "outcome");
      break;
    }
  }
  drop_confirmed();
  return status;
}

Status ClientReplica::on_pull(std::span<const LogEntry> entries, std::uint64_t page_cursor,
                              std::vector<const LogEntry*>* applied) {
  VisibleFollower follower(*this);
  // In log order, as the server merged them (a server that sends a row's earlier history
  // after a newer entry of it would otherwise read as a divergence).
  std::vector<const LogEntry*> in_order;
  in_order.reserve(entries.size());
  for (const LogEntry& e : entries) in_order.push_back(&e);
  const auto by_seq = [](const LogEntry* a, const LogEntry* b) { return a->seq < b->seq; };
  if (!std::is_sorted(in_order.begin(), in_order.end(), by_seq)) std::stable_sort(in_order.begin(), in_order.end(), by_seq);
  for (const LogEntry* entry : in_order) {
    const LogEntry& e = *entry;
    if (confirmed_.contains(e.op.op)) continue;
    note_confirmed(e.op);
    const MergeResult r = confirmed_.apply(e.op);
    if (applied != nullptr) applied->push_back(&e);
    follower.confirmed(e.op);
    if (r.outcome != e.outcome) {
      drop_confirmed();
      return Status(ErrorCode::kCorrupt,
                    format_text(Text{"This device merged operation \"{}\" differently from the server ({} here, {} "
                                     "there); its copy must be rebuilt from the server.",
                                     "本设备对操作“{}”的合并结果与服务器不同（本地 {}，服务器 {}）；需要从服务器重建本地副本。"},
                                {same_text(e.op.op), same_text(outcome_name(r.outcome)), same_text(outcome_name(e.outcome))}),
                    "outcome");
    }
  }
  cursor_ = std::max(cursor_, page_cursor);
  drop_confirmed();
  return Status::ok();
}

void ClientReplica::drop_confirmed() {
  std::erase_if(pending_, [this](const Pending& p) {
    if (!p.acked) return false;
    const bool confirmed = confirmed_.contains(p.op.op);
    if (!confirmed && p.ack_cursor > cursor_) return false;
    // An acknowledged op this replica will never pull (a filtered pull left it out) leaves
    // the visible state too.
    if (!confirmed && visible_state_ == VisibleState::kOwn) visible_state_ = VisibleState::kStale;
    return true;
  });
}

std::vector<OpResult> ClientReplica::take_rejections() {
  std::vector<OpResult> out;
  out.swap(rejections_);
  return out;
}

}  // namespace rapidesk::sync
