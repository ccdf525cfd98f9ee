// The requests list as the UI sees it: the filter a person edits, the ordered index of
// every matching request (rowids, cached), and the rows on screen read on demand in small
// chunks. Re-querying happens only when the filter settles (typing in the search box is
// debounced) or the data changed (a sync or an edit), never per frame, so the list stays
// smooth at 100k requests with ImGuiListClipper drawing only the visible rows.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "rapidesk/client/replica_reader.h"

namespace rapidesk::ui {

class RequestListModel {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kChunk = 64;

  // The filter as edited; applied by refresh() once it has been unchanged for `debounce`.
  client::RequestFilter filter;
  std::chrono::milliseconds debounce{150};
  // Data changes arriving faster than this are folded into one re-query.
  std::chrono::milliseconds data_refresh_interval{500};

  RequestListModel();
  ~RequestListModel();
  RequestListModel(const RequestListModel&) = delete;
  RequestListModel& operator=(const RequestListModel&) = delete;

  // From now on the index queries run on a thread of their own, on a connection of their
  // own to `db`, so a query over 100k requests never stalls a frame: refresh() posts the
  // query and picks up its answer on a later frame. Without this (tests), queries run
  // inside refresh().
  Status run_queries_in_background(const std::filesystem::path& db);
  // A background query is under way (the list shows the previous answer meanwhile).
  bool query_running() const;

  // A sync or a local edit changed rows: re-read the index and the rows on screen.
  void mark_data_changed() { data_changed_ = true; }
  // Runs (or posts) the index query when due, and takes a finished background answer.
  // Returns true when the index changed.
  Result<bool> refresh(const client::ReplicaReader& reader, Instant now, Clock::time_point at = Clock::now());

  std::size_t size() const { return rowids_.size(); }
  bool loaded() const { return loaded_; }
  // The row at `index` in the current order, reading its chunk if needed; nullptr when out
  // of range or the row vanished.
  const nlohmann::json* row(const client::ReplicaReader& reader, std::size_t index);
  double last_query_ms() const { return last_query_ms_; }
  const Status& last_error() const { return last_error_; }

  // A stable text form of a filter (what changed detection compares).
  static std::string key_of(const client::RequestFilter& f);

 private:
  struct Background;
  void apply(Result<std::vector<std::int64_t>> ids, std::string key, double ms);

  std::unique_ptr<Background> background_;
  std::string requested_key_;  // the filter of the newest query run or posted
  std::vector<std::int64_t> rowids_;
  std::unordered_map<std::size_t, std::vector<nlohmann::json>> chunks_;
  std::string applied_key_;
  std::string pending_key_;
  Clock::time_point pending_since_{};
  Clock::time_point last_data_query_{};
  bool data_changed_ = true;
  bool loaded_ = false;
  double last_query_ms_ = 0;
  Status last_error_;
};

}  // namespace rapidesk::ui
