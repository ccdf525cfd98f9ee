#include "rapidesk/sync/server_merge.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <type_traits>

namespace rapidesk::sync {

namespace {

Status server_identity_status(std::string_view device) {
  return Status::invalid(format_text(Text{"\"{}\" is the server's own device id, used for the changes it makes itself; "
                                          "sync from this device under another device id.",
                                          "“{}”是服务器自身修改所用的设备 ID；请让此设备改用其他设备 ID 同步。"},
                                     {same_text(device)}),
                         "hlc");
}

// The answer to an op whose id already names an op of other content.
OpResult op_id_reused(std::string_view op_id) {
  Status why(ErrorCode::kConflict,
             format_text(Text{"Operation id \"{}\" already names another edit: two copies of this device's profile "
                              "count the same ids. The edit was not kept; the app makes it again under a new id.",
                              "操作 ID“{}”已用于另一项修改：此设备的配置文件有两个副本在使用相同的 ID。该修改未被保存；"
                              "应用会用新的 ID 重新提交。"},
                         {same_text(std::string(op_id))}),  // valid ids are short ASCII
             "op");
  return OpResult{std::string(op_id), Outcome::kRejected, Problem::kOpIdReused, std::move(why), {}};
}

// What makes an op the op it is, hashed (FNV-1a 64): entity, row, field, value, stamp and
// base. Never 0. Only answers the log does not hold are digested.
std::uint64_t content_digest(const FieldOp& op) {
  std::uint64_t h = 14695981039346656037ull;
  const auto mix = [&h](std::string_view bytes) {
    for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xFF) * 1099511628211ull;  // a separator no UTF-8 text contains
  };
  mix(op.entity);
  mix(op.row);
  mix(op.field);
  mix(op.value.canonical());
  mix(format_stamp(op.hlc));
  mix(op.base ? format_stamp(*op.base) : std::string());
  return h == 0 ? 1 : h;
}

}  // namespace

ServerMerge::ServerMerge(PhysicalClock clock, ServerMergeOptions options)
    : options_(std::move(options)),
      clock_(options_.device, std::move(clock), options_.max_drift_ms),
      log_(store_),
      next_op_(options_.next_op_sequence) {}

std::vector<LogEntry> ServerMerge::take_new_entries() {
  std::vector<LogEntry> out;
  out.swap(new_entries_);
  // The next merge is likely as large: no regrowth midway. (Not after a large server task,
  // e.g. a new SLA policy rewriting every request: its room would stay taken until the next.)
  constexpr std::size_t kUsualMerge = 4096;
  new_entries_.reserve(std::min(out.size(), kUsualMerge));
  return out;
}

OpResult ServerMerge::reject(FieldOp&& op, Problem problem, Status status) {
  answered_digest_ = content_digest(op);
  return OpResult{std::move(op.op), Outcome::kRejected, problem, std::move(status), {}};
}

void ServerMerge::remember(const OpResult& answer, std::size_t index, std::uint64_t digest) {
  if (is_valid_op_id(answer.op) && answers_.emplace(answer.op, Answer{answer, digest}).second) {
    remembered_.push_back(index);
  }
}

bool ServerMerge::group_complete(const FieldOp& op, const FieldRef& ref, std::span<const FieldOp> batch) const {
  for (const FieldSpec& sibling : ref.entity->fields) {
    if (sibling.group != ref.field->group || sibling.name == ref.field->name) continue;
    const bool in_batch = std::any_of(batch.begin(), batch.end(), [&](const FieldOp& o) {
      return o.field == sibling.name && o.row == op.row && o.entity == op.entity && o.hlc == op.hlc;
    });
    if (!in_batch && !store_.find_write(op.entity, op.row, sibling.name, op.hlc)) return false;
  }
  return true;
}

bool ServerMerge::has_server_prefix(std::string_view op_id) const {
  const std::string_view device = options_.device;
  return op_id.size() > device.size() && op_id.substr(0, device.size()) == device && op_id[device.size()] == ':';
}

bool ServerMerge::claims_server_identity(const FieldOp& op) const {
  return op.hlc.device == options_.device || has_server_prefix(op.op);
}

// Appending to new_entries_ with room to spare must not throw (apply_accepted).
static_assert(std::is_nothrow_move_constructible_v<LogEntry>);

OpResult ServerMerge::apply_accepted(FieldOp&& op) {
  // Room in both logs first: once the store has merged the op, logging it cannot fail, so
  // the store, the log and the handed-over entries never fall out of step here. (The store's
  // own merge may still run out of memory midway; the server stops merging after that.)
  log_.make_room_for_one();
  if (new_entries_.size() == new_entries_.capacity()) {
    new_entries_.reserve(std::max<std::size_t>(16, 2 * new_entries_.size()));
  }
  OpResult r;
  r.op = op.op;
  const auto index = static_cast<OpIndex>(store_.op_count());
  MergeResult m = store_.apply_new(op, &r.conflicts);
  if (m.outcome == Outcome::kRejected) return reject(std::move(op), m.problem, std::move(m.status));
  r.outcome = m.outcome;
  r.problem = m.problem;
  r.status = std::move(m.status);  // moved: copying a status allocates
  if (m.outcome == Outcome::kDuplicate) {  // same append-only value again: nothing to log
    answered_digest_ = content_digest(op);
    return r;
  }
  clock_.observe(op.hlc);
  assert(store_.op_count() == std::size_t{index} + 1);  // every merged op is kept: the log names it
  log_.push_back(index, m.outcome);
  new_entries_.push_back(LogEntry{log_.size(), std::move(op), m.outcome});
  return r;
}

OpResult ServerMerge::evaluate(const FieldOp& pushed, FieldOp* owned, std::span<const FieldOp> batch,
                               std::string_view author) {
  const auto ref = find_field(pushed.entity, pushed.field);
  // A grouped op stays in the batch: group_complete() looks for it from its siblings.
  FieldOp op = owned != nullptr && !(ref && ref->field->group != 0) ? std::move(*owned) : pushed;
  op.author.assign(author);
  op.origin = Origin::kClient;
  if (Status s = clock_.check_drift(op.hlc); !s) return reject(std::move(op), Problem::kClockDrift, std::move(s));
  if (ref && ref->field->group != 0 && !group_complete(op, *ref, batch)) {
    std::string others;
    for (const FieldSpec& f : ref->entity->fields) {
      if (f.group == ref->field->group && f.name != ref->field->name) {
        if (!others.empty()) others += ", ";
        others += f.name;
      }
    }
    Status s = problem_status(Problem::kIncompleteGroup, op.entity, op.field, others);
    return reject(std::move(op), Problem::kIncompleteGroup, std::move(s));
  }
  return apply_accepted(std::move(op));
}

PushResult ServerMerge::push(std::span<const FieldOp> ops, std::string_view author) {
  return push_batch(ops, nullptr, author);
}

PushResult ServerMerge::push(std::vector<FieldOp>&& ops, std::string_view author) {
  return push_batch(ops, ops.data(), author);
}

PushResult ServerMerge::push_batch(std::span<const FieldOp> ops, FieldOp* owned, std::string_view author) {
  PushResult out;
  out.results.reserve(ops.size());
  remembered_.clear();
  // Each op's id is looked up first: its index slot is fetched a few ops ahead.
  constexpr std::size_t kAhead = 4;
  for (std::size_t i = 0; i < std::min(kAhead, ops.size()); ++i) store_.prefetch_op(ops[i].op);
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (i + kAhead < ops.size()) store_.prefetch_op(ops[i + kAhead].op);
    const FieldOp& pushed = ops[i];
    // First: such an id may name one of the server's own ops, which is no answer to give.
    if (claims_server_identity(pushed)) {
      Status why = server_identity_status(options_.device);
      out.results.push_back(reject(FieldOp(pushed), Problem::kDeviceMismatch, std::move(why)));
      continue;
    }
    if (auto it = answers_.find(pushed.op); it != answers_.end()) {
      const bool other = it->second.digest != 0 && it->second.digest != content_digest(pushed);
      out.results.push_back(other ? op_id_reused(pushed.op) : it->second.result);
      continue;
    }
    if (store_.contains(pushed.op)) {
      // The same op again is a replay. Other content under a taken id is not: answering it
      // as a duplicate would tell its sender the edit was kept when it was dropped.
      out.results.push_back(store_.same_op(pushed) ? OpResult{pushed.op, Outcome::kDuplicate, Problem::kNone, {}, {}}
                                                   : op_id_reused(pushed.op));
      continue;
    }
    OpResult r = evaluate(pushed, owned != nullptr ? owned + i : nullptr, ops, author);
    // Not in the log, so contains() will not find it on a replay: a refusal, or a repeated
    // append-only value acknowledged as a duplicate. Keeping the answer stops a later op
    // that reuses the id from changing it.
    if (r.outcome == Outcome::kRejected || r.outcome == Outcome::kDuplicate) {
      remember(r, out.results.size(), answered_digest_);
    }
    out.results.push_back(std::move(r));
  }
  out.cursor = cursor();
  return out;
}

OpResult ServerMerge::apply_server_edit(std::string_view entity, std::string_view row, std::string_view field,
                                        Value value) {
  FieldOp op;
  op.op = make_op_id(options_.device, next_op_++);
  store_.prefetch_op(op.op);  // indexed once applied: fetched while the op is built
  op.entity.assign(entity);
  op.row.assign(row);
  op.field.assign(field);
  op.value = std::move(value);
  op.hlc = clock_.now();
  op.base = store_.current_stamp(entity, row, field);
  op.author = options_.author;
  op.origin = Origin::kServer;
  return apply_accepted(std::move(op));
}

Status ServerMerge::restore(std::span<const LogEntry> entries) {
  for (const LogEntry& e : entries) {
    if (e.seq != log_.size() + 1) {
      return Status::corrupt(format_text(Text{"The stored sync log jumps from entry {} to {}.", "已保存的同步日志从第 {} 条跳到第 {} 条。"},
                                         {same_text(std::to_string(log_.size())), same_text(std::to_string(e.seq))}));
    }
    const auto index = static_cast<OpIndex>(store_.op_count());
    const MergeResult m = store_.apply(e.op);
    if (m.outcome != e.outcome) {
      return Status::corrupt(format_text(
          Text{"Stored operation \"{}\" merges as {} now but was {} when accepted.", "已保存的操作“{}”现在合并为 {}，接收时为 {}。"},
          {same_text(e.op.op), same_text(outcome_name(m.outcome)), same_text(outcome_name(e.outcome))}));
    }
    // The log names the op the store kept; an op it did not keep (a duplicate, a refusal)
    // was never logged, so storage that holds one is damaged.
    if (store_.op_count() != std::size_t{index} + 1) {
      return Status::corrupt(format_text(Text{"Stored operation \"{}\" is logged as {}, which the log never holds.",
                                              "已保存的操作“{}”在日志中记为 {}，日志中不会有这样的记录。"},
                                         {same_text(e.op.op), same_text(outcome_name(e.outcome))}));
    }
    clock_.observe(e.op.hlc);
    // Server-made ids stay new even if the stored sequence fell behind the log: a later
    // server edit must never reuse one (apply_accepted does not look them up). Client ops
    // count too: an older server accepted pushed ids of this form.
    if (has_server_prefix(e.op.op)) {
      const char* const end = e.op.op.data() + e.op.op.size();
      std::uint64_t n = 0;
      const auto parsed = std::from_chars(e.op.op.data() + options_.device.size() + 1, end, n);
      if (parsed.ec == std::errc() && parsed.ptr == end && n >= next_op_) next_op_ = n + 1;
    }
    log_.push_back(index, e.outcome);
  }
  return Status::ok();
}

void ServerMerge::restore_answer(OpResult answer) {
  if (!is_valid_op_id(answer.op)) return;
  std::string id = answer.op;  // not answer.op itself: the answer is moved before the key is read
  answers_.emplace(std::move(id), Answer{std::move(answer), 0});
}

void ServerMerge::restore_next_op_sequence(std::uint64_t next) { next_op_ = std::max(next_op_, next); }

std::vector<LogEntry> ServerMerge::pull(std::uint64_t cursor, std::size_t limit, bool* more) const {
  const std::uint64_t size = log_.size();
  const std::uint64_t from = std::min(cursor, size);
  const std::uint64_t to = std::min<std::uint64_t>(size, from + limit);
  if (more) *more = to < size;
  return std::vector<LogEntry>(log_.begin() + static_cast<std::ptrdiff_t>(from),
                               log_.begin() + static_cast<std::ptrdiff_t>(to));
}

}  // namespace rapidesk::sync
