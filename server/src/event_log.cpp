#include "rapidesk/server/event_log.h"

#include <chrono>

#include <nlohmann/json.hpp>

#include "rapidesk/shared/time.h"

namespace rapidesk::server {

namespace {
std::string now_text() {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return format_iso8601(ms.count());
}
}  // namespace

EventLog::EventLog(std::ostream* out) : out_(out) {}

void EventLog::request(std::string_view method, std::string_view path, int status, double ms,
                       std::string_view user, std::string_view remote) {
  if (out_ == nullptr) return;
  nlohmann::json line = {{"time", now_text()},
                         {"event", "request"},
                         {"method", method},
                         {"path", path},
                         {"status", status},
                         {"ms", static_cast<double>(static_cast<long long>(ms * 100)) / 100.0},
                         {"user", user},
                         {"remote", remote}};
  write_line(line);
}

void EventLog::event(std::string_view level, std::string_view event, const nlohmann::json& fields) {
  if (out_ == nullptr) return;
  nlohmann::json line = {{"time", now_text()}, {"level", level}, {"event", event}};
  if (fields.is_object()) {
    for (const auto& [k, v] : fields.items()) line[k] = v;
  }
  write_line(line);
}

void EventLog::write_line(const nlohmann::json& line) {
  // Request paths and user input can hold anything; replace invalid UTF-8 rather than throw.
  const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::lock_guard lock(mutex_);
  *out_ << text << '\n';
  out_->flush();
}

}  // namespace rapidesk::server
