#include "reports/report_labels.h"

#include <cmath>
#include <cstdio>

#include "rapidesk/shared/sla_policy.h"
#include "rapidesk/shared/time.h"

namespace rapidesk::server {

const Text ReportTexts::kTitle{"Service review", "服务回顾"};
const Text ReportTexts::kPeriod{"Period", "统计期间"};
const Text ReportTexts::kPrevious{"Previous period", "上一期间"};
const Text ReportTexts::kGrouping{"Grouped by", "分组方式"};
const Text ReportTexts::kThisPeriod{"This period", "本期"};
const Text ReportTexts::kPreviousPeriod{"Previous period", "上期"};
const Text ReportTexts::kChange{"Change", "变化"};
const Text ReportTexts::kMetric{"Metric", "指标"};
const Text ReportTexts::kGroup{"Group", "分组"};
const Text ReportTexts::kRecurring{"Recurring issues", "重复出现的问题"};
const Text ReportTexts::kCount{"Count", "数量"};
const Text ReportTexts::kExamples{"Example requests", "示例需求"};
const Text ReportTexts::kExampleText{"Example text", "示例内容"};
const Text ReportTexts::kCommonTags{"Common tags", "共同标签"};
const Text ReportTexts::kSlaMet{"SLA met per target", "各项 SLA 达成情况"};
const Text ReportTexts::kHandlingTimes{"Handling times", "处理时长"};
const Text ReportTexts::kSatisfaction{"Satisfaction", "满意度"};
const Text ReportTexts::kSatisfactionMean{"Satisfaction (mean)", "满意度（平均）"};
const Text ReportTexts::kMetOriginal{"Met", "按时达成"};
const Text ReportTexts::kMetReagreed{"Met re-agreed", "按重新约定达成"};
const Text ReportTexts::kMissed{"Missed", "未达成"};
const Text ReportTexts::kMetPercent{"Met %", "达成率 %"};
const Text ReportTexts::kMedian{"median", "中位数"};
const Text ReportTexts::kP90{"p90", "P90"};
const Text ReportTexts::kCalendarTime{"calendar time", "日历时间"};
const Text ReportTexts::kWorkingTime{"working time", "工作时间"};
const Text ReportTexts::kFirstResponse{"First response", "首次响应"};
const Text ReportTexts::kResolution{"Resolution", "解决"};
const Text ReportTexts::kNone{"–", "–"};

namespace {

// "A B (c, d)" in both languages from Text parts.
Text join(const Text& a, const Text& b, const Text& c, const Text& d) {
  return Text{a.en + " " + b.en + " (" + c.en + ", " + d.en + ")", a.zh + b.zh + "（" + c.zh + "，" + d.zh + "）"};
}

const nlohmann::json& at_path(const nlohmann::json& j, std::initializer_list<const char*> path) {
  static const nlohmann::json kNull;
  const nlohmann::json* cur = &j;
  for (const char* k : path) {
    if (!cur->is_object()) return kNull;
    auto it = cur->find(k);
    if (it == cur->end()) return kNull;
    cur = &*it;
  }
  return *cur;
}

nlohmann::json ms_to_hours(const nlohmann::json& ms) {
  if (!ms.is_number()) return nullptr;
  return ms.get<double>() / 3'600'000.0;
}

}  // namespace

std::vector<FigureRow> figure_rows(const nlohmann::json& f, const nlohmann::json& prev,
                                   const std::vector<std::string>& sla_targets) {
  std::vector<FigureRow> rows;
  auto add = [&](std::string key, Text label, FigureUnit unit, const nlohmann::json& value,
                 const nlohmann::json& previous) {
    if (unit == FigureUnit::kHours) {
      rows.push_back({std::move(key), std::move(label), unit, ms_to_hours(value), ms_to_hours(previous)});
    } else {
      rows.push_back({std::move(key), std::move(label), unit, value, previous});
    }
  };
  struct Plain {
    const char* key;
    Text label;
    FigureUnit unit;
  };
  const Plain plain[] = {{"opened", {"Opened", "新建"}, FigureUnit::kCount},
                         {"resolved", {"Resolved", "已解决"}, FigureUnit::kCount},
                         {"closed", {"Closed", "已关闭"}, FigureUnit::kCount},
                         {"reopened", {"Reopened", "重新打开"}, FigureUnit::kCount},
                         {"reopen_rate_percent", {"Reopen rate %", "重开率 %"}, FigureUnit::kPercent},
                         {"backlog_at_end", {"Backlog at end", "期末积压"}, FigureUnit::kCount}};
  for (const auto& p : plain) add(p.key, p.label, p.unit, at_path(f, {p.key}), at_path(prev, {p.key}));

  const Text hours{"hours", "小时"};
  for (const char* phase : {"first_response", "resolution"}) {
    const Text& phase_text =
        std::string_view(phase) == "first_response" ? ReportTexts::kFirstResponse : ReportTexts::kResolution;
    for (const char* clock : {"calendar", "working"}) {
      const Text& clock_text =
          std::string_view(clock) == "calendar" ? ReportTexts::kCalendarTime : ReportTexts::kWorkingTime;
      const std::string base = std::string(phase) + "." + clock + ".";
      add(base + "count", join(phase_text, ReportTexts::kCount, clock_text, same_text("n")), FigureUnit::kCount,
          at_path(f, {phase, clock, "count"}), at_path(prev, {phase, clock, "count"}));
      add(base + "median_hours", join(phase_text, ReportTexts::kMedian, clock_text, hours), FigureUnit::kHours,
          at_path(f, {phase, clock, "median_ms"}), at_path(prev, {phase, clock, "median_ms"}));
      add(base + "p90_hours", join(phase_text, ReportTexts::kP90, clock_text, hours), FigureUnit::kHours,
          at_path(f, {phase, clock, "p90_ms"}), at_path(prev, {phase, clock, "p90_ms"}));
    }
  }

  for (const auto& target : sla_targets) {
    const auto t = from_wire<SlaTarget>(target);
    const Text name = t ? label(*t) : same_text(target);
    struct Part {
      const char* key;
      const Text* label;
      FigureUnit unit;
    };
    const Part parts[] = {{"met_original", &ReportTexts::kMetOriginal, FigureUnit::kCount},
                          {"met_reagreed", &ReportTexts::kMetReagreed, FigureUnit::kCount},
                          {"missed", &ReportTexts::kMissed, FigureUnit::kCount},
                          {"met_percent", &ReportTexts::kMetPercent, FigureUnit::kPercent}};
    for (const auto& part : parts) {
      const nlohmann::json& value = at_path(f, {"sla", target.c_str(), part.key});
      const nlohmann::json& previous = at_path(prev, {"sla", target.c_str(), part.key});
      // A target with no decided clock counts 0 met and 0 missed; its met % stays unmeasured.
      const bool is_count = part.unit == FigureUnit::kCount;
      add("sla." + target + "." + part.key,
          Text{"SLA " + name.en + " " + part.label->en, "SLA " + name.zh + " " + part.label->zh}, part.unit,
          value.is_null() && is_count ? nlohmann::json(0) : value,
          previous.is_null() && is_count && prev.is_object() ? nlohmann::json(0) : previous);
    }
  }

  add("satisfaction.mean", ReportTexts::kSatisfactionMean, FigureUnit::kScore, at_path(f, {"satisfaction", "mean"}),
      at_path(prev, {"satisfaction", "mean"}));
  for (const char* score : {"1", "2", "3", "4", "5"}) {
    add(std::string("satisfaction.counts.") + score,
        Text{"Satisfaction " + std::string(score) + " of 5", "满意度 " + std::string(score) + " 分"},
        FigureUnit::kCount, at_path(f, {"satisfaction", "counts", score}),
        at_path(prev, {"satisfaction", "counts", score}));
  }
  return rows;
}

std::vector<std::string> summary_sla_targets(const nlohmann::json& summary) {
  std::vector<std::string> out;
  for (const auto& e : enum_entries<SlaTarget>()) {
    const std::string wire(e.wire);
    bool present = at_path(summary, {"total", "sla"}).contains(wire) ||
                   at_path(summary, {"previous", "figures", "sla"}).contains(wire);
    if (!present) {
      for (const auto& [key, g] : at_path(summary, {"groups"}).items()) present = present || g["sla"].contains(wire);
    }
    if (present) out.push_back(wire);
  }
  return out;
}

Text group_label(reports::Grouping grouping, const std::string& key) {
  if (key.empty()) return Text{"(unset)", "（未设置）"};
  std::optional<Text> text;
  switch (grouping) {
    case reports::Grouping::kCategory:
      if (auto v = from_wire<Category>(key)) text = label(*v);
      break;
    case reports::Grouping::kPriority:
      if (auto v = from_wire<Priority>(key)) text = label(*v);
      break;
    case reports::Grouping::kChannel:
      if (auto v = from_wire<Channel>(key)) text = label(*v);
      break;
    case reports::Grouping::kCustomerTier:
      if (auto v = from_wire<Tier>(key)) text = label(*v);
      break;
    case reports::Grouping::kTeam:
    case reports::Grouping::kOwner:
      break;
  }
  return text ? *text : same_text(key);
}

std::pair<std::string, std::string> previous_dates(const nlohmann::json& summary) {
  const auto from = parse_date(summary.value("from", std::string()));
  const auto to = parse_date(summary.value("to", std::string()));
  if (!from || !to) return {};
  const std::int64_t first = days_from_civil(*from);
  const std::int64_t days = days_from_civil(*to) - first + 1;
  return {format_date(civil_from_days(first - days)), format_date(civil_from_days(first - 1))};
}

std::string both_languages(const Text& text) {
  return text.zh == text.en ? text.en : text.zh + " / " + text.en;
}

std::string number_text(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

}  // namespace rapidesk::server
