#include "sla/sla_texts.h"

#include <algorithm>
#include <cmath>

namespace rapidesk::server {

namespace {

Text num(std::int64_t v) { return same_text(std::to_string(v)); }

// Two digits, for hours, minutes and offsets (all below 100).
std::string two(int v) {
  v = std::clamp(v, 0, 99);
  return std::string{static_cast<char>('0' + v / 10), static_cast<char>('0' + v % 10)};
}

Text names(const std::vector<std::string>& list) {
  std::string out;
  const size_t shown = std::min<size_t>(list.size(), 3);
  for (size_t i = 0; i < shown; ++i) out += (i ? ", " : "") + list[i];
  if (list.size() > shown) {
    // "a, b, c and 2 more" of five; Chinese counts them all: "a, b, c 等 5 人".
    return format_text(Text{"{} and {} more", "{} 等 {} 人"},
                       {Text{out, out}, Text{std::to_string(list.size() - shown), std::to_string(list.size())}});
  }
  return same_text(out);
}

}  // namespace

Text duration_text(std::int64_t ms) {
  const std::int64_t minutes = std::max<std::int64_t>(0, (ms + kMsPerMinute / 2) / kMsPerMinute);
  const std::int64_t days = minutes / (24 * 60);
  const std::int64_t hours = minutes / 60;
  if (minutes < 60) return format_text(Text{"{} min", "{} 分钟"}, {num(minutes)});
  if (hours < 48) {
    if (minutes % 60 == 0) return format_text(Text{"{} h", "{} 小时"}, {num(hours)});
    return format_text(Text{"{} h {} min", "{} 小时 {} 分钟"}, {num(hours), num(minutes % 60)});
  }
  const std::int64_t rest = hours % 24;
  if (rest == 0) return format_text(Text{"{} d", "{} 天"}, {num(days)});
  return format_text(Text{"{} d {} h", "{} 天 {} 小时"}, {num(days), num(rest)});
}

Text local_time_text(Instant t, int offset) {
  const Instant local = t + static_cast<Instant>(offset) * kMsPerMinute;
  const std::int64_t days = local >= 0 ? local / kMsPerDay : -((-local + kMsPerDay - 1) / kMsPerDay);
  const std::int64_t minute_of_day = (local - days * kMsPerDay) / kMsPerMinute;
  const CivilDate d = civil_from_days(days);
  const int off = std::abs(offset);
  std::string out = format_date(d);
  out += ' ';
  out += two(static_cast<int>(minute_of_day / 60));
  out += ':';
  out += two(static_cast<int>(minute_of_day % 60));
  out += offset < 0 ? " -" : " +";
  out += two(off / 60);
  out += ':';
  out += two(off % 60);
  return same_text(out);
}

Text event_text(const sla::SlaEvent& e, const EventDetails& d, const EventAudience& a) {
  const Text target = label(e.target);
  const Text due = local_time_text(d.target_due.value_or(e.due), d.utc_offset_minutes);
  switch (e.type) {
    case sla::EventType::kWarning:
      return format_text(Text{"[SLA at risk] {} is due at {}; of its {} target, {}% is used.",
                              "[SLA 即将超时] {}将于 {} 到期；{} 目标时间已用去 {}%。"},
                         {target, due, duration_text(d.target_ms),
                          num(static_cast<std::int64_t>(std::lround(d.warning_share * 100)))});
    case sla::EventType::kBreach: {
      const Text lead = !a.known ? Text{"the team lead", "组长"}
                        : a.lead ? format_text(Text{"the team lead {}", "组长 {}"}, {same_text(*a.lead)})
                                 : format_text(Text{"the team lead (team {} has no active lead)", "组长（团队 {} 没有在职组长）"},
                                               {same_text(a.team)});
      return format_text(Text{"[SLA breached] {} was due at {}; escalated to {}.", "[SLA 已超时] {}已于 {} 到期；已升级至{}。"},
                         {target, due, lead});
    }
    case sla::EventType::kEscalation: {
      const Text coordinators =
          !a.known ? Text{"the coordinators", "协调员"}
                   : format_text(Text{"the coordinators ({})", "协调员（{}）"},
                                 {a.coordinators.empty() ? Text{"none registered", "未登记"} : names(a.coordinators)});
      return format_text(Text{"[Escalated] {} overdue since {}; escalated to {}.", "[已升级] {}自 {} 起超时；已升级至{}。"},
                         {target, due, coordinators});
    }
    case sla::EventType::kReminder:
      return format_text(Text{"[Progress update due] {} requests need a progress update every {}; none since {} "
                              "(reminder {}).",
                              "[需要更新进度] {}请求每 {} 需更新一次进度；自 {} 起未更新（第 {} 次提醒）。"},
                         {label(d.priority), duration_text(d.target_ms),
                          local_time_text(e.due - static_cast<Instant>(e.level) * d.target_ms, d.utc_offset_minutes),
                          num(e.level)});
  }
  return {};
}

Text late_upload_text(Instant contacted_at, Instant recorded_at, Instant accepted_at, int offset) {
  return format_text(Text{"Uploaded {} after the customer contact at {} (recorded on the device {} after it); SLA "
                          "clocks run from the contact time.",
                          "客户联系 {} 后才上传（联系时间 {}，设备上于联系后 {} 记录）；SLA 计时从联系时间开始。"},
                     {duration_text(accepted_at - contacted_at), local_time_text(contacted_at, offset),
                      duration_text(recorded_at - contacted_at)});
}

Text reagreed_text(Instant agreed_due, std::optional<Instant> original_due, const std::string& by,
                   const std::string& reason, int offset) {
  const Text original = original_due ? local_time_text(*original_due, offset) : Text{"not set", "未设定"};
  return format_text(Text{"Resolution due re-agreed with the customer by {}: now {} (policy target {}). Reason: {}",
                          "{} 与客户重新约定解决期限：现为 {}（策略目标 {}）。原因：{}"},
                     {same_text(by), local_time_text(agreed_due, offset), original,
                      same_text(reason.empty() ? "-" : reason)});
}

Text paused_text(const SlaPause& pause, int offset) {
  return format_text(Text{"SLA clocks paused by {} at {}. Reason: {}", "{} 于 {} 暂停 SLA 计时。原因：{}"},
                     {same_text(pause.by.empty() ? "-" : pause.by), local_time_text(pause.from, offset),
                      same_text(pause.reason.empty() ? "-" : pause.reason)});
}

Text resumed_text(const SlaPause& pause, int offset) {
  const Instant to = pause.to.value_or(pause.from);
  const std::int64_t minutes = std::max<std::int64_t>(0, to - pause.from) / 60'000;
  const Text length{std::to_string(minutes / 60) + " h " + std::to_string(minutes % 60) + " min",
                    std::to_string(minutes / 60) + " 小时 " + std::to_string(minutes % 60) + " 分钟"};
  return format_text(Text{"SLA clocks running again at {} after a pause of {} (paused at {}: {}).",
                          "SLA 计时于 {} 恢复，共暂停 {}（{} 暂停：{}）。"},
                     {local_time_text(to, offset), length, local_time_text(pause.from, offset),
                      same_text(pause.reason.empty() ? "-" : pause.reason)});
}

std::string clip_text(std::string_view s, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    // A byte that does not continue a character starts one.
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && chars++ == max_chars) return std::string(s.substr(0, i));
  }
  return std::string(s);
}

}  // namespace rapidesk::server
