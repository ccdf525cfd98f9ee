#include "rapidesk/client/sync_worker.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <limits>
#include <map>
#include <set>
#include <thread>

#include "rapidesk/client/attachment_store.h"
#include "rapidesk/client/cursor_stream.h"
#include "rapidesk/client/reconnect_backoff.h"
#include "rapidesk/client/server_api.h"

#include <nlohmann/json.hpp>

namespace rapidesk::client {

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Attachment files this device should have sent but lost before it could (removed by hand,
// a damaged disk), kept in the profile across programs: while the server has no copy either,
// every later sync tells the person to attach the file again, not the server's "not found".
// Saved when it goes out of scope; a failed save only costs that wording.
class LostBeforeUpload {
 public:
  explicit LostBeforeUpload(LocalReplica& replica) : replica_(replica) {
    const auto saved = replica.load_draft(kDraft);
    if (!saved) return;
    const auto list = nlohmann::json::parse(*saved, nullptr, false);
    if (!list.is_array()) return;
    for (const auto& sha : list) {
      if (sha.is_string()) shas_.insert(sha.get<std::string>());
    }
  }
  ~LostBeforeUpload() {
    if (!changed_) return;
    (void)(shas_.empty() ? replica_.clear_draft(kDraft) : replica_.save_draft(kDraft, nlohmann::json(shas_).dump()));
  }
  LostBeforeUpload(const LostBeforeUpload&) = delete;
  LostBeforeUpload& operator=(const LostBeforeUpload&) = delete;

  void lost(const std::string& sha) { changed_ |= shas_.insert(sha).second; }
  void found(const std::string& sha) { changed_ |= shas_.erase(sha) > 0; }
  bool contains(const std::string& sha) const { return shas_.contains(sha); }

 private:
  static constexpr std::string_view kDraft = "sync.files_lost_before_upload";
  LocalReplica& replica_;
  std::set<std::string> shas_;
  bool changed_ = false;
};

// An upload that failed for good: trying again next round would fail the same way (the file
// is larger than the server takes; the bytes here changed since the file was attached).
// Anything else (offline, signed out, a proxy's or the server's passing refusal, an answer
// that could not be read) may pass later, and ends the round.
bool refusal_is_final(const Status& s) {
  return s.code() == ErrorCode::kTooLarge || (s.code() == ErrorCode::kCorrupt && s.field() == AttachmentStore::kChangedHereField);
}

// A round that pulled everything: ok, or one that only held back a file the server had no
// room for (and the edits from its row on). It counts as a sync for the status bar and the
// retry timing, so the device keeps following others' work live meanwhile.
bool round_completed(const Status& s) { return s.is_ok() || s.field() == AttachmentStore::kServerDiskFullField; }

// How long a file the server had no room for is not offered again (each try sends a chunk).
constexpr auto kHeldFileRetry = std::chrono::minutes(2);

}  // namespace

struct SyncWorker::Impl {
  LocalReplica& replica;
  SyncWorkerOptions options;
  mutable std::mutex mutex;
  std::condition_variable wake;
  bool wake_pending = false;
  bool stopping = false;
  bool failing = false;  // the last background round failed: announced cursors do not wake it
  std::thread thread;
  std::unique_ptr<CursorStream> stream;
  std::string stream_token;
  SyncStatus status;
  std::function<void()> on_change;
  std::mutex round_mutex;  // one round at a time (CLI call and background thread)
  // Files the server had no room for, with its answer and when to offer them again;
  // guarded by round_mutex.
  struct HeldFile {
    Status why;
    std::chrono::steady_clock::time_point until;
  };
  std::map<std::string, HeldFile> held_files;
  std::atomic<bool> retry_held_files{false};  // request_sync(true): forget the pauses

  Impl(LocalReplica& r, SyncWorkerOptions o) : replica(r), options(o) {}

  void changed() {
    std::function<void()> handler;
    {
      std::lock_guard lock(mutex);
      handler = on_change;
    }
    if (handler) handler();
  }

  void set_progress(const SyncProgress& p, const ProgressHandler& progress) {
    {
      std::lock_guard lock(mutex);
      status.progress = p;
    }
    if (progress) progress(p);
    changed();
  }

  Status round(const ProgressHandler& progress) {
    std::lock_guard one(round_mutex);
    if (retry_held_files.exchange(false)) held_files.clear();
    const ProfileIdentity who = replica.identity();
    if (who.token.empty()) {
      return Status(ErrorCode::kUnauthorized,
                    Text{"Not signed in: sign in to the server first (rapidesk-cli login USER).",
                         "尚未登录：请先登录服务器（rapidesk-cli login 用户名）。"});
    }
    auto address = ServerAddress::parse(who.server_url);
    if (!address) return address.status();
    ServerApi api(*address);
    api.set_token(who.token);
    std::string known_log = replica.server_log();
    api.set_log(known_log);
    AttachmentStore files(replica.file());
    {
      std::lock_guard lock(mutex);
      status.running = true;
    }
    SyncProgress p;
    p.phase = SyncProgress::Phase::kPushing;
    p.total = replica.sync_state().unsent_ops;
    set_progress(p, progress);
    std::uint64_t head = 0;
    bool pushed = false;
    LostBeforeUpload lost_here(replica);
    // Files the server would not take (larger than it accepts, changed here since they were
    // attached): their rows still go, so one file cannot hold up every later edit; the
    // round reports the first refusal.
    std::set<std::string> refused_shas;
    Status refused_file;
    // A file the server has no room for now: its row and the edits after it wait for a later
    // round, while this one sends the edits before it, pulls what others did and ends with
    // the reason.
    Status held_back;
    std::string held_row;
    // Halved while the server (or a proxy before it) finds a batch too large: long texts
    // make 500 edits more than a body limit, and the same batch would be refused forever.
    std::size_t batch = options.push_batch;
    bool log_confirmed = false;  // a call of this round was answered by the server of known_log
    std::size_t refused_size = std::numeric_limits<std::size_t>::max();  // ops in the last batch refused as too large
    for (;;) {
      if (Status s = stopped(); !s) return s;
      auto ops = replica.next_push(batch);
      if (ops.empty()) break;
      // A file goes up before the row that names it, so whoever pulls the row can fetch it.
      for (const sync::FieldOp& op : ops) {
        if (op.entity != "attachment" || op.field != "sha256" || !op.value.is_string()) continue;
        const std::string& sha = op.value.as_string();
        if (!files.has(sha)) {
          // Lost here (removed by hand, a damaged disk): the row still goes, the rest of the
          // work is not held up, and the download below fetches the file back if the
          // server has it; if not, the round says so.
          lost_here.lost(sha);
          continue;
        }
        if (refused_shas.contains(sha)) continue;  // already tried in this round (a halved batch)
        if (!log_confirmed && !known_log.empty()) {
          // Files go up before the push that would find another server's log there: ask
          // first, so that no file of this copy lands on another server either.
          auto probe = api.pull(replica.sync_state().cursor, 1);
          if (!probe) return probe.status();
          if (Status s = note_log(api, known_log); !s) return s;
          log_confirmed = true;
        }
        if (auto held = held_files.find(sha);
            held != held_files.end() && std::chrono::steady_clock::now() < held->second.until) {
          held_back = held->second.why;  // not offered again so soon
          held_row = op.row;
          break;
        }
        Status s = files.upload(api, sha);
        if (s) {
          held_files.erase(sha);
          continue;
        }
        if (s.field() == AttachmentStore::kServerDiskFullField) {
          held_files[sha] = HeldFile{s, std::chrono::steady_clock::now() + kHeldFileRetry};
          held_back = s;
          held_row = op.row;
          break;
        }
        if (!refusal_is_final(s)) return s;
        refused_shas.insert(sha);
        if (refused_file) {
          refused_file = Status(s.code(),
                                format_text(Text{"The file {} was not uploaded: {}", "文件 {} 未能上传：{}"},
                                            {same_text(files.path_of(sha).string()), s.message()}));
        }
      }
      if (!held_back.is_ok()) {
        // Cut where the held row's ops begin: a row's ops are never split, so no field group is.
        ops.erase(std::find_if(ops.begin(), ops.end(),
                               [&](const sync::FieldOp& o) { return o.entity == "attachment" && o.row == held_row; }),
                  ops.end());
        if (ops.empty()) break;
      }
      auto result = api.push(who.device, ops);
      // Halved only while that makes the batch smaller: one edit is never split, so an edit
      // too large alone ends the round with the server's answer.
      if (!result && result.status().code() == ErrorCode::kTooLarge && ops.size() > 1 && ops.size() < refused_size) {
        refused_size = ops.size();
        batch = std::max<std::size_t>(1, ops.size() / 2);
        held_back = Status::ok();  // the smaller batch finds the held row again if it reaches it
        held_row.clear();
        continue;
      }
      if (!result) return result.status();
      if (Status s = note_log(api, known_log); !s) return s;
      log_confirmed = true;
      // Every edit sent must be answered, or the same ones would be sent again forever.
      if (result->results.size() != ops.size()) {
        return Status::corrupt(Text{"The server did not answer for every edit sent; sync again later.",
                                    "服务器没有对发送的每项修改作出回应；请稍后再同步。"});
      }
      if (Status s = replica.on_push_result(*result); !s) return s;
      refused_size = std::numeric_limits<std::size_t>::max();
      head = std::max(head, result->cursor);
      pushed = true;
      p.done += ops.size();
      set_progress(p, progress);
      if (!held_back.is_ok()) break;
    }
    if (!pushed) {
      // An empty push answers with the server's newest cursor: the total for the progress.
      auto result = api.push(who.device, {});
      if (!result) return result.status();
      if (Status s = note_log(api, known_log); !s) return s;
      // Its server time also ends a clock correction once the date was fixed.
      if (Status s = replica.on_push_result(*result); !s) return s;
      head = result->cursor;
    }
    const std::uint64_t start = replica.sync_state().cursor;
    p = SyncProgress{SyncProgress::Phase::kPulling, 0, head > start ? head - start : 0};
    set_progress(p, progress);
    std::uint64_t cursor = start;
    std::size_t pages = 0;
    // Pages pulled but not yet applied: several are applied in one transaction (see
    // SyncWorkerOptions::apply_entries); whatever ends the loop applies them first.
    std::vector<sync::LogEntry> pulled;
    auto apply_pulled = [&](bool more) -> Status {
      if (pulled.empty() && more) return Status::ok();
      Status s = replica.on_pull_page(pulled, cursor, more);
      pulled.clear();
      if (!s) return s;
      p.done = cursor - start;
      p.total = head - start;
      set_progress(p, progress);
      return Status::ok();
    };
    for (;;) {
      if (options.max_pages_per_round != 0 && pages == options.max_pages_per_round) {
        if (Status s = apply_pulled(true); !s) return s;
        // Unfinished, like an interrupted round; field "max_pages" tells the two apart.
        return Status(ErrorCode::kUnavailable,
                      Text{"Sync stopped before it finished (page limit); sync again for the rest.",
                           "同步在完成前停止（页数限制）；再次同步以获取其余内容。"},
                      "max_pages");
      }
      auto page = api.pull(cursor, options.pull_limit);
      if (!page) {
        if (Status s = apply_pulled(true); !s) return s;
        return page.status();
      }
      if (Status s = note_log(api, known_log); !s) return s;
      ++pages;
      pulled.insert(pulled.end(), std::make_move_iterator(page->entries.begin()),
                    std::make_move_iterator(page->entries.end()));
      cursor = std::max(cursor, page->cursor);
      if (cursor > head) head = cursor;
      if (!page->more || pulled.size() >= options.apply_entries) {
        if (Status s = apply_pulled(page->more); !s) return s;
      }
      if (!page->more) break;
      if (Status s = stopped(); !s) {
        if (Status a = apply_pulled(true); !a) return a;
        return s;
      }
    }
    // Files of attachments pulled (or added here) that this copy does not hold yet. One that
    // cannot be fetched does not fail the round (the edits are synced) but is counted.
    std::size_t missing = 0;
    Status file_problem;
    for (const auto& [sha, size] : replica.attachment_files()) {
      Status s = files.has(sha) ? Status::ok() : files.download(api, sha, size);
      if (s) {
        lost_here.found(sha);
        continue;
      }
      if (s.code() == ErrorCode::kUnavailable) return s;
      ++missing;
      if (!file_problem.is_ok()) continue;
      file_problem = lost_here.contains(sha)
                         ? Status::not_found(format_text(Text{"The file {} was lost on this device before it was "
                                                              "uploaded; attach it again.",
                                                              "文件 {} 在上传前已从本设备丢失；请重新添加附件。"},
                                                         {same_text(files.path_of(sha).string())}))
                         : s;
    }
    {
      std::lock_guard lock(mutex);
      status.files_missing = missing + refused_shas.size();
      status.file_problem = refused_file ? file_problem : refused_file;
    }
    // Ops pushed during this round by another edit are sent by the next round.
    p.phase = SyncProgress::Phase::kDone;
    set_progress(p, progress);
    return held_back;  // ok, or the file the server had no room for (the pull is done)
  }

  // The copy learns its server's log from the first answer naming one, and keeps it. An
  // answer naming another (the server's log was still empty when the call was sent, so it
  // could not refuse) ends the round, like the server's 409 other_server.
  Status note_log(const ServerApi& api, std::string& known) {
    const std::string& seen = api.log_seen();
    if (seen.empty() || seen == known) return Status::ok();
    if (known.empty()) {
      if (Status s = replica.set_server_log(seen); !s) return s;
      known = seen;
      return Status::ok();
    }
    return Status::conflict(sync::other_server_message());
  }

  // kUnavailable once stop() was called: a round ends between steps, and resumes next time.
  Status stopped() {
    std::lock_guard lock(mutex);
    if (!stopping) return Status::ok();
    return Status(ErrorCode::kUnavailable, Text{"Sync was stopped; it resumes next time.", "同步已停止；下次将继续。"});
  }

  Status run_round(const ProgressHandler& progress) {
    Status s = round(progress);
    // A round that stopped during an initial sync (offline, stopped, refused) leaves the
    // views behind the pulled rows: derive them now, so the list shows what arrived.
    if (Status v = replica.settle_views(); !v && s) s = v;
    {
      std::lock_guard lock(mutex);
      status.running = false;
      // A server that answered it has no room for a file now is online all the same.
      status.online = round_completed(s) || s.code() != ErrorCode::kUnavailable;
      status.last_error = s;
      if (round_completed(s)) status.last_sync_ms = now_ms();
      const ReplicaSyncState state = replica.sync_state();
      status.pending_ops = state.pending_ops;
      status.refused_ops = state.refused_ops;
      status.clock_ahead_ms = state.clock_ahead_ms;
      ++status.rounds;
    }
    changed();
    return s;
  }

  void ensure_stream() {
    if (!options.live_stream) return;
    const ProfileIdentity who = replica.identity();
    if (who.token.empty()) return;
    if (stream && stream_token == who.token) return;
    auto address = ServerAddress::parse(who.server_url);
    if (!address) return;
    stream.reset();
    stream_token = who.token;
    stream = std::make_unique<CursorStream>(
        *address, who.token,
        [this](std::uint64_t cursor) {
          if (cursor > replica.sync_state().cursor) {
            (void)replica.note_server_cursor(cursor);
            // During a failure's backoff the next try waits: others' pushes on a busy server
            // must not rerun a round that cannot succeed (a refused file, a server fault).
            bool waiting_out_failure = false;
            {
              std::lock_guard lock(mutex);
              waiting_out_failure = failing;
            }
            if (!waiting_out_failure) wake_now();
          }
        },
        [this](const StreamEvent& e) {
          {
            std::lock_guard lock(mutex);
            status.stream_connected = e.state == StreamState::kConnected;
          }
          changed();
        });
    stream->start();
  }

  void wake_now() {
    {
      std::lock_guard lock(mutex);
      wake_pending = true;
    }
    wake.notify_all();
  }

  void loop() {
    ReconnectBackoff backoff(options.initial_backoff, options.max_backoff);
    for (;;) {
      ensure_stream();
      const Status s = run_round({});
      std::chrono::milliseconds wait = options.poll_interval;
      // Any failure waits longer each time, not only an unreachable server: a round that
      // fails the same way (signed out, a server fault) must not run every poll.
      const bool completed = round_completed(s);
      if (!completed) {
        wait = backoff.next();
      } else {
        backoff.reset();
      }
      {
        std::lock_guard lock(mutex);
        status.next_retry_ms = completed ? 0 : now_ms() + wait.count();
        failing = !completed;
      }
      std::unique_lock lock(mutex);
      wake.wait_for(lock, wait, [this] { return stopping || wake_pending; });
      wake_pending = false;
      if (stopping) return;
    }
  }
};

SyncWorker::SyncWorker(LocalReplica& replica, SyncWorkerOptions options)
    : impl_(std::make_unique<Impl>(replica, options)) {
  const ReplicaSyncState state = replica.sync_state();
  impl_->status.pending_ops = state.pending_ops;
  impl_->status.refused_ops = state.refused_ops;
  impl_->status.clock_ahead_ms = state.clock_ahead_ms;
  impl_->status.last_sync_ms = state.last_sync_ms;
}

SyncWorker::~SyncWorker() { stop(); }

Status SyncWorker::sync_once(const ProgressHandler& progress) { return impl_->run_round(progress); }

void SyncWorker::start() {
  std::lock_guard lock(impl_->mutex);
  if (impl_->thread.joinable()) return;
  impl_->stopping = false;
  impl_->thread = std::thread([this] { impl_->loop(); });
}

void SyncWorker::stop() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->stream.reset();
}

void SyncWorker::request_sync(bool retry_files) {
  if (retry_files) impl_->retry_held_files = true;
  impl_->wake_now();
}

SyncStatus SyncWorker::status() const {
  std::lock_guard lock(impl_->mutex);
  SyncStatus s = impl_->status;
  return s;
}

void SyncWorker::on_change(std::function<void()> handler) {
  std::lock_guard lock(impl_->mutex);
  impl_->on_change = std::move(handler);
}

Text refused_edits_text(std::size_t count) {
  // Refused edits leave the outbox: without a word they would look synced.
  return format_text(Text{"{} edits were refused by the server and not applied; the app's Refused edits window and "
                          "`rapidesk-cli rejected` list them with the reason.",
                          "{} 条修改被服务器拒绝，未生效；应用中的“被拒绝的修改”窗口和 `rapidesk-cli rejected` 列出原因。"},
                     {same_text(std::to_string(count))});
}

Text clock_ahead_text(std::int64_t ahead_ms) {
  const std::int64_t minutes = (ahead_ms + 59'999) / 60'000;
  return format_text(Text{"This device's clock is about {} minutes ahead of the server's. Edits are stamped by the "
                          "server's time meanwhile; fix the date and time of this device.",
                          "本设备时钟比服务器快约 {} 分钟。在此期间修改按服务器时间记录；请校正本设备的日期和时间。"},
                     {same_text(std::to_string(minutes))});
}

Text missing_files_text(std::size_t count, const Status& first) {
  return format_text(Text{"{} attachment files could not be synced; the first: {}",
                          "{} 个附件文件未能同步；第一个：{}"},
                     {same_text(std::to_string(count)), first.message()});
}

}  // namespace rapidesk::client
