// Fans new sync cursors out to every connected stream client.
// Thread-safe: announce() may be called from any thread (the sync endpoints call it after
// each commit); listeners are notified synchronously on the announcing thread and must
// only hand the value off (a WebSocket session posts it onto its strand), so delivery takes
// one scheduling hop, well under 100 ms.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace rapidesk::server {

class CursorListener {
 public:
  virtual ~CursorListener() = default;
  // Called on the announcing thread; must not block or call back into the announcer.
  virtual void on_cursor(std::int64_t cursor) = 0;
};

class CursorAnnouncer {
 public:
  // Listeners are held weakly: one that is destroyed simply stops being called.
  void subscribe(std::weak_ptr<CursorListener> listener);

  // Records `cursor` and tells every live listener. Cursors only move forward: a value not
  // above the latest one announced is ignored (commits may finish out of order).
  void announce(std::int64_t cursor);

  // The latest cursor announced (0 before any), sent to a client when it connects.
  std::int64_t latest() const;
  // Live listeners (expired ones pruned).
  std::size_t listener_count() const;

 private:
  mutable std::mutex mutex_;
  std::int64_t latest_ = 0;                             // guarded by mutex_
  mutable std::vector<std::weak_ptr<CursorListener>> listeners_;  // guarded by mutex_
};

}  // namespace rapidesk::server
