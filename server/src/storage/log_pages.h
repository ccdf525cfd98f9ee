// Stored wire-form log records passed on decoded, a page (CodecLimits::max_ops records) at a
// time: how a backend's load_log reads rows written one entry at a time without holding a
// long log whole as records. Not thread-safe.
#pragma once

#include <functional>
#include <vector>

#include "rapidesk/server/storage.h"

namespace rapidesk::server {

class DecodedPages {
 public:
  using Sink = std::function<Status(std::vector<sync::LogEntry>&&)>;
  // `on_entries` must outlive this.
  explicit DecodedPages(const Sink& on_entries) : on_entries_(on_entries) {}

  // Keeps `record`; once a page is full, decodes it and passes its entries on.
  Status add(SyncLogRecord&& record);
  // Decodes what is kept and passes it on (nothing when nothing is kept).
  Status flush();

 private:
  const Sink& on_entries_;
  std::vector<SyncLogRecord> page_;
};

}  // namespace rapidesk::server
