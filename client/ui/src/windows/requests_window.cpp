// The requests list: filters, search, sortable columns, the SLA countdown per row coloured
// by state, unsynced and conflicted rows marked. Draws only visible rows (ImGuiListClipper)
// from RequestListModel's cached index, so 100k requests scroll smoothly.
#include <imgui.h>
#include <imgui_stdlib.h>

#include "windows/begin_window.h"
#include "windows/widgets.h"
#include "windows/windows.h"

namespace rapidesk::ui {

namespace {

struct Column {
  UiText title;
  client::RequestSort sort;
  float width;
  bool sortable = true;
};

constexpr Column kColumns[] = {
    {{"Number", "编号"}, client::RequestSort::kNumber, 158},
    {{"Title", "标题"}, client::RequestSort::kTitle, 0},
    {{"Customer", "客户"}, client::RequestSort::kCustomer, 125},
    {{"Status", "状态"}, client::RequestSort::kStatus, 70},
    {{"Priority", "优先级"}, client::RequestSort::kPriority, 58},
    {{"Owner", "负责人"}, client::RequestSort::kUpdated, 70, false},
    {{"SLA", "SLA"}, client::RequestSort::kDue, 75},
    {{"Updated", "更新时间"}, client::RequestSort::kUpdated, 120},
};

void draw_filters(AppContext& ctx) {
  auto& f = ctx.list.filter;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 16);
  ImGui::InputTextWithHint("##search", tr({"Search number, title, customer, notes…", "搜索编号、标题、客户、备注…"}),
                           &f.search);
  ImGui::SameLine();
  std::string status = f.status.empty() ? std::string() : f.status.front();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
  if (choice_combo("##status", "status", status, true, {"Any status", "全部状态"})) {
    f.status.clear();
    if (!status.empty()) f.status.push_back(status);
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
  choice_combo("##category", "category", f.category, true, {"Any category", "全部类别"});
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
  choice_combo("##priority", "priority", f.priority, true, {"Any priority", "全部优先级"});
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
  static const char* kSla[] = {"", "on_track", "warning", "breached", "paused"};
  static constexpr UiText kSlaLabels[] = {{"Any SLA", "全部 SLA"}, {"On track", "正常"}, {"Warning", "预警"},
                                          {"Breached", "已超时"}, {"Paused", "已暂停"}};
  int sla_index = 0;
  for (int i = 0; i < 5; ++i) {
    if (f.sla_state == kSla[i]) sla_index = i;
  }
  if (ImGui::BeginCombo("##sla", tr(kSlaLabels[sla_index]))) {
    for (int i = 0; i < 5; ++i) {
      if (ImGui::Selectable(tr(kSlaLabels[i]), i == sla_index)) f.sla_state = kSla[i];
    }
    ImGui::EndCombo();
  }
  bool mine = !f.mine.empty();
  if (ImGui::Checkbox(tr({"My work", "我的工作"}), &mine)) f.mine = mine ? ctx.who.user : std::string();
  ImGui::SameLine();
  ImGui::Checkbox(tr({"Open", "未完成"}), &f.open_only);
  ImGui::SameLine();
  ImGui::Checkbox(tr({"Overdue", "已逾期"}), &f.overdue);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
  ImGui::InputTextWithHint("##team", tr({"Team", "团队"}), &f.team);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
  ImGui::InputTextWithHint("##owner", tr({"Owner", "负责人"}), &f.owner);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
  ImGui::InputTextWithHint("##customer", tr({"Customer", "客户"}), &f.customer);
  if (f.contacted_from != 0 || f.contacted_to != 0 || !f.tier.empty()) {
    // Set by a report's drill-down: shown, and removable on its own.
    ImGui::SameLine();
    std::string chip = std::string(tr({"Contacted", "联系时间"})) + " " + short_time_ms(f.contacted_from).substr(0, 10) + " – " +
                       short_time_ms(f.contacted_to - 1).substr(0, 10);
    if (!f.tier.empty()) chip += "  " + choice_label("tier", f.tier);
    chip += "  ×###period_chip";
    if (ImGui::SmallButton(chip.c_str())) {
      f.contacted_from = f.contacted_to = 0;
      f.tier.clear();
    }
  }
  ImGui::SameLine();
  if (ImGui::Button(tr({"Clear filters", "清除筛选"}))) {
    const auto sort = f.sort;
    const bool desc = f.descending;
    f = client::RequestFilter{};
    f.limit = 0;
    f.sort = sort;
    f.descending = desc;
  }
  ImGui::SameLine();
  if (!ctx.list.loaded()) {
    ImGui::TextDisabled("%s", tr({"Loading…", "正在加载…"}));
  } else {
    ImGui::TextDisabled("%s%s", (std::to_string(ctx.list.size()) + " " + tr({"requests", "条请求"})).c_str(),
                        ctx.list.query_running() ? " …" : "");
  }
}

void apply_sort(AppContext& ctx) {
  ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs();
  if (specs == nullptr || !specs->SpecsDirty || specs->SpecsCount == 0) return;
  const auto& s = specs->Specs[0];
  ctx.list.filter.sort = kColumns[s.ColumnIndex].sort;
  ctx.list.filter.descending = s.SortDirection == ImGuiSortDirection_Descending;
  specs->SpecsDirty = false;
}

void draw_row(AppContext& ctx, const nlohmann::json& row) {
  const std::string id = field_text(row, "id");
  ImGui::TableNextRow();
  ImGui::TableSetColumnIndex(0);
  const bool selected = id == ctx.selected;
  std::string number = number_or_pending(row);
  const bool unsynced = int_field(row, "unsynced") > 0;
  const bool conflicted = int_field(row, "conflicts") > 0;
  if (conflicted) number = "⚠ " + number;
  else if (unsynced) number = "↑ " + number;
  ImGui::PushID(id.c_str());
  if (ImGui::Selectable(number.c_str(), selected, ImGuiSelectableFlags_SpanAllColumns)) ctx.select(id);
  if (ImGui::IsItemHovered() && (unsynced || conflicted)) {
    ImGui::SetTooltip("%s", conflicted ? tr({"Has a conflict to resolve", "有待处理的冲突"})
                                       : tr({"Changes not yet on the server", "有尚未同步到服务器的修改"}));
  }
  ImGui::PopID();
  ImGui::TableSetColumnIndex(1);
  ImGui::TextUnformatted(field_text(row, "title").c_str());
  ImGui::TableSetColumnIndex(2);
  ImGui::TextUnformatted(field_text(row, "customer").c_str());
  ImGui::TableSetColumnIndex(3);
  ImGui::TextUnformatted(choice_label("status", field_text(row, "status")).c_str());
  ImGui::TableSetColumnIndex(4);
  ImGui::TextUnformatted(choice_label("priority", field_text(row, "priority")).c_str());
  ImGui::TableSetColumnIndex(5);
  ImGui::TextUnformatted(field_text(row, "owner").c_str());
  ImGui::TableSetColumnIndex(6);
  const Countdown c = countdown_for(row, ctx.now);
  if (c.tone == Tone::kPaused && c.text.empty()) {
    ImGui::TextColored(tone_color(c.tone, ctx.settings.dark), "%s", tr({"paused", "已暂停"}));
  } else {
    ImGui::TextColored(tone_color(c.tone, ctx.settings.dark), "%s%s", c.text.c_str(),
                       c.offline && !c.text.empty() ? " *" : "");
  }
  ImGui::TableSetColumnIndex(7);
  ImGui::TextUnformatted(short_time_ms(int_field(row, "updated_ms")).c_str());
}

}  // namespace

void draw_requests_window(AppContext& ctx) {
  if (!ctx.open.requests) return;
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  // Below the menu bar (on the first frame the viewport does not know its height yet).
  const float top = vp->Pos.y + ImGui::GetFrameHeight();
  ImGui::SetNextWindowPos(ImVec2(vp->Pos.x, top), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(vp->Size.x * 0.62f, vp->Size.y - ImGui::GetFrameHeight() * 2.4f), ImGuiCond_FirstUseEver);
  if (!begin_window(tr({"Requests###requests", "请求列表###requests"}), &ctx.open.requests)) {
    ImGui::End();
    return;
  }
  draw_filters(ctx);
  if (!ctx.list.last_error().is_ok()) error_text(pick(ctx.list.last_error().message()));
  const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY |
                                ImGuiTableFlags_Resizable | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_Hideable;
  if (ImGui::BeginTable("requests", 8, flags)) {
    ImGui::TableSetupScrollFreeze(0, 1);
    bool default_set = false;
    for (std::size_t i = 0; i < std::size(kColumns); ++i) {
      const auto& c = kColumns[i];
      ImGuiTableColumnFlags cf = c.width > 0 ? ImGuiTableColumnFlags_WidthFixed : ImGuiTableColumnFlags_WidthStretch;
      // The table's first sort specs must be the model's, or the first frame would
      // overwrite the sort the list was opened with.
      if (!c.sortable) {
        cf |= ImGuiTableColumnFlags_NoSort;
      } else if (c.sort == ctx.list.filter.sort && !default_set) {
        default_set = true;
        cf |= ImGuiTableColumnFlags_DefaultSort | (ctx.list.filter.descending ? ImGuiTableColumnFlags_PreferSortDescending
                                                                              : ImGuiTableColumnFlags_PreferSortAscending);
      }
      ImGui::TableSetupColumn(tr(c.title), cf, c.width > 0 ? c.width * ctx.settings.font_size / 18.0f : 0.0f);
    }
    ImGui::TableHeadersRow();
    apply_sort(ctx);
    if (ctx.scroll_to_row) {
      ImGui::SetScrollY(static_cast<float>(*ctx.scroll_to_row) * (ImGui::GetTextLineHeight() + ImGui::GetStyle().CellPadding.y * 2));
      ctx.scroll_to_row.reset();
    }
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(ctx.list.size()));
    while (clipper.Step()) {
      for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
        const nlohmann::json* row = ctx.list.row(*ctx.reader, static_cast<std::size_t>(i));
        if (row == nullptr) {
          ImGui::TableNextRow();
          ImGui::TableSetColumnIndex(0);
          ImGui::TextDisabled("…");
          continue;
        }
        draw_row(ctx, *row);
      }
    }
    ImGui::EndTable();
  }
  ImGui::End();
}

}  // namespace rapidesk::ui
