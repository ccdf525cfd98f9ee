#include "rapidesk/server/cursor_announcer.h"

#include <algorithm>

namespace rapidesk::server {

void CursorAnnouncer::subscribe(std::weak_ptr<CursorListener> listener) {
  std::lock_guard lock(mutex_);
  std::erase_if(listeners_, [](const auto& l) { return l.expired(); });
  listeners_.push_back(std::move(listener));
}

void CursorAnnouncer::announce(std::int64_t cursor) {
  std::vector<std::shared_ptr<CursorListener>> live;
  {
    std::lock_guard lock(mutex_);
    if (cursor <= latest_) return;
    latest_ = cursor;
    live.reserve(listeners_.size());
    std::erase_if(listeners_, [&](const auto& weak) {
      auto strong = weak.lock();
      if (!strong) return true;
      live.push_back(std::move(strong));
      return false;
    });
  }
  // Outside the lock: a listener may subscribe another one, or be destroyed here.
  for (const auto& listener : live) listener->on_cursor(cursor);
}

std::int64_t CursorAnnouncer::latest() const {
  std::lock_guard lock(mutex_);
  return latest_;
}

std::size_t CursorAnnouncer::listener_count() const {
  std::lock_guard lock(mutex_);
  std::erase_if(listeners_, [](const auto& l) { return l.expired(); });
  return listeners_.size();
}

}  // namespace rapidesk::server
