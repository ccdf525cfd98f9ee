#include "rapidesk/assignment/assigner.h"

#include <algorithm>

namespace rapidesk::assignment {

namespace {

bool on_leave(const Candidate& c, Instant now) {
  return std::any_of(c.leave.begin(), c.leave.end(), [&](const Leave& l) { return l.from <= now && now < l.to; });
}

bool on_duty(const Candidate& c, Instant now) {
  if (!c.duty) return true;
  auto next = c.duty->next_working_instant(now);
  return next && *next == now;
}

bool has_skills(const Candidate& c, const std::vector<std::string>& needed) {
  return std::all_of(needed.begin(), needed.end(), [&](const std::string& s) {
    return std::find(c.skills.begin(), c.skills.end(), s) != c.skills.end();
  });
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

Text num(long v) { return same_text(std::to_string(v)); }

}  // namespace

int weighted_load(const AssignmentRules& rules, const Candidate& c) {
  int load = 0;
  for (Priority p : c.open_requests) load += rules.load_weight(p);
  return load;
}

Decision choose_owner(const AssignmentRules& rules, const std::string& team, const std::vector<std::string>& needed_skills,
                      const std::vector<Candidate>& candidates, Instant now) {
  Decision d;
  d.team = team;
  int inactive = 0, leave = 0, off_duty = 0;
  std::vector<const Candidate*> available;
  for (const auto& c : candidates) {
    if (!c.active) ++inactive;
    else if (on_leave(c, now)) ++leave;
    else if (!on_duty(c, now)) ++off_duty;
    else available.push_back(&c);
  }
  if (available.empty()) {
    d.explanation = format_text(
        Text{"team {}: nobody available ({} on leave, {} off duty, {} disabled); the request waits for a coordinator",
             "团队 {}：无可分派人员（{} 人休假，{} 人不在岗，{} 人已停用）；等待协调员处理"},
        {same_text(team), num(leave), num(off_duty), num(inactive)});
    return d;
  }
  std::vector<const Candidate*> pool;
  for (const Candidate* c : available) {
    if (has_skills(*c, needed_skills)) pool.push_back(c);
  }
  Text skill_note;
  if (needed_skills.empty()) {
    skill_note = Text{"", ""};
  } else if (pool.empty()) {
    pool = available;
    skill_note = format_text(Text{"; nobody on duty has skill {}, chosen by load only", "；在岗人员均无技能 {}，仅按负载选择"},
                             {same_text(join(needed_skills))});
  } else {
    skill_note = format_text(Text{"; skill: {}", "；技能：{}"}, {same_text(join(needed_skills))});
  }
  auto key = [&](const Candidate* c) {
    // Never assigned sorts first (round robin), then longest since last assignment.
    return std::make_tuple(weighted_load(rules, *c), c->last_assigned_at.has_value(), c->last_assigned_at.value_or(0),
                           c->name);
  };
  std::sort(pool.begin(), pool.end(), [&](const Candidate* a, const Candidate* b) { return key(a) < key(b); });
  const Candidate& best = *pool.front();
  d.owner = best.name;
  d.owner_load = weighted_load(rules, best);
  const bool tie = pool.size() > 1 && weighted_load(rules, *pool[1]) == d.owner_load;
  const std::string& shown = best.display_name.empty() ? best.name : best.display_name;
  d.explanation = format_text(Text{"team {}; {} has load {}, lowest of {} on duty{}{}", "团队 {}；{} 当前负载 {}，为 {} 名在岗人员中最低{}{}"},
                              {same_text(team), same_text(shown), num(d.owner_load), num(static_cast<long>(pool.size())),
                               skill_note,
                               tie ? Text{"; tie broken by round robin", "；负载相同，按轮转选择"} : Text{"", ""}});
  return d;
}

Result<Decision> manual_assignment(const std::string& team, const std::string& owner, const std::string& by,
                                   const std::string& reason) {
  if (owner.empty()) return Status::invalid(Text{"Choose whom to assign the request to.", "请选择负责人。"}, "owner");
  if (by.empty()) return Status::invalid(Text{"A manual assignment must record who made it.", "手动分派必须记录操作人。"}, "owner");
  Decision d;
  d.owner = owner;
  d.team = team;
  d.by_rule = false;
  const bool has_reason = reason.find_first_not_of(" \t\r\n") != std::string::npos;
  d.explanation = format_text(Text{"assigned by hand by {}{}", "由 {} 手动分派{}"},
                              {same_text(by), has_reason ? format_text(Text{": {}", "：{}"}, {same_text(reason)}) : Text{"", ""}});
  return d;
}

}  // namespace rapidesk::assignment
