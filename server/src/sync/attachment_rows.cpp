// Which attachment rows name a file: the sync side of the rule for reading attachment
// files (src/blobs/). The index is built lazily from the log, so pushes pay nothing for it.
#include <algorithm>

#include "rapidesk/server/sync_service.h"

namespace rapidesk::server {

std::vector<std::string> SyncService::attachment_file_granters(const AuthContext& who, std::string_view sha256) {
  // Rows not yet durable do not count: a crash could still lose them.
  const std::uint64_t durable = durable_cursor();  // before merge_mutex_: see the lock order
  std::lock_guard lock(merge_mutex_);
  const auto& log = merge_.log();
  const std::uint64_t end = std::min<std::uint64_t>(durable, log.size());
  for (; attachments_indexed_ < end; ++attachments_indexed_) {
    const sync::OpView op = log.view(attachments_indexed_).op;
    if (op.entity == "attachment" && op.field == "sha256" && op.kind == sync::Value::Kind::kString) {
      attachments_by_sha_[std::string(op.text)].emplace_back(op.row);
    }
  }
  std::vector<std::string> creators;
  auto it = attachments_by_sha_.find(std::string(sha256));
  if (it == attachments_by_sha_.end()) return creators;
  const sync::ReplicaStore& store = merge_.store();
  for (const auto& row : it->second) {
    // The field is append-only, so the indexed value is the current one; checked anyway.
    auto current = store.read("attachment", row, "sha256");
    if (!current || !current->value.is_string() || current->value.as_string() != sha256) continue;
    if (store.is_deleted("attachment", row)) continue;
    if (!may_see(store, creators_, who, "attachment", row)) continue;
    const std::string* creator = creators_.creator("attachment", row);
    if (creator && std::find(creators.begin(), creators.end(), *creator) == creators.end()) creators.push_back(*creator);
  }
  return creators;
}

}  // namespace rapidesk::server
