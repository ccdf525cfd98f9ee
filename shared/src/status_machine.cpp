#include "rapidesk/shared/status_machine.h"

#include <algorithm>

namespace rapidesk {

using S = RequestStatus;

std::vector<RequestStatus> allowed_transitions(RequestStatus from) {
  switch (from) {
    case S::kNew: return {S::kTriaged, S::kClosed};  // closed: duplicate or spam
    case S::kTriaged: return {S::kInProgress, S::kWaitingCustomer, S::kClosed};
    case S::kInProgress: return {S::kVerifying, S::kWaitingCustomer, S::kResolved};
    case S::kWaitingCustomer: return {S::kInProgress, S::kTriaged, S::kResolved, S::kClosed};
    case S::kVerifying: return {S::kResolved, S::kInProgress, S::kWaitingCustomer};
    case S::kResolved: return {S::kClosed, S::kReopened};
    case S::kClosed: return {S::kReopened};
    case S::kReopened: return {S::kTriaged, S::kInProgress};
  }
  return {};
}

Status check_transition(RequestStatus from, RequestStatus to) {
  const auto next = allowed_transitions(from);
  if (std::find(next.begin(), next.end(), to) != next.end()) return Status::ok();
  Text allowed{"", ""};
  for (S s : next) {
    const Text l = label(s);
    if (!allowed.en.empty()) {
      allowed.en += ", ";
      allowed.zh += "、";
    }
    allowed.en += l.en;
    allowed.zh += l.zh;
  }
  return Status::invalid(format_text(Text{"A request cannot go from \"{}\" to \"{}\". From \"{}\" it can go to: {}.",
                                          "请求不能从“{}”变为“{}”。当前状态“{}”可变为：{}。"},
                                     {label(from), label(to), label(from), allowed}),
                         "status");
}

bool sla_clock_runs(RequestStatus s) {
  return s != S::kWaitingCustomer && s != S::kResolved && s != S::kClosed;
}

bool is_finished(RequestStatus s) { return s == S::kResolved || s == S::kClosed; }

}  // namespace rapidesk
