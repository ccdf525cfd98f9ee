// The coordinator's merged live view: open requests by status, category, priority and
// team; the SLA at-risk and breached lists; workload per person; bars and a trend line for
// the week or the month. Re-read whenever a sync brings changes (the stream announces them).
#include <imgui.h>

#include <algorithm>

#include "windows/begin_window.h"
#include "windows/widgets.h"
#include "windows/windows.h"

namespace rapidesk::ui {

namespace {

struct DashboardData {
  client::DashboardCounts counts;
  std::vector<nlohmann::json> at_risk, breached;
  std::vector<std::pair<std::string, std::size_t>> created_by_category;
  std::vector<float> per_day;
  Instant read_at = 0;
  int range_days = 0;
  Status error;  // the first read that failed: the figures shown may be out of date
};

void read(AppContext& ctx, DashboardData& d, int days) {
  d.error = Status::ok();
  auto note = [&d](const Status& s) {
    if (d.error.is_ok()) d.error = s;
  };
  if (auto c = ctx.reader->dashboard(ctx.now)) d.counts = std::move(*c);
  else note(c.status());
  auto list = [&](const char* state) {
    client::RequestFilter f;
    f.sla_state = state;
    f.open_only = true;
    f.sort = client::RequestSort::kDue;
    f.descending = false;
    f.limit = 12;
    auto page = ctx.reader->list(f, ctx.now);
    if (!page) note(page.status());
    return page ? std::move(page->rows) : std::vector<nlohmann::json>{};
  };
  d.at_risk = list("warning");
  d.breached = list("breached");
  const Instant from = ctx.now - days * kMsPerDay;
  auto by = ctx.reader->created_by("category", from, ctx.now + 1);
  if (!by) note(by.status());
  d.created_by_category = by ? std::move(*by) : decltype(d.created_by_category){};
  d.per_day.clear();
  if (auto per = ctx.reader->created_per_day(from, ctx.now + 1, client::local_utc_offset_minutes())) {
    for (std::size_t n : *per) d.per_day.push_back(static_cast<float>(n));
  } else {
    note(per.status());
  }
  d.read_at = ctx.now;
  d.range_days = days;
}

// Horizontal bars: label, bar scaled to the largest value, count.
void bars(const char* id, const std::vector<std::pair<std::string, std::size_t>>& data, const char* field, bool dark) {
  std::size_t most = 1;
  for (const auto& [k, n] : data) most = std::max(most, n);
  ImGui::PushID(id);
  const float label_w = ImGui::GetFontSize() * 7;
  const float bar_w = std::max(ImGui::GetContentRegionAvail().x - label_w - ImGui::GetFontSize() * 3, 20.0f);
  for (const auto& [k, n] : data) {
    const std::string label = k.empty() ? std::string(tr({"(none)", "（无）"})) : field ? choice_label(field, k) : k;
    ImGui::TextUnformatted(label.c_str());
    ImGui::SameLine(label_w);
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float h = ImGui::GetTextLineHeight();
    const float w = bar_w * static_cast<float>(n) / static_cast<float>(most);
    ImGui::GetWindowDrawList()->AddRectFilled(p, ImVec2(p.x + w, p.y + h),
                                              ImGui::GetColorU32(tone_color(Tone::kPaused, dark)), 2.0f);
    ImGui::Dummy(ImVec2(bar_w, h));
    ImGui::SameLine();
    ImGui::Text("%zu", n);
  }
  ImGui::PopID();
}

void request_list(AppContext& ctx, const char* id, const std::vector<nlohmann::json>& rows) {
  ImGui::PushID(id);
  if (rows.empty()) ImGui::TextDisabled("%s", tr({"None.", "无。"}));
  for (const auto& r : rows) {
    const Countdown c = countdown_for(r, ctx.now);
    const std::string text = number_or_pending(r) + "  " + field_text(r, "title") + "  (" + field_text(r, "owner") + ")";
    ImGui::PushID(field_text(r, "id").c_str());
    ImGui::PushStyleColor(ImGuiCol_Text, tone_color(c.tone, ctx.settings.dark));
    if (ImGui::Selectable((c.text + "  " + text).c_str())) ctx.select(field_text(r, "id"));
    ImGui::PopStyleColor();
    ImGui::PopID();
  }
  ImGui::PopID();
}

}  // namespace

void draw_dashboard_window(AppContext& ctx) {
  if (!ctx.open.dashboard) return;
  static DashboardData d;
  static int range = 0;  // 0: week, 1: month
  ImGui::SetNextWindowSize(ImVec2(ImGui::GetFontSize() * 50, ImGui::GetFontSize() * 36), ImGuiCond_FirstUseEver);
  if (!begin_window(tr({"Dashboard###dashboard", "看板###dashboard"}), &ctx.open.dashboard)) {
    ImGui::End();
    return;
  }
  bool reread = ctx.insights_dirty || d.read_at == 0 || ctx.now - d.read_at > 30'000;
  reread |= ImGui::RadioButton(tr({"This week", "本周"}), &range, 0);
  ImGui::SameLine();
  reread |= ImGui::RadioButton(tr({"This month", "本月"}), &range, 1);
  if (reread) read(ctx, d, range == 0 ? 7 : 30);
  if (!d.error.is_ok()) {
    error_text({"Could not read this copy; figures may be missing or out of date: ", "无法读取本地副本，数字可能缺失或已过时："},
               d.error);
  }
  const auto& c = d.counts;
  ImGui::SameLine();
  ImGui::Text("   %s %zu   %s %zu   %s %zu   %s %zu   %s %zu", tr({"Open", "未完成"}), c.open, tr({"Overdue", "逾期"}),
              c.overdue, tr({"Breached", "超时"}), c.breached, tr({"At risk", "预警"}), c.warning, tr({"Conflicts", "冲突"}),
              c.conflicts);
  if (ImGui::BeginTable("dash", 3, ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchSame)) {
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    ImGui::TextUnformatted(tr({"Open by status", "未完成 · 按状态"}));
    bars("status", c.by_status, "status", ctx.settings.dark);
    ImGui::Spacing();
    ImGui::TextUnformatted(tr({"Open by priority", "未完成 · 按优先级"}));
    bars("priority", c.by_priority, "priority", ctx.settings.dark);
    ImGui::TableSetColumnIndex(1);
    ImGui::TextUnformatted(tr({"Open by category", "未完成 · 按类别"}));
    bars("category", c.by_category, "category", ctx.settings.dark);
    ImGui::Spacing();
    ImGui::TextUnformatted(tr({"Open by team", "未完成 · 按团队"}));
    bars("team", c.by_team, nullptr, ctx.settings.dark);
    ImGui::TableSetColumnIndex(2);
    ImGui::TextUnformatted(tr({"Workload per person (open)", "每人工作量（未完成）"}));
    bars("owner", c.by_owner, nullptr, ctx.settings.dark);
    ImGui::EndTable();
  }
  ImGui::Separator();
  ImGui::TextUnformatted(range == 0 ? tr({"New requests per day, last 7 days", "近 7 天每日新增请求"})
                                    : tr({"New requests per day, last 30 days", "近 30 天每日新增请求"}));
  float top = 1;
  for (float v : d.per_day) top = std::max(top, v);
  ImGui::PlotHistogram("##perday_bars", d.per_day.data(), static_cast<int>(d.per_day.size()), 0, nullptr, 0, top * 1.15f,
                       ImVec2(ImGui::GetContentRegionAvail().x * 0.5f - ImGui::GetStyle().ItemSpacing.x, ImGui::GetFontSize() * 5));
  ImGui::SameLine();
  ImGui::PlotLines("##perday_trend", d.per_day.data(), static_cast<int>(d.per_day.size()), 0, nullptr, 0, top * 1.15f,
                   ImVec2(ImGui::GetContentRegionAvail().x, ImGui::GetFontSize() * 5));
  ImGui::TextUnformatted(tr({"Created in this period by category", "本期新增 · 按类别"}));
  bars("created", d.created_by_category, "category", ctx.settings.dark);
  ImGui::Separator();
  if (ImGui::BeginTable("lists", 2, ImGuiTableFlags_BordersInnerV)) {
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    ImGui::TextColored(tone_color(Tone::kWarning, ctx.settings.dark), "%s", tr({"SLA at risk", "SLA 预警"}));
    request_list(ctx, "risk", d.at_risk);
    ImGui::TableSetColumnIndex(1);
    ImGui::TextColored(tone_color(Tone::kBreached, ctx.settings.dark), "%s", tr({"SLA breached", "SLA 已超时"}));
    request_list(ctx, "breached", d.breached);
    ImGui::EndTable();
  }
  ImGui::End();
}

}  // namespace rapidesk::ui
