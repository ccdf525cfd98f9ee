#include "sla/auto_assign.h"

#include <algorithm>

#include "sla/sla_texts.h"

namespace rapidesk::server {

Status Directory::refresh(Storage& storage, Instant now, std::int64_t max_age_ms) {
  if (loaded_at_ && now >= *loaded_at_ && now - *loaded_at_ < max_age_ms) return Status::ok();
  auto users = storage.list_users();
  if (!users) return users.status();
  auto teams = storage.list_teams();
  if (!teams) return teams.status();
  users_ = std::move(*users);
  teams_.clear();
  for (auto& t : *teams) teams_.emplace(t.code, std::move(t));
  loaded_at_ = now;
  return Status::ok();
}

std::optional<std::string> Directory::lead(const std::string& team) const {
  auto it = teams_.find(team);
  if (it == teams_.end() || !it->second.lead || it->second.lead->empty()) return std::nullopt;
  // A disabled lead is nobody to escalate to (as coordinators are filtered below).
  const UserRecord* lead = user(*it->second.lead);
  if (!lead || !lead->active) return std::nullopt;
  return it->second.lead;
}

std::vector<std::string> Directory::coordinators() const {
  std::vector<std::string> out;
  for (const auto& u : users_) {
    if (u.active && u.role == Role::kCoordinator) out.push_back(u.name);
  }
  return out;
}

std::optional<std::string> Directory::team_of(const std::string& name) const {
  const UserRecord* u = user(name);
  return u ? std::optional<std::string>(u->team) : std::nullopt;
}

const UserRecord* Directory::user(const std::string& name) const {
  const auto it = std::find_if(users_.begin(), users_.end(), [&](const UserRecord& u) { return u.name == name; });
  return it == users_.end() ? nullptr : &*it;
}

std::vector<const UserRecord*> Directory::workers(const std::string& team) const {
  std::vector<const UserRecord*> out;
  for (const auto& u : users_) {
    if (u.team == team && (u.role == Role::kField || u.role == Role::kAgent)) out.push_back(&u);
  }
  return out;
}

void OpenLoad::set(const std::string& request, const std::string& owner, Priority priority, bool counts) {
  auto it = counted_.find(request);
  if (it != counted_.end()) {
    if (counts && it->second.owner == owner && it->second.priority == priority) return;
    --per_owner_[it->second.owner][static_cast<size_t>(it->second.priority)];
    counted_.erase(it);
  }
  if (!counts || owner.empty()) return;
  counted_.emplace(request, Entry{owner, priority});
  ++per_owner_[owner][static_cast<size_t>(priority)];
}

std::vector<Priority> OpenLoad::open_of(const std::string& owner) const {
  std::vector<Priority> out;
  auto it = per_owner_.find(owner);
  if (it == per_owner_.end()) return out;
  for (size_t p = 0; p < it->second.size(); ++p) out.insert(out.end(), static_cast<size_t>(it->second[p]), static_cast<Priority>(p));
  return out;
}

AutoAssignment decide_assignment(const assignment::AssignmentRules& rules, const Directory& directory,
                                 const OpenLoad& load, const RequestTracker& tracker, const AssignmentInput& in,
                                 const WorkingCalendar* duty, Instant now) {
  AutoAssignment out;
  std::string team = in.team;
  if (team.empty()) {
    out.set_team = true;
    const std::string& routed = rules.team_for(in.category, in.industry);
    if (directory.has_team(routed)) {
      team = routed;
      out.rule = std::string(to_wire(in.category)) + (in.industry.empty() ? "" : " / " + in.industry) + " → " + routed;
    } else if (auto own = directory.team_of(in.creator); own && directory.has_team(*own)) {
      // The route names a team this server does not have: keep the request with its creator's team.
      team = *own;
      out.rule = "creator's team " + team + " (route team " + routed + " does not exist)";
    } else {
      out.set_team = false;
      out.rule = std::string(to_wire(in.category)) + " → " + routed;
      out.decision.team = routed;
      out.decision.explanation =
          format_text(Text{"team {} does not exist on this server; the request waits for a coordinator",
                           "服务器上没有团队 {}；等待协调员处理"},
                      {same_text(routed)});
      return out;
    }
  } else {
    out.rule = "team " + team + " as recorded";
  }
  std::vector<assignment::Candidate> candidates;
  for (const UserRecord* u : directory.workers(team)) {
    assignment::Candidate c;
    c.name = u->name;
    c.display_name = u->display_name;
    c.skills = u->skills;
    c.duty = duty;
    c.open_requests = load.open_of(u->name);
    c.last_assigned_at = tracker.last_assigned(u->name);
    c.active = u->active;
    candidates.push_back(std::move(c));
  }
  out.decision = assignment::choose_owner(rules, team, rules.skills_for(in.tags, in.industry), candidates, now);
  return out;
}

AutoAssignment unassigned_without_directory(const AssignmentInput& in) {
  AutoAssignment out;
  out.rule = "none: users and teams unreadable";
  out.decision.team = in.team;
  out.decision.explanation = Text{
      "not assigned automatically: the server could not read its users and teams at the time; a coordinator "
      "assigns it",
      "未自动分派：服务器当时无法读取用户与团队信息；由协调员分派"};
  return out;
}

void write_assignment(ServerEdits& edits, const std::string& request, const AutoAssignment& a) {
  if (a.set_team) edits.edit("request", request, "team", sync::Value::string(a.decision.team));
  if (a.decision.owner) edits.edit("request", request, "owner", sync::Value::string(*a.decision.owner));
  edits.edit("request", request, "assigned_by_rule", sync::Value::string(clip_text(a.rule, 200)));
  edits.edit("request", request, "assignment_explanation",
             sync::Value::string(clip_text(stored_text(a.decision.explanation), 2000)));
}

void write_manual_assignment(ServerEdits& edits, const OwnerEdit& e) {
  const std::string team = read_text(edits.store(), "request", e.request, "team");
  auto decision = assignment::manual_assignment(team, e.owner, e.by, "");
  if (!decision) return;
  const std::string text = clip_text(stored_text(decision->explanation), 2000);
  if (read_text(edits.store(), "request", e.request, "assignment_explanation") != text) {
    edits.edit("request", e.request, "assignment_explanation", sync::Value::string(text));
  }
  if (auto rule = edits.store().read("request", e.request, "assigned_by_rule"); rule && !rule->value.is_null()) {
    edits.edit("request", e.request, "assigned_by_rule", sync::Value::null());
  }
}

}  // namespace rapidesk::server
