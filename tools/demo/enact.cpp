#include "enact.h"

#include <algorithm>
#include <chrono>
#include <tuple>

namespace rapidesk::demo {

sync::PhysicalClock SimulatedClock::physical() const {
  return [at = at_]() -> std::int64_t {
    const Instant t = at->load();
    if (t != 0) return t;
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
}

namespace {

std::string_view action_name(PlannedStep::Action a) {
  switch (a) {
    case PlannedStep::Action::kCreate: return "create";
    case PlannedStep::Action::kSet: return "set";
    case PlannedStep::Action::kActivity: return "activity";
    case PlannedStep::Action::kSubtask: return "subtask";
    case PlannedStep::Action::kSubtaskDone: return "subtask done";
  }
  return "?";
}

}  // namespace

Result<EnactStats> enact_plan(const DeskPlan& plan, const std::map<std::string, client::LocalReplica*>& profiles,
                              SimulatedClock& clock, const EnactProgress& progress) {
  EnactStats stats;
  struct Release {  // the profiles go back to the system clock however this ends
    SimulatedClock& clock;
    ~Release() { clock.release(); }
  } release{clock};
  auto profile = [&](const std::string& user) -> client::LocalReplica* {
    auto it = profiles.find(user);
    return it == profiles.end() ? nullptr : it->second;
  };
  client::LocalReplica* coordinator = profile(plan.cast.coordinator);
  if (coordinator == nullptr) return Status::invalid(Text{"No profile for the coordinator.", "没有协调员的配置文件。"});

  // The customer directory first, as the coordinator keeps it.
  clock.set(plan.customers_at);
  for (const auto& fields : plan.customers) {
    auto id = coordinator->create_row("customer", fields);
    if (!id) return id.status();
    ++stats.edits;
  }

  // Every step of every request, in time order (a request's own steps keep their order).
  std::vector<std::tuple<Instant, std::size_t, std::size_t>> order;
  for (std::size_t r = 0; r < plan.requests.size(); ++r) {
    for (std::size_t s = 0; s < plan.requests[r].steps.size(); ++s) order.emplace_back(plan.requests[r].steps[s].at, r, s);
  }
  std::sort(order.begin(), order.end());

  std::vector<std::string> ids(plan.requests.size());
  std::vector<std::vector<std::string>> subtasks(plan.requests.size());
  for (const auto& [at, r, s] : order) {
    const PlannedRequest& request = plan.requests[r];
    const PlannedStep& step = request.steps[s];
    client::LocalReplica* replica = profile(request.recorder);
    if (replica == nullptr) {
      return Status::invalid(format_text(Text{"No profile for {}.", "没有 {} 的配置文件。"}, {same_text(request.recorder)}));
    }
    clock.set(at);
    Status done;
    switch (step.action) {
      case PlannedStep::Action::kCreate: {
        auto id = replica->create_request(step.fields);
        if (id) ids[r] = *id;
        done = id ? Status::ok() : id.status();
        break;
      }
      case PlannedStep::Action::kSet: done = replica->update("request", ids[r], step.fields); break;
      case PlannedStep::Action::kActivity: {
        auto id = replica->add_activity(ids[r], step.kind, step.text, step.progress);
        done = id ? Status::ok() : id.status();
        break;
      }
      case PlannedStep::Action::kSubtask: {
        auto id = replica->add_subtask(ids[r], step.fields);
        if (id) subtasks[r].push_back(*id);
        done = id ? Status::ok() : id.status();
        break;
      }
      case PlannedStep::Action::kSubtaskDone: {
        const auto index = static_cast<std::size_t>(step.subtask);
        if (index >= subtasks[r].size()) {
          done = Status::invalid(Text{"the subtask was never made", "该子任务从未创建"});
          break;
        }
        const client::FieldInput finished{"done", "true"};
        done = replica->update("subtask", subtasks[r][index], std::span<const client::FieldInput>(&finished, 1));
        break;
      }
    }
    if (!done) {
      return Status(done.code(),
                    format_text(Text{"Request {} ({}), step {} ({}) by {} was refused: {}",
                                     "请求 {}（{}）的第 {} 步（{}，{}）被拒绝：{}"},
                                {same_text(std::to_string(r + 1)), same_text(ids[r].empty() ? "-" : ids[r]),
                                 same_text(std::to_string(s + 1)), same_text(action_name(step.action)),
                                 same_text(request.recorder), done.message()}),
                    done.field());
    }
    ++stats.edits;
    if (step.action == PlannedStep::Action::kCreate) {
      ++stats.requests;
      if (progress) progress(stats.requests, plan.requests.size());
    }
  }
  return stats;
}

}  // namespace rapidesk::demo
