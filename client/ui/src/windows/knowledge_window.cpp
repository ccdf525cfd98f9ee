// The knowledge base: reply templates and known solutions, searchable offline; an entry can
// be used in a reply on the selected request, and a request's solution saved as an entry.
#include <imgui.h>
#include <imgui_stdlib.h>

#include "windows/begin_window.h"
#include "windows/widgets.h"
#include "windows/windows.h"

namespace rapidesk::ui {

namespace {

// What no typed query equals: the list is searched again on the next frame.
constexpr char kSearchAgain = '\x01';

struct KnowledgeState {
  std::string query;
  std::string searched{kSearchAgain};
  std::vector<nlohmann::json> results;
  Status failed;  // the last search could not run: "no entries" would not be true
  int chosen = -1;
  std::string new_title, new_body, new_category;
};

}  // namespace

void draw_knowledge_window(AppContext& ctx) {
  if (!ctx.open.knowledge) return;
  static KnowledgeState k;
  ImGui::SetNextWindowSize(ImVec2(ImGui::GetFontSize() * 40, ImGui::GetFontSize() * 30), ImGuiCond_FirstUseEver);
  if (!begin_window(tr({"Knowledge base###knowledge", "知识库###knowledge"}), &ctx.open.knowledge)) {
    ImGui::End();
    return;
  }
  ImGui::SetNextItemWidth(-1);
  ImGui::InputTextWithHint("##kq", tr({"Search templates and solutions…", "搜索回复模板和解决方案…"}), &k.query);
  if (k.query != k.searched || ctx.insights_dirty) {
    k.searched = k.query;
    auto found = ctx.reader->search_knowledge(k.query, 50);
    k.results = found ? std::move(*found) : std::vector<nlohmann::json>{};
    k.failed = found ? Status::ok() : found.status();
    k.chosen = k.results.empty() ? -1 : 0;
  }
  ImGui::BeginChild("klist", ImVec2(ImGui::GetFontSize() * 14, -ImGui::GetFontSize() * 9), true);
  for (int i = 0; i < static_cast<int>(k.results.size()); ++i) {
    ImGui::PushID(i);
    if (ImGui::Selectable(field_text(k.results[i], "title").c_str(), i == k.chosen)) k.chosen = i;
    ImGui::PopID();
  }
  if (!k.failed.is_ok()) {
    error_text({"Could not search: ", "无法搜索："}, k.failed);
  } else if (k.results.empty()) {
    ImGui::TextDisabled("%s", tr({"No entries found.", "没有找到条目。"}));
  }
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("kview", ImVec2(0, -ImGui::GetFontSize() * 9), true);
  if (k.chosen >= 0 && k.chosen < static_cast<int>(k.results.size())) {
    const auto& e = k.results[k.chosen];
    ImGui::TextUnformatted(field_text(e, "title").c_str());
    ImGui::TextDisabled("%s", choice_label("category", field_text(e, "category")).c_str());
    ImGui::Separator();
    ImGui::TextWrapped("%s", field_text(e, "body").c_str());
    ImGui::BeginDisabled(ctx.selected.empty());
    if (ImGui::Button(tr({"Use in a reply on the selected request", "用于所选请求的回复"}))) {
      auto a = ctx.replica->add_activity(ctx.selected, "customer_contact", field_text(e, "body"));
      if (a) {
        ctx.say(tr({"Reply added to the request's timeline.", "回复已加入请求时间线。"}));
        ctx.edited();
      } else {
        ctx.say(a.status());
      }
    }
    ImGui::EndDisabled();
  }
  ImGui::EndChild();
  ImGui::TextUnformatted(tr({"Save a solution as a new entry", "将解决方案保存为新条目"}));
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 18);
  ImGui::InputTextWithHint("##ktitle", tr({"Title", "标题"}), &k.new_title);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
  choice_combo("##kcat", "category", k.new_category, true, {"(category)", "（类别）"});
  ImGui::InputTextMultiline("##kbody", &k.new_body, ImVec2(-ImGui::GetFontSize() * 8, ImGui::GetTextLineHeight() * 3));
  ImGui::SameLine();
  if (ImGui::Button(tr({"Save entry", "保存条目"}))) {
    std::vector<client::FieldInput> f{{"title", k.new_title}, {"body", k.new_body}};
    if (!k.new_category.empty()) f.push_back({"category", k.new_category});
    if (k.new_title.empty() || k.new_body.empty()) {
      ctx.say(tr({"An entry needs a title and a text.", "条目需要标题和正文。"}), true);
    } else if (auto id = ctx.replica->create_row("knowledge", f); id) {
      ctx.say(tr({"Entry saved.", "条目已保存。"}));
      ctx.edited();
      k.new_title.clear();
      k.new_body.clear();
      k.searched.assign(1, kSearchAgain);
    } else {
      ctx.say(id.status());
    }
  }
  ImGui::End();
}

}  // namespace rapidesk::ui
