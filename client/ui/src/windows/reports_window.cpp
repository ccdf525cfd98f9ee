// Reports: the review figures of docs/reports.md for a period (this or last week or month,
// or any dates), grouped by category, priority, channel, team, owner or customer tier;
// headline figures against the previous period, handling times, SLA kept per target,
// satisfaction, groups as bars, recurring issues. Every group and example leads to the
// requests behind it; exports go to a file. The figures come from the server (they need
// everyone's data), so this window needs the network; the rest of the app does not.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <fstream>

#include "rapidesk/client/intake.h"
#include "report_period.h"
#include "windows/begin_window.h"
#include "windows/widgets.h"
#include "windows/windows.h"

namespace rapidesk::ui {


ReportView& report_view() {
  static ReportView view;
  return view;
}

namespace {

constexpr const char* kGroups[] = {"category", "priority", "channel", "team", "owner", "customer_tier"};
constexpr UiText kGroupLabels[] = {{"Category", "类别"}, {"Priority", "优先级"}, {"Channel", "渠道"},
                                   {"Team", "团队"},     {"Owner", "负责人"},   {"Customer tier", "客户等级"}};
constexpr UiText kPresetLabels[] = {{"This week", "本周"}, {"Last week", "上周"}, {"This month", "本月"},
                                    {"Last month", "上月"}, {"Dates", "自定义"}};

std::unique_ptr<client::ServerApi> api_for(const client::ProfileIdentity& who) {
  auto address = client::ServerAddress::parse(who.server_url);
  if (!address) return nullptr;
  auto api = std::make_unique<client::ServerApi>(*address);
  api->set_token(who.token);
  return api;
}

long long figure(const nlohmann::json& f, std::initializer_list<const char*> path) {
  const nlohmann::json* at = &f;
  for (const char* key : path) {
    if (!at->is_object() || !at->contains(key)) return -1;
    at = &(*at)[key];
  }
  return at->is_number() ? at->get<long long>() : -1;
}

std::string number_text(long long v) { return v < 0 ? std::string("-") : std::to_string(v); }

std::string group_label(const std::string& group, const std::string& key) {
  if (key.empty()) return tr({"(none)", "（无）"});
  if (group == "customer_tier") return choice_label("tier", key);
  if (group == "team" || group == "owner") return key;
  return choice_label(group, key);
}

void headline(const nlohmann::json& r) {
  const nlohmann::json& now = r["total"];
  const nlohmann::json& before = r["previous"]["figures"];
  if (!ImGui::BeginTable("headline", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) return;
  ImGui::TableSetupColumn(tr({"Figure", "指标"}));
  ImGui::TableSetupColumn(tr({"This period", "本期"}));
  ImGui::TableSetupColumn(tr({"Previous period", "上期"}));
  ImGui::TableHeadersRow();
  auto row = [&](UiText label, std::initializer_list<const char*> path, bool duration) {
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    ImGui::TextUnformatted(tr(label));
    ImGui::TableSetColumnIndex(1);
    const long long a = figure(now, path), b = figure(before, path);
    ImGui::TextUnformatted((duration ? duration_text(a) : number_text(a)).c_str());
    ImGui::TableSetColumnIndex(2);
    ImGui::TextDisabled("%s", (duration ? duration_text(b) : number_text(b)).c_str());
  };
  row({"Opened", "新建"}, {"opened"}, false);
  row({"Resolved", "已解决"}, {"resolved"}, false);
  row({"Closed", "已关闭"}, {"closed"}, false);
  row({"Reopened", "重新打开"}, {"reopened"}, false);
  row({"Reopen rate %", "重开率 %"}, {"reopen_rate_percent"}, false);
  row({"Backlog at period end", "期末积压"}, {"backlog_at_end"}, false);
  row({"First response, median (working)", "首次响应中位数（工作时间）"}, {"first_response", "working", "median_ms"}, true);
  row({"First response, p90 (working)", "首次响应 P90（工作时间）"}, {"first_response", "working", "p90_ms"}, true);
  row({"First response, median (calendar)", "首次响应中位数（日历时间）"}, {"first_response", "calendar", "median_ms"}, true);
  row({"Resolution, median (working)", "解决时长中位数（工作时间）"}, {"resolution", "working", "median_ms"}, true);
  row({"Resolution, p90 (working)", "解决时长 P90（工作时间）"}, {"resolution", "working", "p90_ms"}, true);
  row({"Resolution, median (calendar)", "解决时长中位数（日历时间）"}, {"resolution", "calendar", "median_ms"}, true);
  ImGui::EndTable();
}

void sla_and_satisfaction(const nlohmann::json& r, bool dark) {
  const nlohmann::json& f = r["total"];
  ImGui::TextUnformatted(tr({"SLA kept per target", "各目标 SLA 达成率"}));
  if (f.contains("sla") && f["sla"].is_object()) {
    for (const auto& [target, t] : f["sla"].items()) {
      const double pct = t.contains("met_percent") && t["met_percent"].is_number() ? t["met_percent"].get<double>() : -1;
      const std::string overlay = pct < 0 ? std::string("-") : std::to_string(static_cast<int>(pct + 0.5)) + "%";
      ImGui::TextUnformatted(choice_label("sla_target", target).c_str());
      ImGui::SameLine(ImGui::GetFontSize() * 9);
      ImGui::PushStyleColor(ImGuiCol_PlotHistogram, tone_color(pct >= 90 ? Tone::kOnTrack : pct >= 70 ? Tone::kWarning
                                                                                                   : Tone::kBreached,
                                                               dark));
      ImGui::ProgressBar(pct < 0 ? 0.0f : static_cast<float>(pct / 100.0), ImVec2(ImGui::GetFontSize() * 12, 0),
                         overlay.c_str());
      ImGui::PopStyleColor();
    }
  }
  ImGui::Spacing();
  const auto& s = f["satisfaction"];
  if (s.is_object()) {
    const std::string mean = s.contains("mean") && s["mean"].is_number()
                                 ? std::to_string(s["mean"].get<double>()).substr(0, 4)
                                 : std::string("-");
    ImGui::Text("%s %s", tr({"Satisfaction, mean:", "满意度均值："}), mean.c_str());
    float counts[5] = {0, 0, 0, 0, 0};
    float top = 1;
    for (int i = 0; i < 5; ++i) {
      const auto key = std::to_string(i + 1);
      if (s.contains("counts") && s["counts"].contains(key) && s["counts"][key].is_number()) {
        counts[i] = s["counts"][key].get<float>();
      }
      top = std::max(top, counts[i]);
    }
    ImGui::PlotHistogram("##satisfaction", counts, 5, 0, "1 … 5", 0, top * 1.15f, ImVec2(ImGui::GetFontSize() * 16, ImGui::GetFontSize() * 4));
  }
}

void groups(AppContext& ctx, const nlohmann::json& r, const std::string& group) {
  if (!r.contains("groups") || !r["groups"].is_object()) return;
  long long most = 1;
  for (const auto& [k, f] : r["groups"].items()) most = std::max(most, figure(f, {"opened"}));
  if (!ImGui::BeginTable("groups", 5, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) return;
  ImGui::TableSetupColumn(tr({"Group", "分组"}));
  ImGui::TableSetupColumn(tr({"Opened", "新建"}), ImGuiTableColumnFlags_WidthStretch, 2.0f);
  ImGui::TableSetupColumn(tr({"Resolved", "已解决"}));
  ImGui::TableSetupColumn(tr({"Resolution median", "解决中位数"}));
  ImGui::TableSetupColumn(tr({"Satisfaction", "满意度"}));
  ImGui::TableHeadersRow();
  for (const auto& [key, f] : r["groups"].items()) {
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    ImGui::PushID(key.c_str());
    if (ImGui::Selectable(group_label(group, key).c_str(), false, ImGuiSelectableFlags_SpanAllColumns)) {
      drill_down(ctx, group, key);
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr({"Show these requests", "查看这些请求"}));
    ImGui::PopID();
    ImGui::TableSetColumnIndex(1);
    const long long opened = figure(f, {"opened"});
    const float frac = opened <= 0 ? 0.0f : static_cast<float>(opened) / static_cast<float>(most);
    ImGui::ProgressBar(frac, ImVec2(-1, 0), number_text(opened).c_str());
    ImGui::TableSetColumnIndex(2);
    ImGui::TextUnformatted(number_text(figure(f, {"resolved"})).c_str());
    ImGui::TableSetColumnIndex(3);
    ImGui::TextUnformatted(duration_text(figure(f, {"resolution", "working", "median_ms"})).c_str());
    ImGui::TableSetColumnIndex(4);
    const auto& s = f["satisfaction"];
    ImGui::TextUnformatted(s.is_object() && s.contains("mean") && s["mean"].is_number()
                               ? std::to_string(s["mean"].get<double>()).substr(0, 4).c_str()
                               : "-");
  }
  ImGui::EndTable();
}

void recurring(AppContext& ctx, const nlohmann::json& r) {
  if (!r.contains("recurring") || !r["recurring"].is_array() || r["recurring"].empty()) {
    ImGui::TextDisabled("%s", tr({"No recurring issues in this period.", "本期没有重复出现的问题。"}));
    return;
  }
  int i = 0;
  for (const auto& c : r["recurring"]) {
    ImGui::PushID(i++);
    ImGui::BulletText("%s × %s", number_text(c.value("count", -1LL)).c_str(), field_text(c, "example_text").c_str());
    int shown = 0;
    for (const auto& n : c.value("example_numbers", nlohmann::json::array())) {
      if (!n.is_string() || shown++ == 3) continue;
      ImGui::SameLine();
      if (ImGui::SmallButton(n.get<std::string>().c_str())) ctx.select(n.get<std::string>());
    }
    ImGui::PopID();
  }
}

}  // namespace

void start_export(AppContext& ctx, ReportView& v, const std::string& target, const char* suffix) {
  if (v.exporting.valid()) return;
  if (ctx.who.token.empty() || v.export_path.empty()) {
    ctx.say(tr({"Name the file to write and sign in first.", "请先登录并填写要保存的文件名。"}), true);
    return;
  }
  v.exporting_file = v.export_path + suffix;
  v.exporting = std::async(std::launch::async, [who = ctx.who, target, path = v.exporting_file]() -> Status {
    auto a = api_for(who);
    if (!a) return Status::invalid(Text{"The server address is not valid.", "服务器地址无效。"});
    auto answer = a->http().get(target);
    if (!answer) return answer.status();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(answer->body.data(), static_cast<std::streamsize>(answer->body.size()));
    out.close();
    if (!out) return Status::io(Text{"Cannot write " + path + ".", "无法写入 " + path + "。"});
    return Status::ok();
  });
}

void drill_down(AppContext& ctx, const std::string& group, const std::string& key) {
  ReportView& v = report_view();
  client::RequestFilter f;
  f.limit = 0;
  f.sort = ctx.list.filter.sort;
  f.descending = ctx.list.filter.descending;
  if (group == "category") f.category = key;
  if (group == "priority") f.priority = key;
  if (group == "channel") f.channel = key;
  if (group == "team") f.team = key;
  if (group == "owner") f.owner = key;
  if (group == "customer_tier") f.tier = key;
  // The period's days at the device's offset, as the report on screen counted them (not the
  // dates typed since, which it does not show yet).
  const std::int64_t offset_ms = static_cast<std::int64_t>(client::local_utc_offset_minutes()) * kMsPerMinute;
  auto shown = [&v](const char* member, const std::string& typed) {
    const bool known = v.report.is_object() && v.report.contains(member) && v.report[member].is_string();
    return known ? v.report[member].get<std::string>() : typed;
  };
  if (auto from = parse_date(shown("from", v.from))) f.contacted_from = days_from_civil(*from) * kMsPerDay - offset_ms;
  if (auto to = parse_date(shown("to", v.to))) f.contacted_to = (days_from_civil(*to) + 1) * kMsPerDay - offset_ms;
  ctx.list.filter = f;
  ctx.open.requests = true;
  ImGui::SetWindowFocus("###requests");
}

void load_report(AppContext& ctx) {
  ReportView& v = report_view();
  if (v.loading.valid()) return;
  if (!is_date(v.from) || !is_date(v.to)) {
    v.error = tr({"Dates are YYYY-MM-DD.", "日期格式为 YYYY-MM-DD。"});
    return;
  }
  if (ctx.who.token.empty()) {
    v.error = tr({"Sign in to see reports.", "请登录后查看报表。"});
    return;
  }
  v.error.clear();
  const std::string target = summary_target(v.from, v.to, v.group, client::local_utc_offset_minutes());
  v.loading = std::async(std::launch::async, [who = ctx.who, target]() -> Result<nlohmann::json> {
    auto api = api_for(who);
    if (!api) return Status::invalid(Text{"The server address is not valid.", "服务器地址无效。"});
    return api->get_json(target);
  });
}

bool report_loaded(const AppContext&) { return report_view().report.is_object() && !report_view().loading.valid(); }

void draw_reports_window(AppContext& ctx) {
  ReportView& v = report_view();
  if (v.loading.valid() && v.loading.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
    auto r = v.loading.get();
    if (r) {
      v.report = std::move(*r);
    } else {
      v.error = r.status().code() == ErrorCode::kUnavailable
                    ? std::string(tr({"Reports need the server, which cannot be reached now. Your work continues offline.",
                                      "报表需要连接服务器，目前无法连接。其他工作可继续离线进行。"}))
                    : pick(r.status().message());
    }
  }
  if (v.exporting.valid() && v.exporting.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
    const Status s = v.exporting.get();
    if (s) ctx.say(std::string(tr({"Exported to ", "已导出到 "})) + v.exporting_file);
    else ctx.say(s);
  }
  if (!ctx.open.reports) return;
  ImGui::SetNextWindowSize(ImVec2(ImGui::GetFontSize() * 46, ImGui::GetFontSize() * 38), ImGuiCond_FirstUseEver);
  if (!begin_window(tr({"Reports###reports", "报表###reports"}), &ctx.open.reports)) {
    ImGui::End();
    return;
  }
  if (v.from.empty()) {
    std::tie(v.from, v.to) = preset_dates(v.preset, ctx.now, client::local_utc_offset_minutes());
    load_report(ctx);
  }
  bool reload = false;
  for (int i = 0; i < 5; ++i) {
    if (i > 0) ImGui::SameLine();
    if (ImGui::RadioButton(tr(kPresetLabels[i]), v.preset == static_cast<PeriodPreset>(i))) {
      v.preset = static_cast<PeriodPreset>(i);
      if (v.preset != PeriodPreset::kCustom) {
        std::tie(v.from, v.to) = preset_dates(v.preset, ctx.now, client::local_utc_offset_minutes());
        reload = true;
      }
    }
  }
  // Each label before its field, so the row reads "From [date] to [date] Group by [...]".
  label_before({"From", "从"});
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
  if (ImGui::InputText("##from", &v.from)) v.preset = PeriodPreset::kCustom;
  ImGui::SameLine();
  label_before({"to", "到"});
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
  if (ImGui::InputText("##to", &v.to)) v.preset = PeriodPreset::kCustom;
  ImGui::SameLine();
  label_before({"Group by", "分组"});
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
  int g = 0;
  for (int i = 0; i < 6; ++i) {
    if (v.group == kGroups[i]) g = i;
  }
  if (ImGui::BeginCombo("##group", tr(kGroupLabels[g]))) {
    for (int i = 0; i < 6; ++i) {
      if (ImGui::Selectable(tr(kGroupLabels[i]), i == g)) {
        v.group = kGroups[i];
        reload = true;
      }
    }
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  if (ImGui::Button(tr({"Show", "查询"})) || reload) load_report(ctx);
  if (v.loading.valid()) {
    ImGui::SameLine();
    ImGui::TextDisabled("%s", tr({"Loading…", "正在加载…"}));
  }
  if (!v.error.empty()) error_text(v.error);
  if (v.report.is_object()) {
    ImGui::Separator();
    ImGui::TextDisabled("%s %s – %s", tr({"Period", "期间"}), field_text(v.report, "from").c_str(),
                        field_text(v.report, "to").c_str());
    if (ImGui::BeginTable("report_top", 2, ImGuiTableFlags_SizingStretchSame)) {
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      headline(v.report);
      ImGui::TableSetColumnIndex(1);
      sla_and_satisfaction(v.report, ctx.settings.dark);
      ImGui::EndTable();
    }
    ImGui::Separator();
    ImGui::TextUnformatted(tr({"By group (click for the requests)", "分组（点击查看请求）"}));
    groups(ctx, v.report, field_text(v.report, "group"));
    ImGui::Separator();
    ImGui::TextUnformatted(tr({"Recurring issues", "重复出现的问题"}));
    recurring(ctx, v.report);
  }
  ImGui::Separator();
  if (v.export_path.empty()) {
    const char* home = std::getenv("HOME");
    v.export_path = std::string(home != nullptr ? home : ".") + "/rapidesk-report";
  }
  label_before({"Export to (without extension)", "导出到（不含扩展名）"});
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 16);
  ImGui::InputText("##export_path", &v.export_path);
  const int offset = client::local_utc_offset_minutes();
  if (ImGui::Button(tr({"Export requests (CSV)", "导出请求（CSV）"}))) {
    start_export(ctx, v, requests_export_target(v.from, v.to, offset), "-requests.csv");
  }
  ImGui::SameLine();
  if (ImGui::Button(tr({"Export requests (Excel)", "导出请求（Excel）"}))) {
    start_export(ctx, v, requests_export_target(v.from, v.to, offset, ".xlsx"), "-requests.xlsx");
  }
  if (ImGui::Button(tr({"Export figures (CSV)", "导出指标（CSV）"}))) {
    start_export(ctx, v, summary_target(v.from, v.to, v.group, offset, ".csv"), "-summary.csv");
  }
  ImGui::SameLine();
  if (ImGui::Button(tr({"Export figures (Excel)", "导出指标（Excel）"}))) {
    start_export(ctx, v, summary_target(v.from, v.to, v.group, offset, ".xlsx"), "-summary.xlsx");
  }
  ImGui::SameLine();
  if (ImGui::Button(tr({"Printable report (HTML)", "打印版报表（HTML）"}))) {
    const std::string lang = language() == Language::kChinese ? "zh" : "en";
    start_export(ctx, v, summary_target(v.from, v.to, v.group, offset, ".html") + "&lang=" + lang, "-report.html");
  }
  ImGui::End();
}

}  // namespace rapidesk::ui
