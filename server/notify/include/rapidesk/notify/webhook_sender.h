// Delivers notifications to webhooks on a background thread, with retry and exponential
// backoff for failures, 5xx and 429 answers (other 4xx answers are final: retrying would
// not help). A full queue drops the oldest pending delivery and counts it.
//
// Thread-safe: send() may be called from any thread; the callback runs on the sender's thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "rapidesk/notify/notification.h"
#include "rapidesk/notify/webhook_url.h"

namespace rapidesk::notify {

// One receiver, configured per team (team "*" receives every team's events).
struct WebhookTarget {
  std::string team;
  std::string url;
  PayloadTemplate format = PayloadTemplate::kGeneric;
  std::vector<EventKind> events;  // empty: every kind
};

struct RetryPolicy {
  int max_attempts = 6;
  std::chrono::milliseconds first_backoff{1000};
  double factor = 2.0;
  std::chrono::milliseconds max_backoff{60'000};
  std::chrono::milliseconds timeout{5000};  // connect + write + read, per attempt
};

struct DeliveryReport {
  std::string url;
  EventKind kind = EventKind::kWarning;
  int attempts = 0;
  int last_status = 0;   // HTTP status of the last answer, 0 when none came
  bool delivered = false;
  std::string error;     // why the last attempt failed, when it did
};

// Whether a delivery answered with `http_status` (0: no answer) is worth sending again
// later: no answer, 429 and 5xx may pass; other 4xx are the receiver's final refusal. A
// redirect (3xx) is not followed (the payload would go to an address nobody configured)
// and counts as not delivered, not as a refusal. WebhookSender itself makes one attempt
// at a redirect (a receiver may have acted on it before redirecting); a scheduled report
// is tried again at its next retry.
bool worth_retrying(int http_status);

class WebhookSender {
 public:
  using Callback = std::function<void(const DeliveryReport&)>;

  WebhookSender(std::vector<WebhookTarget> targets, RetryPolicy policy, Callback on_report = {},
                size_t max_queue = 10'000);
  ~WebhookSender();  // stops after the attempt in flight; pending deliveries are dropped
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  // Queues `n` for every target whose team and event filter match. Returns how many. When
  // `max_queue` deliveries already wait, the oldest is dropped and reported as not delivered.
  size_t send(const Notification& n);
  // Blocks until the queue is empty and nothing is in flight, or `limit` passes.
  bool wait_idle(std::chrono::milliseconds limit);
  size_t dropped() const;

 private:
  struct Delivery {
    WebhookUrl url;
    std::string url_text;
    std::string body;
    EventKind kind;
    int attempts = 0;
    std::chrono::steady_clock::time_point not_before;
  };
  void run();
  // One HTTP POST; returns the status or 0 with `error` set.
  int post_once(const Delivery& d, std::string& error) const;

  const std::vector<WebhookTarget> targets_;  // constant after construction
  const RetryPolicy policy_;
  const Callback on_report_;
  const size_t max_queue_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Delivery> queue_;  // guarded by mutex_
  bool stopping_ = false;       // guarded by mutex_
  bool in_flight_ = false;      // guarded by mutex_
  size_t dropped_ = 0;          // guarded by mutex_
  std::thread worker_;
};

}  // namespace rapidesk::notify
