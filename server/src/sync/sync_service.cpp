#include "rapidesk/server/sync_service.h"

#include <algorithm>
#include <exception>
#include <unordered_set>

#include "rapidesk/server/tokens.h"
#include "rapidesk/shared/masking.h"
#include "rapidesk/shared/request_number.h"
#include "rapidesk/sync/codec.h"
#include "rapidesk/sync/schema.h"

namespace rapidesk::server {

namespace {

// The field group of a due time re-agreed with the customer: only the owner, the team lead,
// coordinators and admins write it (check_field_rules).
bool reagrees_due(const sync::FieldOp& op) {
  return op.entity == "request" && (op.field == "agreed_due" || op.field == "agreed_reason");
}

// Fields whose change can make a request visible to someone new.
bool grants_visibility(const sync::OpView& op) {
  return (op.entity == "request" && (op.field == "team" || op.field == "owner" || op.field == "collaborators")) ||
         (op.entity == "subtask" && op.field == "owner") ||
         ((op.entity == "subtask" || op.entity == "activity" || op.entity == "attachment") && op.field == "request_id");
}

// Room in `v` for `more` further elements, growing it geometrically.
template <typename V>
void reserve_more(V& v, std::size_t more) {
  if (v.capacity() - v.size() < more) v.reserve(std::max(v.size() + more, 2 * v.capacity()));
}

Status forbidden_row(std::string_view entity) {
  return Status::forbidden(format_text(
      Text{"You may not change this {}: it belongs to another team. Ask a coordinator.", "您无权修改该{}：它属于其他团队，请联系协调员。"},
      {Text{std::string(entity), entity == "request" ? "请求" : std::string(entity)}}));
}

std::string value_text(const sync::Value& v) {
  switch (v.kind()) {
    case sync::Value::Kind::kString: return v.as_string();
    case sync::Value::Kind::kNull: return {};
    default: return v.canonical();
  }
}

}  // namespace

class SyncService::Edits final : public ServerEdits {
 public:
  Edits(sync::ServerMerge& merge, const sync::PhysicalClock& physical) : merge_(merge), physical_(physical) {}
  const sync::ReplicaStore& store() const override { return merge_.store(); }
  const sync::EntryLog& log() const override { return merge_.log(); }
  Instant now() const override { return physical_(); }
  sync::OpResult edit(std::string_view entity, std::string_view row, std::string_view field,
                      sync::Value value) override {
    return merge_.apply_server_edit(entity, row, field, std::move(value));
  }

 private:
  sync::ServerMerge& merge_;
  const sync::PhysicalClock& physical_;
};

SyncService::SyncService(Storage& storage, sync::PhysicalClock clock, SyncOptions options)
    : storage_(storage),
      shared_(storage.shared_log()),
      options_(std::move(options)),
      physical_(clock),
      merge_(std::move(clock), sync::ServerMergeOptions{"server", "server", options_.max_drift_ms, 1}) {}

Status SyncService::restore_records(std::span<const SyncLogRecord> records) {
  auto entries = decode_log_records(records);
  if (!entries) return entries.status();  // nothing applied yet
  // Refused midway, an entry may be in the store and not in the log: nothing more is merged
  // here. (A gap or an undecodable record stops nothing: e.g. an instance of an older
  // version during an upgrade, whose pushes then fail until it is upgraded.)
  if (Status s = merge_.restore(*entries); !s) return stop_taking_changes(std::move(s));
  return Status::ok();
}

Status SyncService::load() {
  std::lock_guard lock(merge_mutex_);
  if (shared_ != nullptr) {
    // Read as a catch-up from the start, so the position in the shared log is known;
    // applied a page at a time, so a long log is never held twice in memory.
    CaughtUp page;
    auto apply_page = [&]() -> Status {
      auto applied = apply_caught_up(page);
      page = CaughtUp{};
      return applied ? Status::ok() : applied.status();
    };
    LogReader reader = page.reader();
    reader.on_entry = [&](SyncLogRecord&& r) -> Status {
      page.entries.push_back(std::move(r));
      return page.entries.size() < sync::CodecLimits{}.max_ops ? Status::ok() : apply_page();
    };
    if (Status s = shared_->read_since(shared_position_, reader); !s) return s;
    if (Status s = apply_page(); !s) return s;
    std::lock_guard commit(commit_mutex_);
    durable_cursor_ = queued_cursor_ = merge_.cursor();
    queue_.next_server_op = merge_.next_op_sequence();
    return Status::ok();
  }
  std::uint64_t next_op = 1;
  Status s = storage_.load_log([&](std::vector<sync::LogEntry>&& entries) { return merge_.restore(entries); },
                               [&](SyncRejectionRecord&& r) -> Status {
                                 auto decoded = sync::decode_push_result(r.result);
                                 if (decoded.ok() && decoded.result.results.size() == 1) {
                                   merge_.restore_answer(decoded.result.results[0]);
                                 }
                                 return Status::ok();
                               },
                               next_op);
  if (!s) return s;
  merge_.restore_next_op_sequence(next_op);
  note_entries(0);
  std::lock_guard commit(commit_mutex_);
  durable_cursor_ = queued_cursor_ = merge_.cursor();
  queue_.next_server_op = merge_.next_op_sequence();
  return Status::ok();
}

LogReader SyncService::CaughtUp::reader() {
  return LogReader{[this](SyncLogRecord&& r) {
                     entries.push_back(std::move(r));
                     return Status::ok();
                   },
                   [this](SyncRejectionRecord&& r) {
                     rejections.push_back(std::move(r));
                     return Status::ok();
                   },
                   [this](std::uint64_t next) { next_server_op = std::max(next_server_op, next); }};
}

Result<std::uint64_t> SyncService::apply_caught_up(CaughtUp& caught) {
  const std::uint64_t before = merge_.cursor();
  // Entries after `durable` were merged here and not yet seen saved: unsaved, or saved by a
  // commit whose leader has not yet marked them durable.
  std::uint64_t durable = 0;
  {
    std::lock_guard commit(commit_mutex_);
    durable = durable_cursor_;
  }
  // Only entries continuing this server's log: a concurrent catch-up may have applied some.
  std::vector<SyncLogRecord> fresh;
  std::uint64_t expected = before + 1;
  for (auto& r : caught.entries) {
    if (r.seq < expected) {
      // Already here: applied by a concurrent catch-up, or this server's own commit read
      // back. One at a seq merged here but not seen saved must be this server's very entry
      // (its commit went through); if it differs, this server lost the writer lease (its
      // session ended) and another server has written that seq since: what was merged here
      // will never be saved, so this server stops, and nothing read is applied or counted
      // as durable on top of it.
      if (r.seq > durable && r.entry != sync::encode_log_entry(merge_.log()[r.seq - 1])) {
        return stop_taking_changes(Status(
            ErrorCode::kIo,
            format_text(Text{"This server lost its turn to write to the shared database before its changes were "
                             "saved: another server has since written entry {} differently. Those changes were not "
                             "accepted, and this server stopped accepting changes; restart it.",
                             "本服务器在更改保存前失去了共享数据库的写入权：另一台服务器随后写入了不同的第 {} "
                             "条。这些更改未被接受，本服务器已停止接受更改，请重启它。"},
                        {same_text(std::to_string(r.seq))})));
      }
      continue;
    }
    if (r.seq != expected) {
      return Status::corrupt(format_text(
          Text{"The shared sync log has a gap before entry {}; restore the database from a backup.",
               "共享同步日志在第 {} 条之前有缺口，请从备份恢复数据库。"},
          {same_text(std::to_string(r.seq))}));
    }
    fresh.push_back(std::move(r));
    ++expected;
  }
  if (Status s = restore_records(fresh); !s) return s;
  for (const auto& r : caught.rejections) {
    auto decoded = sync::decode_push_result(r.result);
    if (decoded.ok() && decoded.result.results.size() == 1) merge_.restore_answer(decoded.result.results[0]);
  }
  if (caught.next_server_op != 0) merge_.restore_next_op_sequence(caught.next_server_op);
  note_entries(before);
  if (!fresh.empty() && observer_ != nullptr) observer_->after_catch_up(merge_.store(), merge_.log(), physical_());
  return merge_.cursor();
}

Result<bool> SyncService::catch_up() {
  if (shared_ == nullptr) return false;
  CatchUpFlight& flight = catch_up_flight_;
  std::unique_lock lock(flight.mutex);
  // The first read to begin from now on covers this caller; the one under way does not.
  const std::uint64_t covering = flight.begun + 1;
  ++flight.waiting;
  flight.done.wait(lock, [&] { return flight.ended >= covering || !flight.reading; });
  --flight.waiting;
  if (flight.ended >= covering) return flight.last_answer;
  // Whatever happens to this read (an exception too), the next caller may begin one. The
  // guard, and the answer it gives when the read throws, are made before the read is marked
  // under way: a failure to allocate them must not leave it marked for good.
  struct EndOfRead {
    CatchUpFlight& flight;
    std::uint64_t read;
    Result<bool> answer;
    ~EndOfRead() {
      std::lock_guard lock(flight.mutex);
      flight.reading = false;
      flight.ended = read;
      flight.last_answer = std::move(answer);  // returned already
      flight.done.notify_all();
    }
  } end{flight, flight.begun + 1,
         Status(ErrorCode::kInternal, Text{"reading the shared log failed", "读取共享日志失败"})};
  flight.reading = true;
  ++flight.begun;
  lock.unlock();
  end.answer = read_and_apply_others();
  return end.answer;
}

size_t SyncService::catch_ups_waiting() const {
  std::lock_guard lock(catch_up_flight_.mutex);
  return catch_up_flight_.waiting;
}

Result<bool> SyncService::read_and_apply_others() {
  // After a failed commit the merged state holds entries the database does not: applying
  // others' entries on top of it would serve the unsaved ones as durable.
  if (Status failed = health(); !failed) return failed;
  LogPosition from;
  {
    std::lock_guard lock(merge_mutex_);
    from = shared_position_;
  }
  CaughtUp caught;
  if (Status s = shared_->read_since(from, caught.reader()); !s) return s;
  bool grew = false;
  {
    std::lock_guard lock(merge_mutex_);
    // Again, now that the read is done: a commit that failed meanwhile left entries here
    // that the database does not hold and handed the lease on, so what was read may hold
    // another server's entries at those very seqs. (A commit failing after this check was
    // still holding the lease during the read; a lease lost without a failure is caught
    // entry by entry in apply_caught_up.)
    if (Status failed = health(); !failed) return failed;
    const std::uint64_t before = merge_.cursor();
    Result<std::uint64_t> applied = [&]() -> Result<std::uint64_t> {
      try {
        return apply_caught_up(caught);
      } catch (const std::exception& e) {
        return stop_after_merge_error(e);
      }
    }();
    if (!applied) return applied.status();
    grew = merge_.cursor() > before;
    shared_position_.seq = std::max(shared_position_.seq, from.seq);
    shared_position_.rejection = std::max(shared_position_.rejection, from.rejection);
    std::lock_guard commit(commit_mutex_);
    // Every entry up to the last one read is in the database and here alike: applied from
    // it, found there exactly as merged here, or durable before. Entries merged here after
    // it are not (yet).
    durable_cursor_ = std::max(durable_cursor_, from.seq);
  }
  return grew;
}

void SyncService::note_entries(std::uint64_t from_cursor) {
  const auto& log = merge_.log();
  // A push's entries come in runs per row (a new request's fields, then the server's own for
  // it): the row's bookkeeping is found once per run. Both maps never move their entries.
  std::optional<sync::OpView> previous;
  std::vector<std::uint64_t>* seqs = nullptr;
  for (std::uint64_t seq = from_cursor + 1; seq <= log.size(); ++seq) {
    const sync::EntryView e = log.view(seq - 1);
    if (!previous || e.op.row != previous->row || e.op.entity != previous->entity) {
      creators_.note(e.op.entity, e.op.row, e.op.author);  // the first author of a row stays
      seqs = &row_seqs_[RowKey(e.op.entity, e.op.row)];
    }
    previous = e.op;
    seqs->push_back(seq);
    if (grants_visibility(e.op)) {
      const RowKey key(e.op.entity, e.op.row);
      last_grant_[key] = seq;
      if (e.op.field == "request_id" && e.op.kind == sync::Value::Kind::kString) {
        auto& children = children_[e.op.text];
        if (std::find(children.begin(), children.end(), std::string_view(key)) == children.end()) {
          children.emplace_back(key);
        }
      }
    }
    if (e.op.entity == "request" && e.op.field == "number" && e.op.kind == sync::Value::Kind::kString) {
      if (auto n = parse_request_number(e.op.text)) {
        auto& last = number_counters_[format_date(n->date) + "-" + n->team];
        last = std::max(last, n->sequence);
      }
    }
  }
}

bool SyncService::may_edit(const AuthContext& who, const sync::FieldOp& op, const std::vector<sync::FieldOp>& batch) const {
  if (sees_everything(who)) return true;
  const sync::ReplicaStore& store = merge_.store();
  if (creators_.creator(op.entity, op.row) == nullptr) {
    // A new row: requests may be created by anyone; a child row needs a visible parent.
    if (op.entity != "subtask" && op.entity != "activity" && op.entity != "attachment") return true;
    for (const auto& other : batch) {
      if (other.entity == op.entity && other.row == op.row && other.field == "request_id" && other.value.is_string()) {
        const std::string& parent = other.value.as_string();
        return creators_.creator("request", parent) == nullptr ||  // created in this batch
               may_see(store, creators_, who, "request", parent);
      }
    }
    return true;  // the merge refuses a child row without its request_id
  }
  return may_see(store, creators_, who, op.entity, op.row);
}

void SyncService::assign_numbers(const std::vector<std::string>& new_rows, const AuthContext& who) {
  const Instant now = merge_.clock().last().physical_ms;
  const std::int64_t local_days =
      (now + static_cast<Instant>(options_.number_utc_offset_minutes) * kMsPerMinute) / kMsPerDay;
  const CivilDate today = civil_from_days(local_days);
  for (const auto& row : new_rows) {
    if (merge_.store().read("request", row, "number")) continue;
    std::string team;
    if (auto t = merge_.store().read("request", row, "team"); t && t->value.is_string()) team = t->value.as_string();
    if (!is_valid_team_code(team)) team = is_valid_team_code(who.team) ? who.team : options_.default_team;
    auto& last = number_counters_[format_date(today) + "-" + team];
    const std::string number = format_request_number(RequestNumber{today, team, ++last});
    merge_.apply_server_edit("request", row, "number", sync::Value::string(number));
  }
}

SyncService::Merged SyncService::merge_push(const AuthContext& who, std::vector<sync::FieldOp>&& ops,
                                            const TeamCodes& led) {
  Merged out;
  // Authorise each op; merge the allowed ones in their original order.
  std::vector<std::optional<sync::OpResult>> refused(ops.size());
  size_t refusals = 0;
  for (size_t i = 0; i < ops.size(); ++i) {
    if (!may_edit(who, ops[i], ops)) {
      refused[i] = sync::OpResult{ops[i].op, sync::Outcome::kRejected, sync::Problem::kNone, forbidden_row(ops[i].entity), {}};
      ++refusals;
    } else if (Status rule = check_field_rules(who, ops[i], led); !rule) {
      refused[i] = sync::OpResult{ops[i].op, sync::Outcome::kRejected, sync::Problem::kNone, std::move(rule), {}};
      ++refusals;
    }
  }
  // The allowed ops are moved into the merge (and its log entries), not copied.
  const size_t pushed = ops.size();
  std::vector<sync::FieldOp> allowed;
  if (refusals != 0) {
    for (size_t i = 0; i < ops.size(); ++i) {
      if (!refused[i]) allowed.push_back(std::move(ops[i]));
    }
  }
  const std::uint64_t before = merge_.cursor();
  sync::PushResult merged = merge_.push(refusals != 0 ? std::move(allowed) : std::move(ops), who.user);
  std::vector<std::string> new_requests;
  for (std::uint64_t seq = before + 1; seq <= merge_.cursor(); ++seq) {
    const sync::EntryView e = merge_.log().view(seq - 1);
    if (e.op.entity == "request" && creators_.creator("request", e.op.row) == nullptr &&
        std::find(new_requests.begin(), new_requests.end(), e.op.row) == new_requests.end()) {
      new_requests.emplace_back(e.op.row);
    }
  }
  note_entries(before);
  const std::uint64_t after_client_ops = merge_.cursor();
  assign_numbers(new_requests, who);
  note_entries(after_client_ops);
  if (observer_ != nullptr) {
    const std::uint64_t before_automation = merge_.cursor();
    Edits edits(merge_, physical_);
    out.when_durable = observer_->after_push(edits);
    note_entries(before_automation);
  }

  // Answers the log does not hold are persisted, so that a replay after a restart gets them again.
  const std::span<const size_t> remembered = merge_.remembered_by_last_push();
  size_t next_remembered = 0;
  size_t next_merged = 0;
  for (size_t i = 0; i < pushed; ++i) {
    if (refused[i]) {
      out.answer.results.push_back(std::move(*refused[i]));
      continue;
    }
    const size_t index = next_merged++;
    sync::OpResult r = std::move(merged.results[index]);
    if (next_remembered < remembered.size() && remembered[next_remembered] == index) {
      ++next_remembered;
      out.rejections.push_back({r.op, sync::encode_push_result(sync::PushResult{{r}, 0})});
    }
    out.answer.results.push_back(std::move(r));
  }
  out.answer.cursor = merge_.cursor();
  out.entries = merge_.take_new_entries();
  return out;
}

// While alive, the caller counts as merging under the writer lease (several servers).
class SyncService::SharedTurn {
 public:
  explicit SharedTurn(SyncService& service) : service_(service.shared_ != nullptr ? &service : nullptr) {
    if (service_ != nullptr) status_ = service_->enter_shared();
  }
  ~SharedTurn() {
    if (service_ != nullptr && status_) service_->leave_shared();
  }
  SharedTurn(const SharedTurn&) = delete;
  SharedTurn& operator=(const SharedTurn&) = delete;
  const Status& status() const { return status_; }

 private:
  SyncService* service_;
  Status status_;
};

Result<std::uint64_t> SyncService::merge_turn(const std::function<std::uint64_t()>& merge) {
  if (Status failed = health(); !failed) return failed;  // before queueing for the writer lease
  SharedTurn turn(*this);
  if (!turn.status()) return turn.status();
  std::lock_guard lock(merge_mutex_);
  if (Status failed = health(); !failed) return failed;
  try {
    return merge();
  } catch (const std::exception& e) {
    return stop_after_merge_error(e);
  }
}

Result<sync::PushResult> SyncService::push(const AuthContext& who, std::vector<sync::FieldOp> ops) {
  // Read before the merge lock, and a failure fails the whole push (its ops stay queued on
  // the device): a lookup that failed must not refuse a team lead's op as forbidden.
  Result<TeamCodes> led = teams_led_by(who, ops);
  if (!led) return led.status();
  sync::PushResult answer;
  MergedEntries entries;  // until the commit is done: the leader reads them by address
  SyncObserver::WhenDurable when_durable;
  const auto generation = merge_turn([&] {
    Merged m = merge_push(who, std::move(ops), *led);
    answer = std::move(m.answer);
    entries = std::move(m.entries);
    when_durable = std::move(m.when_durable);
    return queue_commit(entries, std::move(m.rejections), {});
  });
  if (!generation) return generation.status();
  if (Status s = finish_commit(*generation); !s) return s;
  if (when_durable) when_durable();
  return answer;
}

Status SyncService::run_server_task(const ServerTask& task) {
  MergedEntries entries;  // until the commit is done: the leader reads them by address
  // A task that throws stops changes even before its first edit: the SLA service changes
  // its own timers and ledgers under this lock before it edits, and they would no longer
  // match the store. Reads that cannot half-change anything go through read_merged.
  const auto generation = merge_turn([&] {
    const std::uint64_t before = merge_.cursor();
    Edits edits(merge_, physical_);
    std::vector<std::string> fired = task(edits);
    note_entries(before);
    entries = merge_.take_new_entries();
    return queue_commit(entries, {}, std::move(fired));
  });
  if (!generation) return generation.status();
  return finish_commit(*generation);
}

std::uint64_t SyncService::queue_commit(const MergedEntries& entries, std::vector<SyncRejectionRecord> rejections,
                                        std::vector<std::string> fired_sla_keys) {
  if (entries.empty() && rejections.empty() && fired_sla_keys.empty()) return 0;
  std::lock_guard commit(commit_mutex_);
  // Room first: once an address is queued nothing may throw, or the caller would return
  // (freeing its entries) with their addresses left in the queue for the next leader.
  reserve_more(queue_.entries, entries.size());
  reserve_more(queue_.rejections, rejections.size());
  reserve_more(queue_.fired_sla_keys, fired_sla_keys.size());
  for (const sync::LogEntry& e : entries) queue_.entries.push_back(&e);
  for (auto& r : rejections) queue_.rejections.push_back(std::move(r));
  for (auto& k : fired_sla_keys) queue_.fired_sla_keys.push_back(std::move(k));
  queue_.next_server_op = merge_.next_op_sequence();
  ++queue_.writers;
  queued_cursor_ = merge_.cursor();
  return queue_.generation = next_generation_++;
}

Status SyncService::finish_commit(std::uint64_t generation) {
  const Status durable = generation == 0 ? Status::ok() : wait_durable(generation);
  if (shared_ != nullptr) release_if_idle();
  return durable;
}

Status SyncService::enter_shared() {
  std::unique_lock lock(lease_.mutex);
  for (;;) {
    if (lease_.held && !lease_.draining) {
      if (std::chrono::steady_clock::now() - lease_.since < kLeaseTurn) {
        ++lease_.merging;
        return Status::ok();
      }
      // Held long enough: let what is under way finish, then hand the lease on.
      lease_.draining = true;
      if (lease_.merging == 0 && commits_idle()) release_lease();
    }
    if (!lease_.held && !lease_.taking) {
      // A server that stopped taking changes leaves the lease to the others (it would only
      // refuse once it had it): also when it stopped while this handler waited.
      if (Status failed = health(); !failed) return failed;
      lease_.taking = true;
      lock.unlock();
      Status s = shared_->acquire_writer();
      if (s) {
        // Everything the others committed before the lease came, before merging after it.
        if (auto caught = catch_up(); !caught) {
          s = caught.status();
          shared_->release_writer();
        }
      }
      lock.lock();
      lease_.taking = false;
      if (s) {
        lease_.held = true;
        lease_.draining = false;
        lease_.since = std::chrono::steady_clock::now();
      }
      lease_.changed.notify_all();
      if (!s) return s;
      continue;
    }
    lease_.changed.wait(lock);
  }
}

void SyncService::leave_shared() {
  std::lock_guard lock(lease_.mutex);
  --lease_.merging;
  // Nothing of the caller's to commit (or it failed): the lease may be idle now.
  if (lease_.held && lease_.merging == 0 && commits_idle()) release_lease();
}

void SyncService::release_if_idle() {
  std::lock_guard lock(lease_.mutex);
  if (lease_.held && lease_.merging == 0 && commits_idle()) release_lease();
}

bool SyncService::commits_idle() {
  std::lock_guard commit(commit_mutex_);
  // After a failure nothing more will be written here: never keep others waiting (they then
  // write seqs this server merged but never saved, which is why catch_up applies nothing
  // after a failure). But a write under way still needs the lease (it appends as the lease
  // holder).
  return !committing_ && (!failed_.is_ok() || durable_generation_ + 1 >= next_generation_);
}

void SyncService::release_lease() {
  shared_->release_writer();
  lease_.held = false;
  lease_.draining = false;
  lease_.changed.notify_all();
}

Result<SyncService::TeamCodes> SyncService::teams_led_by(const AuthContext& who,
                                                         const std::vector<sync::FieldOp>& ops) {
  TeamCodes led;
  if (sees_everything(who)) return led;
  if (std::none_of(ops.begin(), ops.end(), reagrees_due)) return led;
  auto teams = storage_.list_teams();
  if (!teams) return teams.status();
  for (const TeamRecord& t : *teams) {
    if (t.lead && *t.lead == who.user) led.push_back(t.code);
  }
  return led;
}

Status SyncService::check_field_rules(const AuthContext& who, const sync::FieldOp& op, const TeamCodes& led) const {
  if (op.entity == "activity" && op.field == "kind" && op.value.is_string() && op.value.as_string() == "sla") {
    return Status(ErrorCode::kForbidden,
                  Text{"SLA entries are written by the server only; add a note instead.",
                       "SLA 记录只能由服务器写入，请改为添加备注。"},
                  "kind");
  }
  if (!reagrees_due(op)) return Status::ok();
  if (sees_everything(who)) return Status::ok();
  auto read_text = [&](std::string_view field) {
    auto v = merge_.store().read("request", op.row, field);
    return v && v->value.is_string() ? v->value.as_string() : std::string();
  };
  if (!who.user.empty() && read_text("owner") == who.user) return Status::ok();
  const std::string team = read_text("team");
  if (!team.empty() && std::find(led.begin(), led.end(), team) != led.end()) return Status::ok();
  return Status(ErrorCode::kForbidden,
                Text{"Only the request's owner, its team lead or a coordinator may re-agree its due time with the "
                     "customer.",
                     "只有请求负责人、团队组长或协调员可以与客户重新约定截止时间。"},
                std::string(op.field));
}

Status SyncService::wait_durable(std::uint64_t generation) {
  std::unique_lock lock(commit_mutex_);
  while (durable_generation_ < generation) {
    // A write under way is waited out even after a failure elsewhere (a merge that threw):
    // it reads its batch's entries by address, which their pushes free when they return.
    if (committing_) {
      committed_.wait(lock);
      continue;
    }
    if (!failed_.is_ok()) return failed_;
    // Become the leader: commit everything queued so far in one transaction.
    committing_ = true;
    PendingCommit batch = std::move(queue_);
    queue_ = PendingCommit{};
    queue_.next_server_op = batch.next_server_op;  // never goes back, even for an empty batch
    const std::uint64_t cursor = queued_cursor_;
    lock.unlock();
    // The counter came with the queue: the leader never waits for the merge lock, which
    // pushes keep busy (a commit held up behind merges holds up every push in it).
    const std::uint64_t next_op = batch.next_server_op;
    // Encoded here, outside merge_mutex_: merges go on meanwhile. One server alone leaves
    // the form to its storage; several write each entry's wire form for the others to read.
    Status s;
    try {
      if (shared_ != nullptr) {
        std::vector<SyncLogRecord> records;
        records.reserve(batch.entries.size());
        for (const sync::LogEntry* e : batch.entries) records.push_back(log_record(*e));
        s = shared_->append_announced(records, batch.rejections, next_op, batch.fired_sla_keys);
      } else {
        s = storage_.append_log(batch.entries, batch.rejections, next_op, batch.fired_sla_keys);
      }
    } catch (const std::exception& e) {
      // A failure like any other (say, out of memory encoding): the waiters must hear of it,
      // not wait for a leader that is gone.
      s = Status::io(format_text(Text{"writing failed: {}", "写入失败：{}"}, {same_text(e.what())}));
    }
    if (s && commit_listener_) {
      // It counts; a throw here would leave committing_ set and every waiter asleep.
      try {
        commit_listener_(batch.writers, batch.entries.size());
      } catch (...) {
      }
    }
    lock.lock();
    committing_ = false;
    bool stopped_now = false;
    if (!s) {
      stopped_now = set_failure(Status(
          ErrorCode::kIo, format_text(Text{"The server could not save changes ({}); they were not accepted. "
                                           "Restart the server after checking its disk or database.",
                                           "服务器无法保存更改（{}），更改未被接受。请检查磁盘或数据库后重启服务器。"},
                                      {s.message()})));
    } else {
      durable_generation_ = batch.generation;
      // Never back: a catch-up may have found these entries saved first, and (the lease lost
      // just after this commit) applied other servers' entries after them.
      durable_cursor_ = std::max(durable_cursor_, cursor);
    }
    committed_.notify_all();
    if (stopped_now) {
      const Status why = failed_;
      lock.unlock();
      tell_stopped(why);
      lock.lock();
    }
  }
  return Status::ok();
}

Status SyncService::stop_after_merge_error(const std::exception& e) {
  return stop_taking_changes(
      Status(ErrorCode::kInternal,
             format_text(Text{"The server stopped accepting changes after an error while merging ({}); the "
                              "changes of that moment were not accepted. Restart the server.",
                              "服务器在合并时出错（{}），已停止接受更改；当时的更改未被接受。请重启服务器。"},
                         {same_text(e.what())})));
}

Status SyncService::stop_taking_changes(Status why) {
  Status failed;
  bool stopped_now = false;
  {
    std::lock_guard commit(commit_mutex_);
    stopped_now = set_failure(std::move(why));
    committed_.notify_all();  // waiters with no write under way see failed_ and return
    failed = failed_;
  }
  if (stopped_now) tell_stopped(failed);
  return failed;
}

bool SyncService::set_failure(Status why) {
  if (!failed_.is_ok()) return false;  // the first failure is the one to report
  failed_ = std::move(why);
  return true;
}

void SyncService::tell_stopped(const Status& why) noexcept {
  if (!stop_listener_) return;
  // It logs; the stop itself has happened whatever it does.
  try {
    stop_listener_(why);
  } catch (...) {
  }
}

Status SyncService::health() const {
  std::lock_guard lock(commit_mutex_);
  return failed_;
}

std::uint64_t SyncService::durable_cursor() const {
  std::lock_guard lock(commit_mutex_);
  return durable_cursor_;
}

std::uint64_t SyncService::ops_merged() const {
  std::lock_guard lock(merge_mutex_);
  return merge_.cursor();
}

std::string SyncService::log_id() const {
  // Every push and pull asks: once known (it never changes), without the merge lock.
  if (log_id_known_.load(std::memory_order_acquire)) return log_id_;
  if (durable_cursor() == 0) return {};
  std::lock_guard lock(merge_mutex_);
  if (!log_id_known_.load(std::memory_order_relaxed)) {
    // The first entry's wire form, whose bytes a codec test pins: replicas compare this id
    // with the one their copy came from, so it must survive upgrades of the server.
    log_id_ = hash_token(sync::encode_log_entry(merge_.log()[0])).substr(0, 32);
    log_id_known_.store(true, std::memory_order_release);
  }
  return log_id_;
}

PullPage SyncService::pull(const AuthContext& who, std::uint64_t cursor, size_t limit) {
  // Several servers: what the others committed is pulled from here too, read before the
  // page for a reader at this server's end and after it for one behind that reached it.
  const bool caught_up = shared_ != nullptr && cursor >= durable_cursor();
  Result<bool> read_others = false;
  if (caught_up) read_others = catch_up();
  PullPage page = page_of(who, cursor, limit);
  if (shared_ == nullptr || page.more || limit == 0) return page;
  // A reader behind this server reached its end: the others may have committed meanwhile,
  // and "no more" would leave the reader behind until the next announcement.
  if (!caught_up) {
    read_others = catch_up();
    page.more = durable_cursor() > page.cursor;
  }
  if (read_others || page.more) return page;
  // What the others committed could not be read: "no more" would be a guess.
  if (!health()) {
    page.cannot_tell = Status(
        ErrorCode::kUnavailable,
        Text{"This server stopped taking changes and cannot read what the other servers commit; sync again "
             "(through another server) or restart it.",
             "此服务器已停止接收更改，无法读取其他服务器提交的内容；请重新同步（经由其他服务器）或重启此服务器。"});
  } else {
    page.cannot_tell =
        Status(ErrorCode::kUnavailable,
               format_text(Text{"This server cannot read what the other servers committed ({}); sync again in a moment.",
                                "此服务器无法读取其他服务器提交的内容（{}）；请稍后重新同步。"},
                           {read_others.status().message()}));
  }
  return page;
}

PullPage SyncService::page_of(const AuthContext& who, std::uint64_t cursor, size_t limit) {
  const std::uint64_t durable = durable_cursor();
  std::lock_guard lock(merge_mutex_);
  PullPage page;
  page.cursor = std::min(cursor, durable);
  if (limit == 0 || cursor >= durable) return page;
  const auto& log = merge_.log();
  if (sees_everything(who)) {
    const std::uint64_t end = std::min<std::uint64_t>(durable, cursor + limit);
    page.entries.assign(log.begin() + static_cast<std::ptrdiff_t>(cursor), log.begin() + static_cast<std::ptrdiff_t>(end));
    page.cursor = end;
    page.more = end < durable;
    return page;
  }
  std::unordered_set<std::uint64_t> included;
  std::unordered_set<std::string> brought;  // rows whose history up to `cursor` this page has
  bool out_of_order = false;                // history (seqs up to `cursor`) after later entries
  size_t scanned = 0;
  std::uint64_t seq = cursor + 1;
  for (; seq <= durable; ++seq) {
    if (page.entries.size() >= limit || scanned++ >= options_.max_pull_scan) break;
    const sync::EntryView e = log.view(seq - 1);
    if (!may_see(merge_.store(), creators_, who, e.op.entity, e.op.row)) continue;
    std::vector<std::uint64_t> earlier = earlier_history(who, e.op, cursor, brought);
    if (!earlier.empty()) {
      if (!page.entries.empty() && page.entries.size() + earlier.size() + 1 > limit) break;
      out_of_order |= !page.entries.empty();
      for (std::uint64_t s : earlier) {
        if (included.insert(s).second) page.entries.push_back(log[s - 1]);
      }
    }
    if (included.insert(seq).second) page.entries.push_back(log[seq - 1]);
  }
  // In log order, as the server merged them: a replica applying an older op after a newer
  // one of the same field would judge it differently and see a divergence. Only history
  // brought after other entries breaks the order the loop adds them in.
  if (out_of_order) {
    std::sort(page.entries.begin(), page.entries.end(),
              [](const sync::LogEntry& a, const sync::LogEntry& b) { return a.seq < b.seq; });
  }
  page.cursor = seq - 1;
  page.more = page.cursor < durable;
  return page;
}

std::vector<std::uint64_t> SyncService::earlier_history(const AuthContext& who, const sync::OpView& op,
                                                        std::uint64_t cursor, std::unordered_set<std::string>& brought) {
  std::vector<std::uint64_t> earlier;
  if (cursor == 0) return earlier;  // nothing earlier to miss
  auto granted_since = [&](std::string_view row_key) {
    const std::uint64_t* last = last_grant_.find(row_key);
    return last != nullptr && *last > cursor;
  };
  // Unless the row or its request was handed on after `cursor`, the reader could see it then
  // as now, and has its history. (Checked first: it is the answer for almost every entry,
  // and costs no allocation.)
  const RowKey key(op.entity, op.row);
  if (!granted_since(key)) {
    if (op.entity == "request") return earlier;
    const std::string request = owning_request(merge_.store(), op.entity, op.row);
    if (request.empty() || !granted_since(RowKey("request", request))) return earlier;
  }
  if (brought.count(std::string(key))) return earlier;
  std::vector<std::string> rows = {std::string(key)};
  if (op.entity == "request") {
    // Handed a request, the reader also needs what was logged on it: notes, subtasks, files.
    if (const auto* children = children_.find(op.row)) {
      for (const std::string& child : *children) {
        const auto slash = child.find('/');
        if (may_see(merge_.store(), creators_, who, child.substr(0, slash), child.substr(slash + 1))) {
          rows.push_back(child);
        }
      }
    }
  }
  for (const std::string& row : rows) {
    if (!brought.insert(row).second) continue;
    if (const auto* history = row_seqs_.find(row)) {
      for (std::uint64_t s : *history) {
        if (s > cursor) break;
        earlier.push_back(s);
      }
    }
  }
  std::sort(earlier.begin(), earlier.end());
  return earlier;
}

namespace {

// One field of a request as the read API shows it: a set's members joined by commas, "" when
// unset. Unmasked.
std::string request_field_text(const sync::ReplicaStore& store, const std::string& id, const sync::FieldSpec& f) {
  if (f.policy == sync::MergePolicy::kSet) {
    std::string joined;
    for (const auto& e : store.read_set("request", id, f.name)) joined += (joined.empty() ? "" : ",") + e;
    return joined;
  }
  auto v = store.read("request", id, f.name);
  return v ? value_text(v->value) : std::string();
}

}  // namespace

RequestFields SyncService::request_fields(const AuthContext& who, const std::string& id,
                                          std::span<const std::string_view> only) const {
  const sync::ReplicaStore& store = merge_.store();
  RequestFields out;
  out["id"] = id;
  const sync::EntitySpec* spec = sync::find_entity("request");
  for (const auto& f : spec->fields) {
    if (only.empty() || std::find(only.begin(), only.end(), f.name) != only.end()) {
      out[std::string(f.name)] = request_field_text(store, id, f);
    }
  }
  if (const auto contact = out.find("contact"); contact != out.end()) {
    const auto owner = store.read("request", id, "owner");
    const bool is_owner = owner && value_text(owner->value) == who.user;
    if (!sees_full_contact(who.role, is_owner)) contact->second = mask_contact(contact->second);
  }
  return out;
}

std::vector<RequestFields> SyncService::list_requests(const AuthContext& who,
                                                      const std::map<std::string, std::string>& filters, size_t offset,
                                                      size_t limit, size_t* total,
                                                      std::span<const std::string_view> only) {
  // Each filter reads its one field; the whole row (about 40 fields) is built only for the
  // rows of the page. A page of 1 of a million requests used to build a million rows while
  // holding the merge lock, and every push waited for it. A report over every request
  // still reads them all, so nothing here holds the lock for more than a slice: a report
  // over 100k requests held it for seconds.
  const sync::EntitySpec* spec = sync::find_entity("request");
  std::vector<std::pair<const sync::FieldSpec*, const std::string*>> checks;
  for (const auto& [k, v] : filters) {
    const auto f = std::find_if(spec->fields.begin(), spec->fields.end(), [&](const auto& s) { return s.name == k; });
    if (f == spec->fields.end()) return {};  // a field no request has: nothing matches
    checks.emplace_back(&*f, &v);
  }
  // The store's rows in slices of numbers (rows of other entities are skipped cheaply, so
  // these slices are larger), then sorted without the lock.
  constexpr size_t kRowNumbersPerLock = 8 * kRowsPerMergeLock;
  std::vector<std::string> ids;
  for (size_t from = 0;; from += kRowNumbersPerLock) {
    merge_mutex_.lock_after_waiters();
    std::lock_guard lock(merge_mutex_, std::adopt_lock);
    const sync::ReplicaStore& store = merge_.store();
    if (from >= store.row_numbers()) break;
    store.append_rows("request", from, from + kRowNumbersPerLock, ids);
  }
  std::sort(ids.begin(), ids.end());
  std::vector<RequestFields> out;
  size_t matched = 0;
  for (size_t i = 0; i < ids.size();) {
    merge_mutex_.lock_after_waiters();
    std::lock_guard lock(merge_mutex_, std::adopt_lock);
    const sync::ReplicaStore& store = merge_.store();
    for (const size_t end = std::min(ids.size(), i + kRowsPerMergeLock); i < end; ++i) {
      const std::string& id = ids[i];
      if (!may_see(store, creators_, who, "request", id)) continue;
      if (store.is_deleted("request", id)) continue;
      const bool ok = std::all_of(checks.begin(), checks.end(),
                                  [&](const auto& c) { return request_field_text(store, id, *c.first) == *c.second; });
      if (!ok) continue;
      if (matched++ >= offset && out.size() < limit) out.push_back(request_fields(who, id, only));
    }
  }
  if (total) *total = matched;
  return out;
}

void SyncService::read_merged(const MergedReader& read) const {
  merge_mutex_.lock_after_waiters();
  std::lock_guard lock(merge_mutex_, std::adopt_lock);
  read(merge_.store(), physical_());
}

std::optional<RequestFields> SyncService::get_request(const AuthContext& who, const std::string& id) {
  std::lock_guard lock(merge_mutex_);
  // A deleted request is gone from the read API, as from the list.
  if (!creators_.creator("request", id) || merge_.store().is_deleted("request", id) ||
      !may_see(merge_.store(), creators_, who, "request", id)) {
    return std::nullopt;
  }
  return request_fields(who, id);
}

}  // namespace rapidesk::server
