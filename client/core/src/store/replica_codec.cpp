#include "store/replica_codec.h"

#include <ctime>

#include "rapidesk/sync/codec.h"

namespace rapidesk::client::store {

std::string encode_stored(const sync::LogEntry& entry) { return sync::encode_log_entry(entry); }

Result<std::vector<sync::LogEntry>> decode_stored(std::span<const std::string> stored, std::size_t first_index) {
  constexpr std::size_t kPage = 1000;
  std::vector<sync::LogEntry> out;
  out.reserve(stored.size());
  std::string page;
  for (std::size_t begin = 0; begin < stored.size(); begin += kPage) {
    const std::size_t end = std::min(stored.size(), begin + kPage);
    page.assign("{\"protocol\":1,\"ops\":[");
    for (std::size_t i = begin; i < end; ++i) {
      if (i != begin) page += ',';
      page += stored[i];
    }
    page += "],\"cursor\":0,\"more\":false}";
    sync::DecodedPull decoded = sync::decode_pull(page);
    if (!decoded.ok() || !decoded.errors.empty()) {
      const Status& why = decoded.ok() ? decoded.errors.front().status : decoded.status;
      return Status::corrupt(format_text(Text{"The local copy is damaged near stored operation {}: {}",
                                              "本地副本在第 {} 条已存操作附近损坏：{}"},
                                         {same_text(std::to_string(first_index + begin + (decoded.ok() ? decoded.errors.front().index : 0))),
                                          why.message()}));
    }
    for (auto& e : decoded.entries) out.push_back(std::move(e));
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
