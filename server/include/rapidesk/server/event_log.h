// Structured log: one JSON object per line on a stream (stderr by default).
// Thread-safe: lines from concurrent requests never interleave.
#pragma once

#include <mutex>
#include <ostream>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace rapidesk::server {

class EventLog {
 public:
  // `out` may be null to discard everything. Not owned; must outlive the log.
  explicit EventLog(std::ostream* out);

  // {"time":ISO,"event":"request","method":..,"path":..,"status":..,"ms":..,"user":..,"remote":..}
  void request(std::string_view method, std::string_view path, int status, double ms,
               std::string_view user, std::string_view remote);
  // {"time":ISO,"event":EVENT, ...fields}; `fields` must be an object (or null).
  void event(std::string_view level, std::string_view event, const nlohmann::json& fields);

 private:
  void write_line(const nlohmann::json& line);

  std::mutex mutex_;
  std::ostream* out_;  // guarded by mutex_
};

}  // namespace rapidesk::server
