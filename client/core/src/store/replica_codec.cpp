#include "store/replica_codec.h"

#include <ctime>

#include "rapidesk/sync/codec.h"
#include "rapidesk/sync/entry_records.h"

namespace rapidesk::client::store {

namespace {

Status damaged(std::size_t index, const Text& why) {
  return Status::corrupt(format_text(Text{"The local copy is damaged near stored operation {}: {}",
                                          "本地副本在第 {} 条已存操作附近损坏：{}"},
                                     {same_text(std::to_string(index)), why}));
}

// Decodes form-1 (JSON wire form) entries [begin, end) of `stored` into `out`.
Status decode_json(std::span<const std::string> stored, std::size_t begin, std::size_t end, std::size_t first_index,
                   std::vector<sync::LogEntry>& out) {
  constexpr std::size_t kPage = 1000;
  std::string page;
  for (std::size_t from = begin; from < end; from += kPage) {
    const std::size_t to = std::min(end, from + kPage);
    page.assign("{\"protocol\":1,\"ops\":[");
    for (std::size_t i = from; i < to; ++i) {
      if (i != from) page += ',';
      page += stored[i];
    }
    page += "],\"cursor\":0,\"more\":false}";
    sync::DecodedPull decoded = sync::decode_pull(page);
    if (!decoded.ok() || !decoded.errors.empty()) {
      const Status& why = decoded.ok() ? decoded.errors.front().status : decoded.status;
      return damaged(first_index + from + (decoded.ok() ? decoded.errors.front().index : 0), why.message());
    }
    for (auto& e : decoded.entries) out.push_back(std::move(e));
  }
  return Status::ok();
}

}  // namespace

Result<std::vector<sync::LogEntry>> decode_stored(std::span<const std::string> stored, std::size_t first_index) {
  std::vector<sync::LogEntry> out;
  out.reserve(stored.size());
  // Runs of form-1 entries (written before form 2) go through the wire decoder together.
  std::size_t json_from = 0;
  bool in_json = false;
  for (std::size_t i = 0; i <= stored.size(); ++i) {
    const bool json = i < stored.size() && !stored[i].empty() && stored[i].front() == '{';
    if (in_json && !json) {
      if (Status s = decode_json(stored, json_from, i, first_index, out); !s) return s;
      in_json = false;
    }
    if (i == stored.size()) break;
    if (json) {
      if (!in_json) json_from = i;
      in_json = true;
      continue;
    }
    if (!sync::decode_entry_record(stored[i], out)) {
      return damaged(first_index + i, Text{"an unreadable record", "记录无法读取"});
    }
  }
  return out;
}

int local_utc_offset_minutes() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return static_cast<int>(local.tm_gmtoff / 60);
}

}  // namespace rapidesk::client::store
