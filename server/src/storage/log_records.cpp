// The sync log through the wire form of its entries: Storage's default append_log and
// load_log (used by PostgreSQL, whose other servers read the log entry by entry), and the
// decoder of stored records that the shared log's readers use too.
#include "rapidesk/sync/codec.h"
#include "storage/log_pages.h"

namespace rapidesk::server {

SyncLogRecord log_record(const sync::LogEntry& entry) {
  return {entry.seq, entry.op.entity, entry.op.row, sync::encode_log_entry(entry)};
}

Result<std::vector<sync::LogEntry>> decode_log_records(std::span<const SyncLogRecord> records) {
  // Decoded a pull page at a time: the stored form is the wire form of a pull entry.
  std::vector<sync::LogEntry> entries;
  entries.reserve(records.size());
  const size_t page_size = sync::CodecLimits{}.max_ops;
  std::string page;
  for (size_t begin = 0; begin < records.size(); begin += page_size) {
    const size_t end = std::min(records.size(), begin + page_size);
    page = "{\"protocol\":" + std::to_string(sync::kProtocolVersion) + ",\"ops\":[";
    for (size_t i = begin; i < end; ++i) {
      if (i != begin) page += ',';
      page += records[i].entry;
    }
    page += "],\"cursor\":" + std::to_string(records[end - 1].seq) + ",\"more\":false}";
    sync::CodecLimits limits;
    limits.max_body_bytes = page.size() + 1;
    auto decoded = sync::decode_pull(page, limits);
    if (!decoded.ok() || !decoded.errors.empty()) {
      return Status::corrupt(Text{"The stored sync log cannot be read back; restore the data directory from a backup.",
                                  "无法读取已保存的同步日志，请从备份恢复数据目录。"});
    }
    for (auto& e : decoded.entries) entries.push_back(std::move(e));
  }
  return entries;
}

Status Storage::append_log(std::span<const sync::LogEntry* const> entries,
                           std::span<const SyncRejectionRecord> rejected, std::uint64_t next_server_op,
                           std::span<const std::string> fired_sla_keys) {
  std::vector<SyncLogRecord> records;
  records.reserve(entries.size());
  for (const sync::LogEntry* e : entries) records.push_back(log_record(*e));
  return append_sync(records, rejected, next_server_op, fired_sla_keys);
}

Status DecodedPages::add(SyncLogRecord&& record) {
  page_.push_back(std::move(record));
  return page_.size() < sync::CodecLimits{}.max_ops ? Status::ok() : flush();
}

Status DecodedPages::flush() {
  if (page_.empty()) return Status::ok();
  auto decoded = decode_log_records(page_);
  page_.clear();
  if (!decoded) return decoded.status();
  return on_entries_(std::move(*decoded));
}

Status Storage::load_log(const std::function<Status(std::vector<sync::LogEntry>&&)>& on_entries,
                         const std::function<Status(SyncRejectionRecord&&)>& on_rejection,
                         std::uint64_t& next_server_op) {
  DecodedPages pages(on_entries);
  Status s = load_sync([&](SyncLogRecord&& r) { return pages.add(std::move(r)); },
                       [&](SyncRejectionRecord&& r) -> Status {
                         if (Status f = pages.flush(); !f) return f;  // the entries first, as load_log promises
                         return on_rejection(std::move(r));
                       },
                       next_server_op);
  if (!s) return s;
  return pages.flush();
}

}  // namespace rapidesk::server
