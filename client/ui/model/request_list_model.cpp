#include "request_list_model.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace rapidesk::ui {

std::string RequestListModel::key_of(const client::RequestFilter& f) {
  nlohmann::json j = {{"status", f.status},       {"category", f.category}, {"priority", f.priority},
                      {"channel", f.channel},     {"owner", f.owner},       {"team", f.team},
                      {"sla", f.sla_state},       {"customer", f.customer}, {"mine", f.mine},
                      {"overdue", f.overdue},     {"open", f.open_only},    {"deleted", f.include_deleted},
                      {"search", f.search},       {"tier", f.tier},
                      {"from", f.contacted_from}, {"to", f.contacted_to},       {"sort", static_cast<int>(f.sort)}, {"desc", f.descending}};
  return j.dump();
}

// The query thread: one job at a time (a newer one replaces a waiting one), one answer.
struct RequestListModel::Background {
  struct Job {
    client::RequestFilter filter;
    Instant now = 0;
    std::string key;
  };
  struct Answer {
    Result<std::vector<std::int64_t>> ids = std::vector<std::int64_t>{};
    std::string key;
    double ms = 0;
  };

  std::unique_ptr<client::ReplicaReader> reader;
  std::mutex mutex;
  std::condition_variable wake;
  std::optional<Job> job;
  std::optional<Answer> answer;
  bool busy = false;
  bool stop = false;
  std::thread thread;

  void run() {
    std::unique_lock lock(mutex);
    for (;;) {
      wake.wait(lock, [&] { return stop || job.has_value(); });
      if (stop) return;
      Job j = std::move(*job);
      job.reset();
      busy = true;
      lock.unlock();
      const auto started = Clock::now();
      auto ids = reader->list_rowids(j.filter, j.now);
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
      lock.lock();
      busy = false;
      answer = Answer{std::move(ids), std::move(j.key), ms};
    }
  }
};

RequestListModel::RequestListModel() { filter.limit = 0; }

RequestListModel::~RequestListModel() {
  if (background_) {
    {
      std::lock_guard lock(background_->mutex);
      background_->stop = true;
    }
    background_->wake.notify_one();
    background_->thread.join();
  }
}

Status RequestListModel::run_queries_in_background(const std::filesystem::path& db) {
  if (background_) return Status::ok();
  auto reader = client::ReplicaReader::open(db);
  if (!reader) return reader.status();
  background_ = std::make_unique<Background>();
  background_->reader = std::move(*reader);
  background_->thread = std::thread([b = background_.get()] { b->run(); });
  return Status::ok();
}

bool RequestListModel::query_running() const {
  if (!background_) return false;
  std::lock_guard lock(background_->mutex);
  return background_->busy || background_->job.has_value();
}

void RequestListModel::apply(Result<std::vector<std::int64_t>> ids, std::string key, double ms) {
  last_query_ms_ = ms;
  applied_key_ = std::move(key);
  loaded_ = true;
  chunks_.clear();
  if (!ids) {
    last_error_ = ids.status();
    rowids_.clear();
    return;
  }
  last_error_ = Status::ok();
  rowids_ = std::move(*ids);
}

Result<bool> RequestListModel::refresh(const client::ReplicaReader& reader, Instant now, Clock::time_point at) {
  const std::string key = key_of(filter);
  if (key != pending_key_) {
    pending_key_ = key;
    pending_since_ = at;
  }
  bool changed = false;
  if (background_) {
    std::optional<Background::Answer> answer;
    {
      std::lock_guard lock(background_->mutex);
      answer.swap(background_->answer);
    }
    if (answer) {
      const bool differs = !answer->ids || *answer->ids != rowids_ || !loaded_;
      apply(std::move(answer->ids), std::move(answer->key), answer->ms);
      changed = differs;
    }
  }
  const bool first = requested_key_.empty();
  const bool filter_due = key != requested_key_ && (at - pending_since_ >= debounce || first);
  const bool data_due = data_changed_ && (at - last_data_query_ >= data_refresh_interval || first);
  if (!filter_due && !data_due) return changed;
  requested_key_ = key;
  last_data_query_ = at;
  data_changed_ = false;
  if (background_) {
    {
      std::lock_guard lock(background_->mutex);
      background_->job = Background::Job{filter, now, key};
    }
    background_->wake.notify_one();
    return changed;
  }
  const auto started = Clock::now();
  auto ids = reader.list_rowids(filter, now);
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  const bool differs = !ids || *ids != rowids_ || !loaded_;
  apply(std::move(ids), key, ms);
  return differs;
}

const nlohmann::json* RequestListModel::row(const client::ReplicaReader& reader, std::size_t index) {
  if (index >= rowids_.size()) return nullptr;
  const std::size_t chunk = index / kChunk;
  auto it = chunks_.find(chunk);
  if (it == chunks_.end()) {
    // Keep memory flat when scrolling through 100k rows: drop far chunks.
    if (chunks_.size() > 64) chunks_.clear();
    const std::size_t begin = chunk * kChunk;
    const std::size_t end = std::min(rowids_.size(), begin + kChunk);
    auto rows = reader.requests_by_rowid(std::span<const std::int64_t>(rowids_.data() + begin, end - begin), true);
    if (!rows) {
      last_error_ = rows.status();
      return nullptr;
    }
    it = chunks_.emplace(chunk, std::move(*rows)).first;
  }
  const auto& r = it->second[index % kChunk];
  return r.is_object() ? &r : nullptr;
}

}  // namespace rapidesk::ui
