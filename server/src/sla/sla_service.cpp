#include "rapidesk/server/sla_service.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "sla/default_assets.h"
#include "sla/policy_file.h"
#include "sla/sla_runtime.h"

namespace rapidesk::server {

namespace {

constexpr std::chrono::milliseconds kLongestSleep{30'000};
// The scheduler's pause after a firing that was refused: what is due stays due, and firing
// again at once would only be refused again.
constexpr std::chrono::seconds kRefusedFiringPause{1};

Result<assignment::AssignmentRules> load_rules(const std::filesystem::path& file) {
  if (file.empty()) return assignment::AssignmentRules::from_json(default_assignment_rules_json());
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return Status::io(format_text(Text{"cannot read the assignment rules file {}", "无法读取分派规则文件 {}"},
                                  {same_text(file.string())}));
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto rules = assignment::AssignmentRules::from_json(text.str());
  if (!rules) {
    return Status::invalid(format_text(Text{"assignment rules file {}: {}", "分派规则文件 {}：{}"},
                                       {same_text(file.string()), rules.status().message()}));
  }
  return rules;
}


Result<PolicyDocument> load_policy_document(const std::filesystem::path& data_dir) {
  if (data_dir.empty()) return PolicyDocument{std::string(default_sla_policy_json()), false};
  return read_policy_document(data_dir);
}

}  // namespace

struct SlaService::Impl {
  Impl(SyncService& sync_in, Storage& storage_in, std::function<Instant()> clock_in, SlaServiceOptions options_in)
      : sync(sync_in), storage(storage_in), clock(std::move(clock_in)), options(std::move(options_in)) {
    if (!options.webhooks.empty()) {
      sender = std::make_unique<notify::WebhookSender>(options.webhooks, options.webhook_retry, options.on_delivery);
    }
  }

  void report(std::string_view event, const Status& s) const {
    if (options.on_problem) options.on_problem(event, s);
  }

  void send(const std::vector<notify::Notification>& notes) {
    if (!sender) return;
    for (const auto& n : notes) sender->send(n);
  }

  void wake() {
    {
      std::lock_guard lock(wake_mutex);
      woken = true;
    }
    wake_cv.notify_one();
  }

  // Fired keys to hand a rebuilt engine: the ledger plus those whose commit may still run.
  Result<std::vector<std::string>> all_fired_keys() {
    auto keys = storage.load_sla_fired();
    if (!keys) return keys.status();
    if (runtime) keys->insert(keys->end(), runtime->fired_since_start().begin(), runtime->fired_since_start().end());
    return keys;
  }

  // Applies a validated policy inside a server task.
  Status apply_policy(std::string text, SlaPolicy policy) {
    Status failure;
    Status s = sync.run_server_task([&](ServerEdits& edits) -> std::vector<std::string> {
      std::lock_guard lock(mutex);
      if (!runtime) {
        pending_policy = PolicyDocument{std::move(text), true};
        return {};
      }
      auto keys = all_fired_keys();
      if (!keys) {
        failure = keys.status();
        return {};
      }
      runtime->replace_policy(edits, std::move(text), std::move(policy), *keys);
      return {};
    });
    if (!s) return s;
    if (!failure) return failure;
    if (options.on_commit) options.on_commit(sync.durable_cursor());
    wake();
    return Status::ok();
  }

  // Sleeps until the next deadline; a push that changed the timers wakes it to look again.
  void run_scheduler() {
    auto last_reload = std::chrono::steady_clock::now();
    for (;;) {
      if (std::chrono::steady_clock::now() - last_reload >= kLongestSleep) {
        last_reload = std::chrono::steady_clock::now();
        if (Status s = owner->reload_policy_if_changed(); !s) report("sla_policy_file", s);
      }
      std::chrono::milliseconds wait = kLongestSleep;
      std::optional<Instant> next;
      {
        std::lock_guard lock(mutex);
        if (runtime) next = runtime->next_due();
      }
      if (next) wait = std::clamp(std::chrono::milliseconds(*next - clock()), std::chrono::milliseconds(0), kLongestSleep);
      if (wait.count() > 0) {
        std::unique_lock lock(wake_mutex);
        wake_cv.wait_for(lock, wait, [this] { return woken || stopping; });
        if (stopping) return;
        const bool timers_changed = woken;
        woken = false;
        if (timers_changed) continue;
      }
      bool refused = false;
      if (auto fired = fire_due(refused); !fired || refused) {
        // Storage failed (the sync service now refuses every commit), or the fire guard says
        // this server no longer leads (its leadership loop stops this scheduler within about
        // a second): do not spin on what stays due.
        std::unique_lock lock(wake_mutex);
        wake_cv.wait_for(lock, kRefusedFiringPause, [this] { return stopping; });
        if (stopping) return;
      }
    }
  }

  // SlaService::fire_due; `refused` tells whether the fire guard said this server no longer
  // leads (then nothing fired, and the answer is ok(0)).
  Result<size_t> fire_due(bool& refused);

  // Constant after construction.
  SyncService& sync;
  Storage& storage;
  const std::function<Instant()> clock;
  const SlaServiceOptions options;
  std::unique_ptr<notify::WebhookSender> sender;  // null without webhooks; thread-safe
  SlaService* owner = nullptr;

  mutable std::mutex mutex;
  std::unique_ptr<SlaRuntime> runtime;          // guarded by mutex; null before start()
  std::optional<PolicyDocument> pending_policy;  // guarded by mutex; a policy set before start()
  std::string rejected_policy_file;              // guarded by mutex; the last invalid file text seen
  std::string unreadable_policy_file;            // guarded by mutex; why the file last could not be read

  std::mutex wake_mutex;  // taken after `mutex`, never before it
  std::condition_variable wake_cv;
  bool woken = false;     // guarded by wake_mutex
  bool stopping = false;  // guarded by wake_mutex
  std::thread scheduler;
  std::function<bool()> fire_guard;  // set before the scheduler starts
};

SlaService::SlaService(SyncService& sync, Storage& storage, std::function<Instant()> clock, SlaServiceOptions options)
    : impl_(std::make_unique<Impl>(sync, storage, std::move(clock), std::move(options))) {
  impl_->owner = this;
}

SlaService::~SlaService() { stop_scheduler(); }

Status SlaService::start() {
  Impl& m = *impl_;
  auto rules = load_rules(m.options.assignment_rules);
  if (!rules) return rules.status();
  auto document = load_policy_document(m.options.data_dir);
  if (!document) return document.status();
  {
    std::lock_guard lock(m.mutex);
    if (m.pending_policy) document = *m.pending_policy;
  }
  auto policy = parse_policy(document->json);
  if (!policy) {
    return Status::invalid(format_text(Text{"the stored SLA policy ({}) is invalid: {}", "已保存的 SLA 策略（{}）无效：{}"},
                                       {same_text((m.options.data_dir / kSlaPolicyFileName).string()),
                                        policy.status().message()}));
  }
  if (Status s = check_duty_calendar(*policy, m.options.duty_calendar); !s) return s;
  // The ledger is read inside the task: with several servers, under the turn to write and
  // after catching up, so a key fired by the previous leader just before is in it.
  Status ledger;
  Status s = m.sync.run_server_task([&](ServerEdits& edits) -> std::vector<std::string> {
    auto keys = m.storage.load_sla_fired();
    if (!keys) {
      ledger = keys.status();
      return {};
    }
    std::lock_guard lock(m.mutex);
    m.runtime = std::make_unique<SlaRuntime>(m.storage, m.options, std::move(*rules), std::move(document->json),
                                             std::move(*policy));
    m.runtime->build(edits, *keys);
    return {};
  });
  if (!s) return s;
  if (!ledger) return ledger;
  if (m.options.on_commit) m.options.on_commit(m.sync.durable_cursor());
  m.wake();
  return Status::ok();
}

void SlaService::start_scheduler() {
  std::lock_guard lock(impl_->wake_mutex);
  if (impl_->scheduler.joinable()) return;
  impl_->stopping = false;
  impl_->scheduler = std::thread([this] { impl_->run_scheduler(); });
}

void SlaService::stop_scheduler() {
  {
    std::lock_guard lock(impl_->wake_mutex);
    impl_->stopping = true;
  }
  impl_->wake_cv.notify_all();
  if (impl_->scheduler.joinable()) impl_->scheduler.join();
}

Result<size_t> SlaService::fire_due() {
  bool refused = false;
  return impl_->fire_due(refused);
}

Result<size_t> SlaService::Impl::fire_due(bool& refused) {
  std::vector<notify::Notification> notes;
  size_t fired = 0;
  refused = false;
  Status s = sync.run_server_task([&](ServerEdits& edits) -> std::vector<std::string> {
    // A leader that lost its lock (its session gone while it still runs) must not fire what
    // the new leader fires: asked here, under the turn to write, the answer holds until this
    // commit is done.
    if (fire_guard && !fire_guard()) {
      refused = true;
      return {};
    }
    std::lock_guard lock(mutex);
    if (!runtime) return {};
    std::vector<std::string> keys = runtime->fire(edits, notes);
    fired = keys.size();
    return keys;
  });
  if (!s) {
    // A stopped server refuses every second (the scheduler retries); the stop itself was
    // logged once, as changes_stopped.
    if (sync.health()) report("sla_fire", s);
    return s;
  }
  // Only what is durable is announced.
  send(notes);
  if (fired > 0 && options.on_commit) options.on_commit(sync.durable_cursor());
  return fired;
}

void SlaService::set_fire_guard(std::function<bool()> still_leading) { impl_->fire_guard = std::move(still_leading); }

std::optional<Instant> SlaService::next_due() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->runtime ? impl_->runtime->next_due() : std::nullopt;
}

size_t SlaService::timer_count() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->runtime ? impl_->runtime->timer_count() : 0;
}

std::string SlaService::policy_json() const {
  std::lock_guard lock(impl_->mutex);
  if (impl_->runtime) return impl_->runtime->policy_text();
  if (impl_->pending_policy) return impl_->pending_policy->json;
  auto document = load_policy_document(impl_->options.data_dir);
  return document ? document->json : std::string(default_sla_policy_json());
}

Status SlaService::set_policy(std::string_view json_text) {
  auto policy = parse_policy(json_text);
  if (!policy) return policy.status();
  if (Status s = check_duty_calendar(*policy, impl_->options.duty_calendar); !s) return s;
  if (!impl_->options.data_dir.empty()) {
    if (Status s = write_policy_document(impl_->options.data_dir, json_text); !s) return s;
  }
  return impl_->apply_policy(std::string(json_text), std::move(*policy));
}

Status SlaService::reload_policy_if_changed() {
  if (impl_->options.data_dir.empty()) return Status::ok();
  auto document = load_policy_document(impl_->options.data_dir);
  {
    std::lock_guard lock(impl_->mutex);
    if (!document) {
      // Reported once while the reason stays the same: this runs every 30 s on every server.
      if (impl_->unreadable_policy_file == document.status().message().en) return Status::ok();
      impl_->unreadable_policy_file = document.status().message().en;
      return document.status();
    }
    impl_->unreadable_policy_file.clear();
    if (!impl_->runtime || impl_->runtime->policy_text() == document->json) return Status::ok();
    if (impl_->rejected_policy_file == document->json) return Status::ok();  // reported once already
  }
  auto policy = parse_policy(document->json);
  Status valid = policy ? check_duty_calendar(*policy, impl_->options.duty_calendar) : policy.status();
  if (!valid) {
    std::lock_guard lock(impl_->mutex);
    impl_->rejected_policy_file = document->json;
    return Status::invalid(format_text(Text{"the SLA policy file was changed but is invalid, so the policy in force "
                                            "stays: {}",
                                            "SLA 策略文件已被修改但无效，继续使用当前策略：{}"},
                                       {valid.message()}));
  }
  return impl_->apply_policy(std::move(document->json), std::move(*policy));
}

Result<std::vector<sla::Clock>> SlaService::request_clocks(const std::string& request_id) {
  Impl& m = *impl_;
  Result<std::vector<sla::Clock>> out = Status::not_found(Text{"the SLA service has not started", "SLA 服务尚未启动"});
  m.sync.read_merged([&](const sync::ReplicaStore& store, Instant now) {
    std::lock_guard lock(m.mutex);
    if (m.runtime) out = m.runtime->clocks(store, request_id, now);
  });
  return out;
}

std::map<std::string, RequestReview> SlaService::review_requests(const std::vector<std::string>& ids) {
  Impl& m = *impl_;
  std::map<std::string, RequestReview> out;
  // A read under the merge lock, like the request list it completes: a server task here
  // took the writer lease of all servers, and when it could not (the database away, this
  // server stopped) the review came back empty and reports counted nothing. In slices, as
  // the list is read, so pushes go on during a report over every request; each slice is
  // reviewed at its own now.
  for (size_t from = 0; from < ids.size(); from += SyncService::kRowsPerMergeLock) {
    m.sync.read_merged([&](const sync::ReplicaStore& store, Instant now) {
      std::lock_guard lock(m.mutex);
      if (!m.runtime) return;
      for (size_t i = from; i < std::min(ids.size(), from + SyncService::kRowsPerMergeLock); ++i) {
        if (auto r = m.runtime->review(store, ids[i], now)) out.emplace(ids[i], std::move(*r));
      }
    });
  }
  return out;
}

void SlaService::after_catch_up(const sync::ReplicaStore& store, const sync::EntryLog& log, Instant now) {
  Impl& m = *impl_;
  std::lock_guard lock(m.mutex);
  if (!m.runtime) return;
  m.runtime->observe_remote(store, log, now);
  m.wake();  // new requests may have new deadlines
}

SyncObserver::WhenDurable SlaService::after_push(ServerEdits& edits) {
  Impl& m = *impl_;
  std::vector<notify::Notification> notes;
  {
    std::lock_guard lock(m.mutex);
    if (!m.runtime) return {};  // not started: clocks are built from the whole log at start()
    m.runtime->observe_push(edits, notes);
  }
  m.wake();
  if (notes.empty()) return {};
  // New urgent requests, announced once they are durable (as fired events are); queued
  // only, delivered from the sender's thread.
  return [&m, notes = std::move(notes)] {
    // The push is durable and acknowledged by now: a webhook that cannot be queued (out of
    // memory) must not turn that into an error; it is reported instead.
    try {
      m.send(notes);
    } catch (const std::exception& e) {
      try {
        m.report("webhook", Status(ErrorCode::kInternal, format_text(Text{"queueing a webhook failed: {}",
                                                                          "webhook 排队失败：{}"},
                                                                     {same_text(e.what())})));
      } catch (...) {  // out of memory for the report too: nothing more can be done here
      }
    }
  };
}

}  // namespace rapidesk::server
