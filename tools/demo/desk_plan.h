// The plan of a simulated service desk: which demo users sign in, and for each request
// what its recorder does to it and when, over the last weeks. Pure logic: no files, no
// network, no clock (now is given), so the same seed and now give the same plan.
//
// Every step of a request is done by the one profile that recorded it. A profile that pulls
// from the server takes in the server's stamps (its hybrid clock jumps to the server's now),
// so nothing syncs until the whole history is written; and only the recorder has the request
// before that first sync. The server's rules allow this for every role: field staff and agents
// may edit requests they created, coordinators any.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "demo_data.h"
#include "rapidesk/client/local_replica.h"
#include "rapidesk/shared/time.h"

namespace rapidesk::demo {

// Who signs in: the first coordinator, the first field user, and up to two agents per team.
struct DeskCast {
  std::string coordinator;
  std::string field;
  std::vector<std::string> agents;
  // Everyone who gets a profile, the coordinator last (it syncs last and then sees all).
  std::vector<std::string> profiles() const;
};

// kInvalid when the data lacks a coordinator, a field user, or an agent for a team that
// requests are routed to (see kCategoryTeams in desk_plan.cpp).
Result<DeskCast> choose_cast(const DemoData& data);

struct PlannedStep {
  enum class Action {
    kCreate,       // create_request(fields)
    kSet,          // update("request", id, fields)
    kActivity,     // add_activity(id, kind, text, progress)
    kSubtask,      // add_subtask(id, fields); becomes the request's subtask number `subtask`
    kSubtaskDone,  // update("subtask", subtask `subtask`, done=true)
  };
  Instant at = 0;
  Action action = Action::kSet;
  std::vector<client::FieldInput> fields;
  std::string kind;  // kActivity
  std::string text;  // kActivity
  std::optional<int> progress;
  int subtask = -1;
  std::string status;  // the request's status after this step
};

struct PlannedRequest {
  std::string recorder;  // the profile (user name) that records and works it
  std::vector<PlannedStep> steps;  // in time order; steps[0] is kCreate
  std::string final_status() const { return steps.empty() ? std::string() : steps.back().status; }
};

struct DeskPlan {
  DeskCast cast;
  Instant customers_at = 0;  // when the coordinator records the customer directory
  std::vector<std::vector<client::FieldInput>> customers;
  std::vector<PlannedRequest> requests;  // by contact time, oldest first
};

struct PlanOptions {
  Instant now = 0;           // nothing is planned later than now - 2 min
  int requests = 300;
  std::uint64_t seed = 1;
  int days = 42;             // how far back the first contact may lie
};

// REQUIRES: options.requests >= 1, options.days >= 1.
Result<DeskPlan> plan_desk(const DemoData& data, const PlanOptions& options);

}  // namespace rapidesk::demo
