// One server among several on one database (storage.shared_log() set, PostgreSQL): the
// background threads such a server runs besides serving.
//
// - The listener wakes on every commit another server announces (LISTEN/NOTIFY; and every
//   few seconds in case one was missed), catches this server's merged state up and
//   announces the new cursor to this server's WebSocket clients.
// - The leadership loop checks the leader lock every second. Holding it, this server leads:
//   `lead` rebuilds the SLA clocks from the log and the ledger of fired events (so nothing
//   the previous leader fired fires again, and what came due meanwhile fires once) and
//   starts the SLA scheduler and the scheduled reports. Losing it (its connection is gone),
//   `stop_leading` stops them; while leading the loop only checks the lock, so one taken
//   again after that is a new lead, with a new `lead`. A crashed leader's lock goes with
//   its connection, so another server takes over within about a second of the database
//   noticing.
// - While not leading, the policy follower re-reads the SLA policy file every 30 s, so a
//   policy set with `rapidesk-server sla set` reaches every server's clocks and reviews.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "rapidesk/server/shared_log.h"
#include "rapidesk/shared/status.h"

namespace rapidesk::server {

struct ServerState;

class SharedInstance {
 public:
  struct Roles {
    std::function<Status()> lead;       // kept trying every second until it succeeds
    std::function<void()> stop_leading;
  };
  // `state` and `log` must outlive this.
  SharedInstance(ServerState& state, SharedLog& log, Roles roles);
  ~SharedInstance();  // stop()
  SharedInstance(const SharedInstance&) = delete;
  SharedInstance& operator=(const SharedInstance&) = delete;

  void start();
  // Stops both threads; a leader stops leading (its lock is freed when the process ends).
  void stop();

  // Whether this server leads and still holds the leader lock (asks the database). Never
  // takes the lock: one lost with its session stays lost until the leadership loop takes it
  // again and lead() rebuilds. Thread-safe.
  bool still_leading();

 private:
  void listen_loop();
  void leadership_loop();
  // Not leading, re-reads the SLA policy file every 30 s, as the leader's scheduler does.
  void policy_loop();
  // Waits up to `ms` or until stop(); false when stopping.
  bool pause(int ms);

  ServerState& state_;
  SharedLog& log_;
  const Roles roles_;

  std::mutex mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread listener_;
  std::thread leadership_;
  std::thread policy_;
  std::mutex lock_mutex_;  // the leader lock is used by the loop and by still_leading()
  std::unique_ptr<LeaderLock> lock_;  // guarded by lock_mutex_
  bool leading_ = false;              // guarded by lock_mutex_
};

}  // namespace rapidesk::server
