// How the simulated desk behaves. The final mix follows a request's age: the newest are
// new, triaged or in progress; older ones were resolved and closed; a few wait for the
// customer or were reopened. Work happens in office hours (Asia/Shanghai, Mon–Fri
// 09:00–18:00) except for urgent requests, and takes about as long as the SLA policy
// expects, with some missing their targets.
#include "desk_plan.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <random>
#include <span>

#include "rapidesk/client/intake.h"
#include "rapidesk/shared/enums.h"

namespace rapidesk::demo {

namespace {

using client::FieldInput;
using Action = PlannedStep::Action;

constexpr int kShanghaiOffsetMinutes = 8 * 60;
constexpr Instant kLatestMarginMs = 2 * kMsPerMinute;  // nothing closer to now than this

// Category → team, as in assets/assignment_rules.json ("routes").
const std::map<std::string, std::string, std::less<>> kCategoryTeams = {
    {"complaint", "SVC"}, {"consultation", "SVC"}, {"service", "SVC"},    {"other", "SVC"},
    {"tech_support", "TECH"}, {"feature", "PROD"}, {"suggestion", "PROD"}};

// ---- texts a desk writes (the customers' own words come from the templates) ----------------

const std::vector<std::string> kFirstContacts = {
    "已电话联系客户，确认问题并告知处理计划。", "已回复邮件，告知预计处理时间。",
    "已与客户沟通，约定今天内给出初步结果。",   "Replied to the customer with the next steps and an estimate.",
    "Called back; the customer confirmed the details."};
const std::map<std::string, std::vector<std::string>, std::less<>> kSolutions = {
    {"tech_support",
     {"重新配置接口参数并重启服务后恢复正常。", "更换故障网络设备，连续观察两小时无掉线。",
      "Patched the export job; the report now completes.", "清理扫码枪缓存并升级固件后连接恢复。"}},
    {"complaint", {"已向客户说明原因并道歉，重新开具正确发票。", "已调整排班并承诺提前通知，给予客户服务补偿。",
                   "Agreed a delivery plan with logistics and credited the customer."}},
    {"consultation", {"已发送报价和操作说明，客户表示清楚。", "Sent the step-by-step guide; the customer did it."}},
    {"feature", {"需求已纳入下一版本计划，已告知客户预计上线时间。", "Scheduled for the next release; the customer was told."}},
    {"suggestion", {"建议已提交产品评审，已向客户反馈结论。"}},
    {"service", {"已完成上门服务，客户签字确认。", "Visit done; the customer signed the service report."}},
    {"other", {"已更新客户资料并通知相关同事。"}}};
const std::map<std::string, std::vector<std::string>, std::less<>> kSubtaskTitles = {
    {"tech_support", {"远程排查日志", "现场更换设备", "回归测试", "Check the interface logs"}},
    {"complaint", {"核对合同与账单", "制定补偿方案", "向客户书面说明"}},
    {"consultation", {"准备报价单", "整理操作说明"}},
    {"feature", {"需求评审", "排期与设计", "Write the acceptance criteria"}},
    {"suggestion", {"收集用户意见", "产品评审"}},
    {"service", {"确认上门时间", "准备培训材料", "现场服务"}},
    {"other", {"更新客户资料"}}};
const std::vector<std::string> kDeliverables = {"排查报告", "签字确认单", "书面说明", "测试记录", "Meeting notes"};
const std::vector<std::string> kBlockers = {"等待备件到货，预计两天。", "需要客户开放远程访问权限。",
                                            "Waiting for the vendor's patch."};
const std::vector<std::string> kWaitReasons = {"等待客户提供日志文件", "等待客户确认上门时间",
                                               "Waiting for the customer to test in their environment"};
const std::vector<std::string> kFollowUps = {"回访客户：运行正常，客户同意结单。", "回访：客户确认问题已解决。",
                                             "Follow-up call: all good, the customer agreed to close."};
const std::vector<std::string> kReopenReasons = {"客户反馈问题再次出现", "The customer reports the issue is back"};
const std::vector<std::string> kBackgrounds = {"客户为年度服务合同客户。", "上月已反馈过类似问题。",
                                               "Key account; the customer's IT manager is in copy."};
const std::array<std::vector<std::string>, 5> kFeedback = {{
    {"问题没有真正解决，非常不满意。", "Still not fixed, very unhappy."},
    {"处理时间太长，影响了业务。"},
    {"解决了，但沟通不够主动。"},
    {"问题解决了，响应可以再快一点。", "Fixed, thanks."},
    {"处理很及时，非常满意。", "Quick and professional, thank you."}}};

// ---- randomness ---------------------------------------------------------------------------

class Dice {
 public:
  explicit Dice(std::uint64_t seed) : engine_(seed) {}
  double uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(engine_); }
  bool chance(double p) { return uniform() < p; }
  int between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(engine_); }
  double minutes(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  template <typename T>
  const T& pick(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(between(0, static_cast<int>(v.size()) - 1))];
  }
  // An index by weight.
  std::size_t weighted(std::span<const double> weights) {
    double total = 0;
    for (double w : weights) total += w;
    double x = uniform() * total;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    return weights.size() - 1;
  }

 private:
  std::mt19937_64 engine_;
};

// ---- office hours (Asia/Shanghai, no DST) ---------------------------------------------------

bool is_weekend(Instant t) {
  const Instant local = t + kShanghaiOffsetMinutes * kMsPerMinute;
  return weekday_index(local / kMsPerDay) >= 5;
}

constexpr Instant kOpens = 9 * kMsPerHour;
constexpr Instant kCloses = 18 * kMsPerHour;

// `t` if it falls in office hours, else the next opening plus `jitter_minutes`.
Instant office_time(Instant t, double jitter_minutes) {
  const Instant offset = kShanghaiOffsetMinutes * kMsPerMinute;
  std::int64_t day = (t + offset) / kMsPerDay;
  const Instant time_of_day = (t + offset) % kMsPerDay;
  const bool weekday = weekday_index(day) < 5;
  if (weekday && time_of_day >= kOpens && time_of_day < kCloses) return t;
  if (!weekday || time_of_day >= kCloses) {
    ++day;
    while (weekday_index(day) >= 5) ++day;
  }
  return day * kMsPerDay - offset + kOpens + static_cast<Instant>(jitter_minutes * kMsPerMinute);
}

// `minutes` of office time after `t` (nights and weekends skipped).
Instant add_office_minutes(Instant t, double minutes, double jitter_minutes) {
  const Instant offset = kShanghaiOffsetMinutes * kMsPerMinute;
  Instant left = static_cast<Instant>(minutes * kMsPerMinute);
  t = office_time(t, jitter_minutes);
  for (;;) {
    const Instant closes = (t + offset) / kMsPerDay * kMsPerDay - offset + kCloses;
    if (t + left < closes) return t + left;
    left -= closes - t;
    t = office_time(closes, jitter_minutes);
  }
}

std::string iso(Instant t) { return format_iso8601(t, kShanghaiOffsetMinutes); }

// ---- one request's script -------------------------------------------------------------------

// A step before its time is known: it comes `gap_minutes` after the previous one (scaled to
// fit before now) — minutes of office time when `office`, else round the clock. Timed
// fields are set to the step's time plus their (calendar) minutes once it is scheduled.
struct ScriptStep {
  double gap_minutes = 0;
  bool office = true;
  double jitter_minutes = 0;
  std::vector<std::pair<std::string, double>> timed_fields;
  PlannedStep step;
};

class Script {
 public:
  Script(Dice& dice, bool office) : dice_(dice), office_(office) {}

  PlannedStep& add(double gap_minutes, Action action, std::string status, bool office = true) {
    ScriptStep s;
    s.gap_minutes = gap_minutes;
    s.office = office && office_;
    s.jitter_minutes = dice_.minutes(0, 50);
    s.step.action = action;
    s.step.status = std::move(status);
    steps_.push_back(std::move(s));
    return steps_.back().step;
  }
  void set(double gap, std::string status, std::vector<FieldInput> fields) {
    add(gap, Action::kSet, std::move(status)).fields = std::move(fields);
  }
  void activity(double gap, const std::string& status, std::string kind, std::string text,
                std::optional<int> progress = std::nullopt) {
    PlannedStep& s = add(gap, Action::kActivity, status);
    s.kind = std::move(kind);
    s.text = std::move(text);
    s.progress = progress;
  }
  void timed(std::string field, double minutes_after) {
    steps_.back().timed_fields.emplace_back(std::move(field), minutes_after);
  }

  // Times every step: from `start`, gaps scaled down until the last step is before `limit`
  // (first keeping office hours, then not); what still does not fit is left out.
  std::vector<PlannedStep> schedule(Instant start, Instant limit) {
    std::vector<Instant> at(steps_.size());
    auto attempt = [&](double factor, bool office) {
      Instant t = start;
      for (std::size_t i = 0; i < steps_.size(); ++i) {
        const double gap = std::max(steps_[i].gap_minutes * factor, i == 0 ? 0.0 : 0.3);
        if (office && steps_[i].office) t = add_office_minutes(t, gap, steps_[i].jitter_minutes);
        else t += static_cast<Instant>(gap * kMsPerMinute);
        at[i] = t;
      }
      return steps_.empty() || at.back() <= limit;
    };
    bool fits = false;
    for (bool office : {true, false}) {
      for (double factor = 1.0; !fits && factor > 0.002; factor *= 0.6) fits = attempt(factor, office);
      if (fits) break;
    }
    if (!fits) attempt(0.002, false);
    std::vector<PlannedStep> out;
    for (std::size_t i = 0; i < steps_.size() && at[i] <= limit; ++i) {
      PlannedStep s = steps_[i].step;
      s.at = at[i];
      for (const auto& [field, minutes] : steps_[i].timed_fields) {
        s.fields.push_back({field, iso(at[i] + static_cast<Instant>(minutes * kMsPerMinute))});
      }
      out.push_back(std::move(s));
    }
    return out;
  }

 private:
  Dice& dice_;
  bool office_;
  std::vector<ScriptStep> steps_;
};

// ---- the desk -----------------------------------------------------------------------------

// What a request ends as, by its age rank (0 = newest, 1 = oldest).
std::string target_status(double age_rank, Dice& dice) {
  struct Mix {
    double up_to;
    std::array<double, 9> weights;  // in the order of kTargets
  };
  static const std::array<const char*, 9> kTargets = {"new",      "triaged",  "in_progress", "waiting_customer", "verifying",
                                                      "resolved", "closed",   "reopened",    "duplicate"};
  static const std::array<Mix, 4> kMixes = {{
      {0.07, {40, 30, 25, 5, 0, 0, 0, 0, 0}},
      {0.20, {0, 10, 40, 15, 15, 20, 0, 0, 0}},
      {0.40, {0, 0, 12, 8, 5, 35, 36, 4, 0}},
      {1.01, {0, 0, 3, 2, 0, 8, 83, 1, 3}},
  }};
  for (const Mix& m : kMixes) {
    if (age_rank < m.up_to) return kTargets[dice.weighted(m.weights)];
  }
  return "closed";
}

int status_rank(std::string_view s) {
  static const std::array<std::string_view, 7> kOrder = {"new", "triaged", "in_progress", "waiting_customer",
                                                         "verifying", "resolved", "closed"};
  for (std::size_t i = 0; i < kOrder.size(); ++i) {
    if (kOrder[i] == s) return static_cast<int>(i);
  }
  return 6;  // reopened / duplicate: the whole way
}

// The policy's resolution target (assets/sla_policy.json) in the minutes the steps count:
// office minutes, or round the clock for urgent requests (their script keeps no hours).
double resolution_budget(Priority p, const std::string& category) {
  if (p == Priority::kUrgent) return category == "tech_support" ? 120 : 480;
  if (category == "tech_support") return 480;
  if (category == "complaint") return 960;  // 48 h round the clock: about two working days
  if (category == "suggestion") return 15 * 540;
  if (p == Priority::kHigh) return 2 * 540;
  if (p == Priority::kLow) return 10 * 540;
  return 5 * 540;
}

double first_response_budget(Priority p) {
  switch (p) {
    case Priority::kUrgent: return 30;
    case Priority::kHigh: return 120;
    case Priority::kMedium: return 480;
    case Priority::kLow: return 1440;
  }
  return 480;
}

struct Desk {
  const DemoData& data;
  const DeskCast& cast;
  Dice& dice;
  Instant limit;

  std::vector<std::string> members(const std::string& team, bool profiles_only) const {
    std::vector<std::string> out;
    for (const DemoUser& u : data.users) {
      if (u.team != team || (u.role != "agent" && u.role != "field")) continue;
      if (profiles_only && std::find(cast.agents.begin(), cast.agents.end(), u.name) == cast.agents.end()) continue;
      out.push_back(u.name);
    }
    return out;
  }
  std::string teammate(const std::string& user) const {
    const DemoUser* u = data.user(user);
    std::vector<std::string> others;
    for (const std::string& m : members(u->team, false)) {
      if (m != user) others.push_back(m);
    }
    return others.empty() ? user : dice.pick(others);
  }
  // The agent (with a profile) who works a request of `team`, preferring one with the skills.
  std::string agent_for(const std::string& team, const std::vector<std::string>& tags) const {
    const auto all = members(team, true);
    std::vector<std::string> skilled;
    for (const std::string& m : all) {
      const auto& skills = data.user(m)->skills;
      if (std::all_of(tags.begin(), tags.end(),
                      [&](const std::string& t) { return std::find(skills.begin(), skills.end(), t) != skills.end(); })) {
        skilled.push_back(m);
      }
    }
    return !skilled.empty() && dice.chance(0.75) ? dice.pick(skilled) : dice.pick(all);
  }

  std::string channel_for(const std::string& recorder, Instant contact) const {
    if (recorder == cast.field) return "visit";
    const Instant local = (contact + kShanghaiOffsetMinutes * kMsPerMinute) % kMsPerDay;
    const bool after_hours = is_weekend(contact) || local < 9 * kMsPerHour || local >= 18 * kMsPerHour;
    static const std::vector<std::string> kChannels = {"phone", "email", "chat", "web_form", "app", "other"};
    static const std::array<double, 6> kOffice = {35, 20, 20, 10, 10, 5};
    static const std::array<double, 6> kAfterHours = {5, 35, 10, 25, 25, 0};
    if (recorder == cast.coordinator && !after_hours) {
      static const std::vector<std::string> kCoordinator = {"phone", "phone", "email", "visit"};
      return dice.pick(kCoordinator);
    }
    return kChannels[dice.weighted(after_hours ? kAfterHours : kOffice)];
  }

  PlannedRequest plan(Instant contact, double age_rank) {
    const RequestTemplate& tpl = dice.pick(data.templates);
    const DemoCustomer& customer = dice.pick(data.customers);
    const std::string routed = kCategoryTeams.at(tpl.category);
    const std::string target = target_status(age_rank, dice);

    // Who records it, who owns it, and in which team.
    std::string recorder, owner, team;
    const DemoUser* field = data.user(cast.field);
    if (target == "new") {
      const double who = dice.uniform();
      recorder = who < 0.4 ? cast.field : who < 0.7 ? cast.coordinator : agent_for(routed, {});
      if (dice.chance(0.5)) team = routed;  // else the server routes it by category
    } else if (target == "triaged" && dice.chance(0.5)) {
      recorder = cast.coordinator;  // dispatches to anyone in the team, with or without a profile
      team = routed;
      owner = dice.pick(members(routed, false));
    } else if ((tpl.category == "service" && dice.chance(0.4)) ||
               (tpl.category == "tech_support" && tpl.impact == "site" && dice.chance(0.2))) {
      recorder = owner = cast.field;  // on-site work by the field team
      team = field->team;
    } else if (tpl.category == "complaint" && (customer.tier == "strategic" || customer.tier == "vip") &&
               dice.chance(0.25)) {
      recorder = owner = cast.coordinator;  // escalated complaints the coordinator handles herself
      team = data.user(cast.coordinator)->team;
    } else {
      recorder = owner = agent_for(routed, tpl.tags);
      team = routed;
    }
    if (target == "duplicate") owner.clear();

    // Intake: what the customer said, as the recorder types it.
    std::string impact = tpl.impact;
    if (dice.chance(0.25)) {
      static const std::vector<std::string> kImpacts = {"single_user", "team", "site", "company"};
      impact = dice.pick(kImpacts);
    }
    const std::string channel = channel_for(recorder, contact);
    std::vector<FieldInput> intake = {
        {"customer", customer.name},     {"customer_id", customer.customer_id}, {"industry", customer.industry},
        {"tier", customer.tier},         {"contact", customer.contact},         {"channel", channel},
        {"category", tpl.category},      {"impact", impact},                    {"title", tpl.title},
        {"description", tpl.description}, {"contacted_at", iso(contact)}};
    for (const std::string& tag : tpl.tags) intake.push_back({"tags", "+" + tag});
    if (dice.chance(0.85)) {
      const double hours = impact == "site" || impact == "company" ? dice.minutes(2, 30) : dice.minutes(8, 170);
      intake.push_back({"expected_at", iso(contact + static_cast<Instant>(hours * kMsPerHour))});
    }
    if (dice.chance(0.3)) intake.push_back({"background", dice.pick(kBackgrounds)});
    if (!team.empty()) intake.push_back({"team", team});
    // The owner is named at intake, never by a later edit: a request that reaches the
    // server without an owner is assigned by rule at once, and a later owner edit (stamped
    // weeks earlier) would then lose to the server's.
    if (!owner.empty()) intake.push_back({"owner", owner});
    Priority priority = Priority::kMedium;
    if (auto d = client::suggest_priority(intake, client::default_priority_rules(), contact)) priority = d->priority;
    const bool urgent = priority == Priority::kUrgent;

    // Phone, chat and visits are recorded at once; written requests when someone is in.
    const bool written = channel == "email" || channel == "web_form" || channel == "app";
    Script s(dice, !urgent);
    s.add(dice.minutes(2, 20), Action::kCreate, "new", written).fields = std::move(intake);
    if (target == "new") return finish(recorder, s, contact);
    if (target == "duplicate") {
      s.set(dice.minutes(10, 90), "closed", {{"status", "closed"}, {"status_reason", "重复请求，已在之前的请求中处理"}});
      return finish(recorder, s, contact);
    }

    // Most requests meet their targets with room to spare; about one in seven does not.
    const double budget = resolution_budget(priority, tpl.category) *
                          (dice.chance(0.9) ? dice.minutes(0.2, 0.75) : dice.minutes(1.1, 2.2));
    const double triage_gap = dice.chance(0.92) ? dice.minutes(2, urgent ? 15 : 30) : dice.minutes(60, 180);
    std::vector<FieldInput> triage = {{"status", "triaged"}};
    if (dice.chance(0.05)) {
      const std::string raised = urgent || priority == Priority::kHigh ? "urgent" : "high";
      triage.push_back({"priority", raised});
      triage.push_back({"priority_reason", "客户高层来电催促，人工提升优先级"});
      triage.push_back({"priority_override_by", recorder});
      if (raised == "urgent") priority = Priority::kUrgent;
    }
    s.set(triage_gap, "triaged", std::move(triage));
    if (target == "triaged") return finish(recorder, s, contact);

    // First answer to the customer; some are late.
    // Complaints are answered within the 4 h their handling plan is due in.
    const double answer_budget = tpl.category == "complaint" ? std::min(first_response_budget(priority), 120.0)
                                                             : first_response_budget(priority);
    const double answer = answer_budget * (dice.chance(0.92) ? dice.minutes(0.1, 0.7) : dice.minutes(1.2, 2.5));
    s.activity(std::max(2.0, answer - triage_gap), "triaged", "customer_contact", dice.pick(kFirstContacts));

    // Work.
    std::vector<FieldInput> start = {{"status", "in_progress"}};
    if (dice.chance(0.2)) start.push_back({"collaborators", "+" + teammate(owner)});
    s.set(budget * dice.minutes(0.03, 0.1), "in_progress", std::move(start));
    if (tpl.category == "complaint") {  // the policy wants a handling plan within 4 h
      s.activity(dice.minutes(10, 60), "in_progress", "progress", "已制定处理方案，核实情况后尽快给客户书面答复。", 10);
    }
    int subtasks = 0;
    if (dice.chance(0.3)) {
      const auto& titles = kSubtaskTitles.at(tpl.category);
      const int n = dice.between(1, static_cast<int>(std::min<std::size_t>(3, titles.size())));
      for (int i = 0; i < n; ++i) {
        PlannedStep& st = s.add(dice.minutes(1, 20), Action::kSubtask, "in_progress");
        st.fields = {{"title", titles[static_cast<std::size_t>(i)]},
                     {"owner", dice.chance(0.6) ? owner : teammate(owner)},
                     {"deliverable", dice.pick(kDeliverables)}};
        st.subtask = subtasks++;
        s.timed("start_at", 0);
        s.timed("due_at", dice.minutes(600, 4000));
      }
    }
    const double work = std::max(budget * 0.3, budget - triage_gap - answer) * dice.minutes(0.75, 0.9);
    const bool reaches_waiting = target == "waiting_customer";
    const bool detour = !reaches_waiting && status_rank(target) > status_rank("waiting_customer") && dice.chance(0.15);
    // A progress entry about every working day (the policy's cadence is 24 h).
    const int notes = reaches_waiting ? 1 : std::clamp(1 + static_cast<int>(work / 480), 1, 4);
    for (int i = 0; i < notes; ++i) {
      const double share = (i + 1) * 80.0 / (notes + 1) + dice.minutes(-5, 5);  // percent, in steps of 5
      const int percent = std::clamp(5 * static_cast<int>(std::lround(share / 5)), 5, 85);
      s.activity(work / (notes + 1), "in_progress", "progress", dice.pick(data.progress_notes), percent);
      if (dice.chance(0.08)) s.activity(dice.minutes(5, 60), "in_progress", "blocker", dice.pick(kBlockers));
      if (i == 0 && !urgent && recorder == cast.coordinator && dice.chance(0.4)) {
        // The customer agrees to a later due time. Only the coordinator does it here: the
        // server checks an owner's or team lead's right against what it stored before the
        // push, so an agent's re-agreement pushed with the request's creation is refused.
        s.set(dice.minutes(10, 60), "in_progress", {{"agreed_reason", "客户同意延期至下周完成"}});
        s.timed("agreed_due", dice.minutes(3, 6) * 24 * 60);
      }
      if (i == 0 && (reaches_waiting || detour)) {
        s.set(dice.minutes(10, 120), "waiting_customer",
              {{"status", "waiting_customer"}, {"status_reason", dice.pick(kWaitReasons)}});
        if (reaches_waiting) return finish(recorder, s, contact);
        s.set(dice.minutes(120, 1500), "in_progress", {{"status", "in_progress"}});  // paused: off the clock
        s.activity(dice.minutes(5, 60), "in_progress", "customer_contact", "客户已提供所需信息，继续处理。");
      }
    }
    if (target == "in_progress") return finish(recorder, s, contact);

    const bool verify = target == "verifying" || dice.chance(0.6);
    const double to_done = work / (notes + 1);
    if (verify) {
      s.set(to_done, "verifying", {{"status", "verifying"}});
      s.activity(dice.minutes(1, 10), "verifying", "progress", "问题已修复，等待客户确认。", 90);
      if (target == "verifying") return finish(recorder, s, contact);
    }
    for (int i = 0; i < subtasks; ++i) {
      PlannedStep& done = s.add(dice.minutes(1, 30), Action::kSubtaskDone, verify ? "verifying" : "in_progress");
      done.subtask = i;
    }
    const auto& solutions = kSolutions.at(tpl.category);
    const bool reopen = target == "reopened" || ((target == "closed" || target == "resolved") && dice.chance(0.03));
    resolve(s, verify ? dice.minutes(15, 60) : to_done, solutions, reopen);
    if (target == "resolved" && !reopen) return finish(recorder, s, contact);
    if (reopen) {
      s.set(dice.minutes(60, 600), "reopened", {{"status", "reopened"}, {"status_reason", dice.pick(kReopenReasons)}});
      if (target == "reopened") return finish(recorder, s, contact);
      s.set(dice.minutes(20, 240), "in_progress", {{"status", "in_progress"}});
      s.activity(work / 3, "in_progress", "progress", dice.pick(data.progress_notes), 60);
      resolve(s, work / 3, solutions, false);
      if (target == "resolved") return finish(recorder, s, contact);
    }
    // Follow-up within a working day of the resolution, then close.
    s.activity(dice.chance(0.9) ? dice.minutes(60, 400) : dice.minutes(600, 1200), "resolved", "customer_contact",
               dice.pick(kFollowUps));
    s.set(dice.minutes(5, 60), "closed", {{"status", "closed"}});
    return finish(recorder, s, contact);
  }

  // Resolution, then the customer's confirmation: mostly a score with a comment, else a
  // feedback entry. `unhappy`: a score of 1 or 2.
  void resolve(Script& s, double gap, const std::vector<std::string>& solutions, bool unhappy) {
    s.set(gap, "resolved", {{"status", "resolved"}});
    s.activity(dice.minutes(1, 5), "resolved", "solution", dice.pick(solutions), 100);
    const double confirm = dice.chance(0.88) ? dice.minutes(10, 50) : dice.minutes(150, 600);  // policy: 2 h
    if (!unhappy && dice.chance(0.15)) {
      s.activity(confirm, "resolved", "feedback", "客户确认问题已解决，未评分。");
      return;
    }
    static const std::array<double, 5> kScores = {4, 8, 13, 30, 45};
    const std::size_t score = unhappy ? static_cast<std::size_t>(dice.between(0, 1)) : dice.weighted(kScores);
    s.set(confirm, "resolved", {{"satisfaction", std::to_string(score + 1)}, {"feedback", dice.pick(kFeedback[score])}});
  }

  PlannedRequest finish(const std::string& recorder, Script& s, Instant contact) {
    return PlannedRequest{recorder, s.schedule(contact, limit)};
  }
};

}  // namespace

std::vector<std::string> DeskCast::profiles() const {
  std::vector<std::string> out = agents;
  out.push_back(field);
  out.push_back(coordinator);
  return out;
}

Result<DeskCast> choose_cast(const DemoData& data) {
  DeskCast cast;
  std::map<std::string, int> per_team;
  for (const DemoUser& u : data.users) {
    if (u.role == "coordinator" && cast.coordinator.empty()) cast.coordinator = u.name;
    if (u.role == "field" && cast.field.empty()) cast.field = u.name;
    if (u.role == "agent" && per_team[u.team]++ < 2) cast.agents.push_back(u.name);
  }
  if (cast.coordinator.empty() || cast.field.empty()) {
    return Status::invalid(Text{"The demo data needs a coordinator and a field user.", "演示数据需要一名协调员和一名外勤人员。"});
  }
  for (const auto& [category, team] : kCategoryTeams) {
    if (per_team[team] == 0) {
      return Status::invalid(format_text(Text{"The demo data has no agent in team {}, where {} requests go.",
                                              "演示数据中团队 {} 没有客服人员，而 {} 类请求会分到该团队。"},
                                         {same_text(team), same_text(category)}));
    }
  }
  return cast;
}

Result<DeskPlan> plan_desk(const DemoData& data, const PlanOptions& options) {
  auto cast = choose_cast(data);
  if (!cast) return cast.status();
  DeskPlan plan;
  plan.cast = std::move(*cast);
  Dice dice(options.seed);
  const Instant limit = options.now - kLatestMarginMs;
  const Instant first = options.now - options.days * kMsPerDay;

  // Contact times: mostly office hours on weekdays, fewer at night and at weekends.
  std::vector<Instant> contacts;
  contacts.reserve(static_cast<std::size_t>(options.requests));
  while (contacts.size() < static_cast<std::size_t>(options.requests)) {
    const std::int64_t day = (first + kShanghaiOffsetMinutes * kMsPerMinute) / kMsPerDay + dice.between(0, options.days);
    const double hour = dice.chance(0.8) ? dice.minutes(9, 18) : dice.minutes(7, 23);
    const Instant t = day * kMsPerDay - kShanghaiOffsetMinutes * kMsPerMinute + static_cast<Instant>(hour * kMsPerHour);
    if (t < first || t > limit - 30 * kMsPerMinute) continue;
    if (is_weekend(t) && dice.chance(0.75)) continue;
    contacts.push_back(t);
  }
  std::sort(contacts.begin(), contacts.end());

  plan.customers_at = first - kMsPerHour;
  for (const DemoCustomer& c : data.customers) {
    plan.customers.push_back({{"name", c.name}, {"customer_id", c.customer_id}, {"industry", c.industry},
                              {"tier", c.tier}, {"contact", c.contact}});
  }
  Desk desk{data, plan.cast, dice, limit};
  const double n = static_cast<double>(contacts.size());
  for (std::size_t i = 0; i < contacts.size(); ++i) {
    plan.requests.push_back(desk.plan(contacts[i], (n - 1 - static_cast<double>(i)) / n));
  }
  return plan;
}

}  // namespace rapidesk::demo
