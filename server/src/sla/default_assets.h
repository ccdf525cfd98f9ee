// The shipped defaults, compiled into the server from assets/ so that it runs with no
// asset files next to it: the SLA policy (assets/sla_policy.json) and the assignment rules
// (assets/assignment_rules.json).
#pragma once

#include <string_view>

namespace rapidesk::server {

std::string_view default_sla_policy_json();
std::string_view default_assignment_rules_json();

}  // namespace rapidesk::server
