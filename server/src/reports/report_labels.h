// What the people-facing reports (summary.xlsx, summary.html) call each review figure, in
// both languages, and the figures of one summary document (summary_json) as labelled rows,
// so the spreadsheet and the printable page name every figure the same way.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "rapidesk/reports/summary.h"
#include "rapidesk/shared/text.h"
#include "sla/sla_texts.h"  // duration_text(): "4 h 5 min" / "4 小时 5 分钟"

namespace rapidesk::server {

enum class FigureUnit {
  kCount,    // a whole number
  kPercent,  // 0..100
  kHours,    // a duration; the summary holds ms, rows hold hours
  kScore,    // a satisfaction mean, 1..5
};

// One figure of a summary: its JSON path (e.g. "first_response.working.median_ms"), its
// label, and its value this period and in the previous one (null when unmeasured or, for
// groups, when there is no previous figure).
struct FigureRow {
  std::string key;
  Text label;
  FigureUnit unit = FigureUnit::kCount;
  nlohmann::json value;
  nlohmann::json previous;
};

// The rows of figures object `figures` (the "F" of docs/server.md), compared with
// `previous` (may be null). SLA rows are made for every target in `sla_targets` (wire
// names, in policy order), so every group of one report has the same rows.
std::vector<FigureRow> figure_rows(const nlohmann::json& figures, const nlohmann::json& previous,
                                   const std::vector<std::string>& sla_targets);
// The SLA targets any figures of the summary carry, in the order of the SlaTarget enum.
std::vector<std::string> summary_sla_targets(const nlohmann::json& summary);

// A group key as people read it: the enum label for category, priority, channel and tier,
// the key itself for teams and owners, "(unset)" for the empty key.
Text group_label(reports::Grouping grouping, const std::string& key);

// The previous period's first and last day ("YYYY-MM-DD") of a summary document.
std::pair<std::string, std::string> previous_dates(const nlohmann::json& summary);
// "中文 / English" (one of them when both read the same).
std::string both_languages(const Text& text);

// A number with `decimals` decimals ("75.0"); whole numbers for 0.
std::string number_text(double value, int decimals);

// Texts both reports use.
struct ReportTexts {
  static const Text kTitle;  // the report's title
  static const Text kPeriod;
  static const Text kPrevious;
  static const Text kGrouping;
  static const Text kThisPeriod;
  static const Text kPreviousPeriod;
  static const Text kChange;
  static const Text kMetric;
  static const Text kGroup;
  static const Text kRecurring;
  static const Text kCount;
  static const Text kExamples;
  static const Text kExampleText;
  static const Text kCommonTags;
  static const Text kSlaMet;
  static const Text kHandlingTimes;
  static const Text kSatisfaction;
  static const Text kSatisfactionMean;
  static const Text kMetOriginal;
  static const Text kMetReagreed;
  static const Text kMissed;
  static const Text kMetPercent;
  static const Text kMedian;
  static const Text kP90;
  static const Text kCalendarTime;
  static const Text kWorkingTime;
  static const Text kFirstResponse;
  static const Text kResolution;
  static const Text kNone;  // shown for an unmeasured figure
};

}  // namespace rapidesk::server
