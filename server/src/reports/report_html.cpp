#include "reports/report_html.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "rapidesk/reports/summary.h"
#include "rapidesk/shared/sla_policy.h"
#include "rapidesk/shared/utf8.h"
#include "reports/report_labels.h"

namespace rapidesk::server {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (size_t i = 0; i < text.size();) {
    const CodePoint cp = next_code_point(text, i);
    if (!cp.valid) {
      append_utf8(out, kReplacementCharacter);  // the page declares UTF-8: keep it valid
    } else {
      switch (cp.value) {
        case '&':
          out += "&amp;";
          break;
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '"':
          out += "&quot;";
          break;
        case '\'':
          out += "&#39;";
          break;
        default:
          out.append(text.substr(i, cp.length));
      }
    }
    i += cp.length;
  }
  return out;
}

namespace {

constexpr size_t kChartGroups = 25;  // bars drawn; the table lists every group
constexpr size_t kChartLabelChars = 16;

const char* const kStyle = R"(
@page { size: A4; margin: 12mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", sans-serif;
       color: #1d2330; margin: 24px auto; max-width: 980px; padding: 0 16px; font-size: 13px; line-height: 1.45; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 15px; margin: 22px 0 8px; padding-bottom: 3px; border-bottom: 2px solid #2f6fb3; }
.meta { color: #5a6475; margin: 0; }
.cards { display: grid; grid-template-columns: repeat(3, 1fr); gap: 8px; }
.card { border: 1px solid #d5dae3; border-radius: 6px; padding: 6px 10px; }
.card .label { color: #5a6475; font-size: 12px; }
.card .value { font-size: 22px; font-weight: 600; }
.card .prev { color: #5a6475; font-size: 12px; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #e3e7ee; padding: 4px 6px; text-align: left; vertical-align: top; }
thead th { background: #f1f4f9; font-weight: 600; }
.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.muted { color: #5a6475; }
.legend span { display: inline-block; margin-right: 14px; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: middle; }
svg { display: block; max-width: 100%; }
svg text { font-size: 11px; fill: #1d2330; }
section { break-inside: avoid; page-break-inside: avoid; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 11px; }
  h2 { break-after: avoid; page-break-after: avoid; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  .card, thead th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
)";

const char* const kOpenedColour = "#2f6fb3";
const char* const kResolvedColour = "#7fb069";

// The first `max_chars` code points of `text`, with an ellipsis when cut.
std::string shortened(const std::string& text, size_t max_chars) {
  size_t i = 0;
  size_t chars = 0;
  while (i < text.size() && chars < max_chars) {
    i += next_code_point(text, i).length;
    ++chars;
  }
  return i >= text.size() ? text : text.substr(0, i) + "…";
}

class Page {
 public:
  Page(const nlohmann::json& summary, Language lang)
      : s_(summary),
        lang_(lang),
        grouping_(from_wire<reports::Grouping>(summary.value("group", std::string()))
                      .value_or(reports::Grouping::kCategory)) {}

  std::string render() {
    const std::string title =
        t(ReportTexts::kTitle) + " " + s_.value("from", std::string()) + " – " + s_.value("to", std::string());
    out_ += "<!DOCTYPE html>\n<html lang=\"";
    out_ += lang_ == Language::kChinese ? "zh-CN" : "en";
    out_ +=
        "\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, "
        "initial-scale=1\">\n<title>" +
        e(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
    header();
    headline();
    sla();
    handling_times();
    satisfaction();
    groups();
    recurring();
    out_ += "</body>\n</html>\n";
    return std::move(out_);
  }

 private:
  const std::string& t(const Text& text) const { return text.in(lang_); }
  static std::string e(std::string_view text) { return html_escape(text); }
  const nlohmann::json& total() const { return s_["total"]; }
  const nlohmann::json& previous() const { return s_["previous"]["figures"]; }

  static std::string count_text(const nlohmann::json& v) {
    return v.is_number() ? number_text(v.get<double>(), 0) : ReportTexts::kNone.en;
  }
  static std::string percent_text(const nlohmann::json& v) {
    return v.is_number() ? number_text(v.get<double>(), 1) + "%" : ReportTexts::kNone.en;
  }
  std::string duration(const nlohmann::json& ms) const {
    return ms.is_number() ? t(duration_text(ms.get<std::int64_t>())) : ReportTexts::kNone.en;
  }
  static std::string score_text(const nlohmann::json& v) {
    return v.is_number() ? number_text(v.get<double>(), 2) : ReportTexts::kNone.en;
  }

  // The share of decided SLA clocks met, over every target; null when none was decided.
  static nlohmann::json overall_met_percent(const nlohmann::json& figures) {
    double met = 0, decided = 0;
    if (figures.contains("sla")) {
      for (const auto& [target, v] : figures["sla"].items()) {
        met += v.value("met_original", 0) + v.value("met_reagreed", 0);
        decided += v.value("met_original", 0) + v.value("met_reagreed", 0) + v.value("missed", 0);
      }
    }
    if (decided == 0) return nullptr;
    return 100.0 * met / decided;
  }

  // "▲ 3", "▼ 1.5 h", "= 0": how this period differs from the previous one.
  std::string change(const nlohmann::json& now, const nlohmann::json& before, FigureUnit unit) const {
    if (!now.is_number() || !before.is_number()) return {};
    const double d = now.get<double>() - before.get<double>();
    std::string amount;
    switch (unit) {
      case FigureUnit::kCount:
        amount = number_text(std::fabs(d), 0);
        break;
      case FigureUnit::kPercent:
        amount = number_text(std::fabs(d), 1) + t(Text{" pt", " 个百分点"});
        break;
      case FigureUnit::kScore:
        amount = number_text(std::fabs(d), 2);
        break;
      case FigureUnit::kHours:
        amount = t(duration_text(static_cast<std::int64_t>(std::fabs(d))));
        break;
    }
    if (std::fabs(d) < 1e-9) return "= " + amount;
    return (d > 0 ? "▲ " : "▼ ") + amount;
  }

  void header() {
    const auto [prev_from, prev_to] = previous_dates(s_);
    out_ += "<header>\n<h1>" + e(t(ReportTexts::kTitle)) + "</h1>\n<p class=\"meta\">" + e(t(ReportTexts::kPeriod)) +
            ": <strong>" + e(s_.value("from", std::string())) + " – " + e(s_.value("to", std::string())) +
            "</strong> (UTC" + e(s_.value("utc_offset", std::string())) + ") · " + e(t(ReportTexts::kPrevious)) + ": " +
            e(prev_from) + " – " + e(prev_to) + " · " + e(t(ReportTexts::kGrouping)) + ": " + e(t(label(grouping_))) +
            "</p>\n</header>\n";
  }

  void card(const Text& name, const std::string& value, const std::string& before, const std::string& delta) {
    out_ += "<div class=\"card\"><div class=\"label\">" + e(t(name)) + "</div><div class=\"value\">" + e(value) +
            "</div><div class=\"prev\">" + e(t(ReportTexts::kPreviousPeriod)) + " " + e(before);
    if (!delta.empty()) out_ += " · " + e(delta);
    out_ += "</div></div>\n";
  }

  void headline() {
    out_ += "<section>\n<h2>" + e(t(Text{"Headline figures", "核心指标"})) + "</h2>\n<div class=\"cards\">\n";
    const nlohmann::json& now = total();
    const nlohmann::json& before = previous();
    struct Count {
      const char* key;
      Text name;
    };
    for (const Count& c :
         {Count{"opened", {"Opened", "新建"}}, Count{"resolved", {"Resolved", "已解决"}},
          Count{"closed", {"Closed", "已关闭"}}, Count{"backlog_at_end", {"Backlog at end", "期末积压"}}}) {
      card(c.name, count_text(now[c.key]), count_text(before[c.key]),
           change(now[c.key], before[c.key], FigureUnit::kCount));
    }
    card(Text{"Reopen rate", "重开率"}, percent_text(now["reopen_rate_percent"]),
         percent_text(before["reopen_rate_percent"]),
         change(now["reopen_rate_percent"], before["reopen_rate_percent"], FigureUnit::kPercent));
    const nlohmann::json met_now = overall_met_percent(now);
    const nlohmann::json met_before = overall_met_percent(before);
    card(Text{"SLA met (all targets)", "SLA 达成率（全部目标）"}, percent_text(met_now), percent_text(met_before),
         change(met_now, met_before, FigureUnit::kPercent));
    for (const char* phase : {"first_response", "resolution"}) {
      const nlohmann::json& m_now = now[phase]["working"]["median_ms"];
      const nlohmann::json& m_before = before[phase]["working"]["median_ms"];
      const Text& phase_text =
          std::string_view(phase) == "first_response" ? ReportTexts::kFirstResponse : ReportTexts::kResolution;
      card(Text{phase_text.en + " median (working time)", phase_text.zh + "中位数（工作时间）"}, duration(m_now),
           duration(m_before), change(m_now, m_before, FigureUnit::kHours));
    }
    card(ReportTexts::kSatisfactionMean, score_text(now["satisfaction"]["mean"]),
         score_text(before["satisfaction"]["mean"]),
         change(now["satisfaction"]["mean"], before["satisfaction"]["mean"], FigureUnit::kScore));
    out_ += "</div>\n</section>\n";
  }

  // A horizontal bar `percent` of 100 px wide.
  static std::string meter(const nlohmann::json& percent) {
    if (!percent.is_number()) return {};
    const double w = std::clamp(percent.get<double>(), 0.0, 100.0);
    return "<svg width=\"100\" height=\"10\" aria-hidden=\"true\"><rect width=\"100\" height=\"10\" fill=\"#e3e7ee\"/>"
           "<rect width=\"" +
           number_text(w, 1) + "\" height=\"10\" fill=\"" + kOpenedColour + "\"/></svg>";
  }

  void sla() {
    out_ += "<section>\n<h2>" + e(t(ReportTexts::kSlaMet)) + "</h2>\n";
    const std::vector<std::string> targets = summary_sla_targets(s_);
    if (targets.empty()) {
      out_ += "<p class=\"muted\">" + e(t(Text{"No SLA clock finished in this period.", "本期没有结束的 SLA 计时。"})) +
              "</p>\n</section>\n";
      return;
    }
    out_ += "<table>\n<thead><tr><th>" + e(t(Text{"Target", "目标"})) + "</th><th class=\"n\">" +
            e(t(ReportTexts::kMetOriginal)) + "</th><th class=\"n\">" + e(t(ReportTexts::kMetReagreed)) +
            "</th><th class=\"n\">" + e(t(ReportTexts::kMissed)) + "</th><th class=\"n\">" +
            e(t(ReportTexts::kMetPercent)) + "</th><th></th><th class=\"n\">" + e(t(ReportTexts::kPreviousPeriod)) +
            "</th></tr></thead>\n<tbody>\n";
    for (const auto& target : targets) {
      const nlohmann::json now = total()["sla"].contains(target) ? total()["sla"][target] : nlohmann::json::object();
      const nlohmann::json before =
          previous()["sla"].contains(target) ? previous()["sla"][target] : nlohmann::json::object();
      const auto st = from_wire<SlaTarget>(target);
      out_ += "<tr><td>" + e(st ? t(label(*st)) : target) + "</td><td class=\"n\">" +
              count_text(now.value("met_original", 0)) + "</td><td class=\"n\">" +
              count_text(now.value("met_reagreed", 0)) + "</td><td class=\"n\">" + count_text(now.value("missed", 0)) +
              "</td><td class=\"n\">" + percent_text(now.value("met_percent", nlohmann::json())) + "</td><td>" +
              meter(now.value("met_percent", nlohmann::json())) + "</td><td class=\"n\">" +
              percent_text(before.value("met_percent", nlohmann::json())) + "</td></tr>\n";
    }
    out_ += "</tbody>\n</table>\n</section>\n";
  }

  void handling_times() {
    out_ += "<section>\n<h2>" + e(t(ReportTexts::kHandlingTimes)) +
            "</h2>\n<table>\n<thead><tr><th></th><th class=\"n\">" + e(t(ReportTexts::kCount)) +
            "</th><th class=\"n\">" + e(t(ReportTexts::kMedian)) + "</th><th class=\"n\">" + e(t(ReportTexts::kP90)) +
            "</th><th class=\"n\">" + e(t(ReportTexts::kPreviousPeriod)) + " " + e(t(ReportTexts::kMedian)) +
            "</th></tr></thead>\n<tbody>\n";
    for (const char* phase : {"first_response", "resolution"}) {
      for (const char* clock : {"working", "calendar"}) {
        const Text& phase_text =
            std::string_view(phase) == "first_response" ? ReportTexts::kFirstResponse : ReportTexts::kResolution;
        const Text& clock_text =
            std::string_view(clock) == "working" ? ReportTexts::kWorkingTime : ReportTexts::kCalendarTime;
        const nlohmann::json& d = total()[phase][clock];
        out_ += "<tr><td>" + e(t(phase_text)) + " <span class=\"muted\">(" + e(t(clock_text)) +
                ")</span></td><td class=\"n\">" + count_text(d["count"]) + "</td><td class=\"n\">" +
                e(duration(d["median_ms"])) + "</td><td class=\"n\">" + e(duration(d["p90_ms"])) +
                "</td><td class=\"n\">" + e(duration(previous()[phase][clock]["median_ms"])) + "</td></tr>\n";
      }
    }
    out_ += "</tbody>\n</table>\n</section>\n";
  }

  void satisfaction() {
    const nlohmann::json& sat = total()["satisfaction"];
    out_ += "<section>\n<h2>" + e(t(ReportTexts::kSatisfaction)) + "</h2>\n<p>" + e(t(ReportTexts::kSatisfactionMean)) +
            ": <strong>" + score_text(sat["mean"]) + "</strong> · " + e(t(ReportTexts::kPreviousPeriod)) + " " +
            score_text(previous()["satisfaction"]["mean"]) + "</p>\n";
    int counts[5] = {};
    int most = 0;
    for (int i = 0; i < 5; ++i) {
      counts[i] = sat["counts"].value(std::to_string(i + 1), 0);
      most = std::max(most, counts[i]);
    }
    // Vertical bars for scores 1..5, labelled with their counts.
    constexpr int kWidth = 360, kHeight = 150, kBarArea = 110, kBase = 125, kStep = 64, kBar = 40;
    out_ += "<svg viewBox=\"0 0 " + std::to_string(kWidth) + " " + std::to_string(kHeight) + "\" width=\"" +
            std::to_string(kWidth) + "\" height=\"" + std::to_string(kHeight) + "\" role=\"img\" aria-label=\"" +
            e(t(Text{"Satisfaction distribution", "满意度分布"})) + "\">\n";
    out_ += "<line x1=\"20\" y1=\"" + std::to_string(kBase) + "\" x2=\"" + std::to_string(kWidth - 10) + "\" y2=\"" +
            std::to_string(kBase) + "\" stroke=\"#9aa3b2\"/>\n";
    for (int i = 0; i < 5; ++i) {
      const int h = most ? counts[i] * kBarArea / most : 0;
      const int x = 30 + i * kStep;
      out_ += "<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(kBase - h) + "\" width=\"" +
              std::to_string(kBar) + "\" height=\"" + std::to_string(h) + "\" fill=\"" +
              (i < 2 ? "#d9534f" : (i == 2 ? "#e0a43a" : kResolvedColour)) + "\"/>\n";
      out_ += "<text x=\"" + std::to_string(x + kBar / 2) + "\" y=\"" + std::to_string(kBase - h - 3) +
              "\" text-anchor=\"middle\">" + std::to_string(counts[i]) + "</text>\n";
      out_ += "<text x=\"" + std::to_string(x + kBar / 2) + "\" y=\"" + std::to_string(kBase + 15) +
              "\" text-anchor=\"middle\">" + e(t(Text{std::to_string(i + 1), std::to_string(i + 1) + " 分"})) +
              "</text>\n";
    }
    out_ += "</svg>\n</section>\n";
  }

  void groups() {
    const nlohmann::json& groups = s_["groups"];
    const Text by = label(grouping_);
    out_ += "<section>\n<h2>" + e(t(Text{"By " + by.en, "按" + by.zh})) + "</h2>\n";
    if (groups.empty()) {
      out_ +=
          "<p class=\"muted\">" + e(t(Text{"No activity in this period.", "本期没有业务量。"})) + "</p>\n</section>\n";
      return;
    }
    // Largest first (by opened, then resolved), for the chart and the table alike.
    std::vector<std::pair<std::string, const nlohmann::json*>> order;
    for (const auto& [key, g] : groups.items()) order.emplace_back(key, &g);
    std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
      const int ao = (*a.second).value("opened", 0), bo = (*b.second).value("opened", 0);
      if (ao != bo) return ao > bo;
      return (*a.second).value("resolved", 0) > (*b.second).value("resolved", 0);
    });
    group_chart(order);
    out_ += "<table>\n<thead><tr><th>" + e(t(by)) + "</th>";
    for (const Text& h :
         {Text{"Opened", "新建"}, Text{"Resolved", "已解决"}, Text{"Closed", "已关闭"}, Text{"Backlog", "积压"},
          Text{"Reopen rate", "重开率"}, Text{"First response median", "首次响应中位数"},
          Text{"Resolution median", "解决中位数"}, Text{"SLA met", "SLA 达成率"}, Text{"Satisfaction", "满意度"}}) {
      out_ += "<th class=\"n\">" + e(t(h)) + "</th>";
    }
    out_ += "</tr></thead>\n<tbody>\n";
    for (const auto& [key, g] : order) {
      const nlohmann::json& f = *g;
      out_ += "<tr><td>" + e(t(group_label(grouping_, key))) + "</td><td class=\"n\">" + count_text(f["opened"]) +
              "</td><td class=\"n\">" + count_text(f["resolved"]) + "</td><td class=\"n\">" + count_text(f["closed"]) +
              "</td><td class=\"n\">" + count_text(f["backlog_at_end"]) + "</td><td class=\"n\">" +
              percent_text(f["reopen_rate_percent"]) + "</td><td class=\"n\">" +
              e(duration(f["first_response"]["working"]["median_ms"])) + "</td><td class=\"n\">" +
              e(duration(f["resolution"]["working"]["median_ms"])) + "</td><td class=\"n\">" +
              percent_text(overall_met_percent(f)) + "</td><td class=\"n\">" + score_text(f["satisfaction"]["mean"]) +
              "</td></tr>\n";
    }
    out_ += "</tbody>\n</table>\n</section>\n";
  }

  // Opened and resolved per group as pairs of horizontal bars.
  void group_chart(const std::vector<std::pair<std::string, const nlohmann::json*>>& order) {
    const size_t n = std::min(order.size(), kChartGroups);
    int most = 1;
    for (size_t i = 0; i < n; ++i) {
      most = std::max({most, (*order[i].second).value("opened", 0), (*order[i].second).value("resolved", 0)});
    }
    constexpr int kWidth = 720, kLabel = 150, kBars = 500, kRow = 28, kTop = 6;
    const int height = kTop + static_cast<int>(n) * kRow + 4;
    out_ += "<p class=\"legend\"><span><span class=\"swatch\" style=\"background:" + std::string(kOpenedColour) +
            "\"></span>" + e(t(Text{"Opened", "新建"})) +
            "</span><span><span class=\"swatch\" style=\"background:" + kResolvedColour + "\"></span>" +
            e(t(Text{"Resolved", "已解决"})) + "</span></p>\n";
    out_ += "<svg viewBox=\"0 0 " + std::to_string(kWidth) + " " + std::to_string(height) + "\" width=\"" +
            std::to_string(kWidth) + "\" height=\"" + std::to_string(height) + "\" role=\"img\" aria-label=\"" +
            e(t(Text{"Opened and resolved per group", "各分组新建与解决数量"})) + "\">\n";
    for (size_t i = 0; i < n; ++i) {
      const nlohmann::json& f = *order[i].second;
      const int y = kTop + static_cast<int>(i) * kRow;
      out_ += "<text x=\"" + std::to_string(kLabel - 6) + "\" y=\"" + std::to_string(y + 15) +
              "\" text-anchor=\"end\">" + e(shortened(t(group_label(grouping_, order[i].first)), kChartLabelChars)) +
              "</text>\n";
      int bar_y = y + 2;
      for (const auto& [key, colour] : {std::pair{"opened", kOpenedColour}, std::pair{"resolved", kResolvedColour}}) {
        const int value = f.value(key, 0);
        const int w = value * kBars / most;
        out_ += "<rect x=\"" + std::to_string(kLabel) + "\" y=\"" + std::to_string(bar_y) + "\" width=\"" +
                std::to_string(w) + "\" height=\"10\" fill=\"" + colour + "\"/>";
        out_ += "<text x=\"" + std::to_string(kLabel + w + 4) + "\" y=\"" + std::to_string(bar_y + 9) + "\">" +
                std::to_string(value) + "</text>\n";
        bar_y += 12;
      }
    }
    out_ += "</svg>\n";
    if (order.size() > n) {
      out_ += "<p class=\"muted\">" +
              e(t(format_text(Text{"The chart shows the {} largest groups; the table lists all {}.",
                                   "图中为最大的 {} 个分组；下表列出全部 {} 个。"},
                              {same_text(std::to_string(n)), same_text(std::to_string(order.size()))}))) +
              "</p>\n";
    }
  }

  void recurring() {
    out_ += "<section>\n<h2>" + e(t(ReportTexts::kRecurring)) + "</h2>\n";
    const nlohmann::json& clusters = s_["recurring"];
    if (clusters.empty()) {
      out_ += "<p class=\"muted\">" + e(t(Text{"No recurring issues in this period.", "本期没有重复出现的问题。"})) +
              "</p>\n</section>\n";
      return;
    }
    out_ += "<table>\n<thead><tr><th class=\"n\">#</th><th class=\"n\">" + e(t(ReportTexts::kCount)) + "</th><th>" +
            e(t(ReportTexts::kExampleText)) + "</th><th>" + e(t(ReportTexts::kExamples)) + "</th><th>" +
            e(t(ReportTexts::kCommonTags)) + "</th></tr></thead>\n<tbody>\n";
    int rank = 0;
    for (const auto& c : clusters) {
      std::string numbers, tags;
      for (const auto& n : c["example_numbers"]) numbers += (numbers.empty() ? "" : ", ") + n.get<std::string>();
      for (const auto& tg : c["common_tags"]) tags += (tags.empty() ? "" : ", ") + tg.get<std::string>();
      out_ += "<tr><td class=\"n\">" + std::to_string(++rank) + "</td><td class=\"n\">" + count_text(c["count"]) +
              "</td><td>" + e(shortened(c.value("example_text", std::string()), 200)) + "</td><td>" + e(numbers) +
              "</td><td>" + e(tags) + "</td></tr>\n";
    }
    out_ += "</tbody>\n</table>\n</section>\n";
  }

  const nlohmann::json& s_;
  const Language lang_;
  const reports::Grouping grouping_;
  std::string out_;
};

}  // namespace

std::string summary_html(const nlohmann::json& summary, Language lang) {
  return Page(summary, lang).render();
}

}  // namespace rapidesk::server
