// The frame around the work: the main menu, the sync status bar, settings and sign-in.
#include <imgui.h>
#include <imgui_stdlib.h>

#include "rapidesk/client/server_address.h"
#include "windows/begin_window.h"
#include "windows/widgets.h"
#include "windows/windows.h"

namespace rapidesk::ui {

void draw_main_menu(AppContext& ctx) {
  if (!ImGui::BeginMainMenuBar()) return;
  if (ImGui::BeginMenu(tr({"Requests", "请求"}))) {
    if (ImGui::MenuItem(tr({"New request", "新建请求"}), "Ctrl+N")) ctx.open.intake = true;
    ImGui::MenuItem(tr({"Request list", "请求列表"}), nullptr, &ctx.open.requests);
    ImGui::MenuItem(tr({"Request detail", "请求详情"}), nullptr, &ctx.open.detail);
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu(tr({"View", "视图"}))) {
    ImGui::MenuItem(tr({"Notifications", "通知"}), nullptr, &ctx.open.notifications);
    ImGui::MenuItem(tr({"Knowledge base", "知识库"}), nullptr, &ctx.open.knowledge);
    ImGui::MenuItem(tr({"Conflicts", "冲突"}), nullptr, &ctx.open.conflicts);
    ImGui::MenuItem(tr({"Refused edits", "被拒绝的修改"}), nullptr, &ctx.open.refused);
    ImGui::MenuItem(tr({"Dashboard", "看板"}), nullptr, &ctx.open.dashboard);
    ImGui::MenuItem(tr({"Reports", "报表"}), nullptr, &ctx.open.reports);
    ImGui::MenuItem(tr({"Settings", "设置"}), nullptr, &ctx.open.settings);
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu(tr({"Account", "账号"}))) {
    ImGui::TextDisabled("%s (%s, %s)", ctx.who.display_name.empty() ? ctx.who.user.c_str() : ctx.who.display_name.c_str(),
                        ctx.who.role.c_str(), ctx.who.team.c_str());
    if (ImGui::MenuItem(tr({"Sign in again…", "重新登录…"}))) ctx.open.login = true;
    if (ImGui::MenuItem(tr({"Sync now", "立即同步"}), "F5") && ctx.worker != nullptr) ctx.worker->request_sync(true);
    ImGui::EndMenu();
  }
  const std::size_t unread = unread_notifications(ctx);
  const std::string inbox = std::string(tr({"Notifications", "通知"})) + (unread ? " (" + std::to_string(unread) + ")" : "") +
                            "###inbox_button";
  if (ImGui::MenuItem(inbox.c_str())) ctx.open.notifications = !ctx.open.notifications;
  if (ImGui::MenuItem(language() == Language::kChinese ? "English" : "中文")) {
    ctx.settings.language = language() == Language::kChinese ? Language::kEnglish : Language::kChinese;
    set_language(ctx.settings.language);
  }
  ImGui::EndMainMenuBar();
}

void draw_status_bar(AppContext& ctx) {
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  const float h = ImGui::GetFrameHeight() * 1.4f;
  ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x, vp->WorkPos.y + vp->WorkSize.y - h));
  ImGui::SetNextWindowSize(ImVec2(vp->WorkSize.x, h));
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                                 ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav;
  begin_window("##status_bar", nullptr, flags);
  const bool dark = ctx.settings.dark;
  if (ctx.worker == nullptr) {
    ImGui::TextColored(tone_color(Tone::kWarning, dark), "%s", tr({"● Not signed in: working offline", "● 未登录：离线工作"}));
  } else {
    const client::SyncStatus s = ctx.worker->status();
    if (s.refused_ops != ctx.refused_seen) {
      // Each refusal is told once, here or by the CLI (a mark in the profile), also when it
      // happened while the app was closed.
      const auto untold = ctx.replica->take_unreported_refusals();
      if (!untold) {
        ctx.say(untold.status());  // and asked again next frame: a refusal is not left untold
      } else {
        ctx.refused_seen = s.refused_ops;
      }
      const std::size_t n = untold ? *untold : 0;
      if (n > 0) {
        ctx.say(pick(client::refused_edits_text(n)), true);
        ctx.open.refused = true;  // the list with each reason
      }
    }
    if (s.online) {
      ImGui::TextColored(tone_color(Tone::kOnTrack, dark), "%s", s.stream_connected ? tr({"● Online, live", "● 在线（实时）"})
                                                                                    : tr({"● Online", "● 在线"}));
    } else {
      ImGui::TextColored(tone_color(Tone::kWarning, dark), "%s", tr({"● Offline: edits are kept and sent later", "● 离线：修改已保存，稍后发送"}));
    }
    ImGui::SameLine();
    ImGui::Text("|  %s %zu", tr({"pending", "待发送"}), s.pending_ops);
    ImGui::SameLine();
    ImGui::Text("|  %s %s", tr({"last sync", "上次同步"}), short_time_ms(s.last_sync_ms).c_str());
    if (s.running && s.progress.total > 0) {
      ImGui::SameLine();
      const float f = static_cast<float>(s.progress.done) / static_cast<float>(s.progress.total);
      const std::string overlay = std::to_string(s.progress.done) + " / " + std::to_string(s.progress.total);
      ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
      ImGui::ProgressBar(std::min(f, 1.0f), ImVec2(ImGui::GetFontSize() * 12, 0), overlay.c_str());
    }
    if (s.clock_ahead_ms > 0) {
      ImGui::SameLine();
      ImGui::TextColored(tone_color(Tone::kWarning, dark), "|  %s", tr({"clock ahead", "时钟偏快"}));
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", pick(client::clock_ahead_text(s.clock_ahead_ms)).c_str());
    }
    if (s.files_missing > 0) {
      ImGui::SameLine();
      ImGui::TextColored(tone_color(Tone::kWarning, dark), "|  %s %zu", tr({"files missing", "缺失文件"}), s.files_missing);
      if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip("%s", pick(client::missing_files_text(s.files_missing, s.file_problem)).c_str());
      }
    }
    if (!s.last_error.is_ok()) {
      ImGui::SameLine();
      ImGui::TextColored(tone_color(Tone::kBreached, dark), "|  %s", pick(s.last_error.message()).c_str());
      ImGui::SameLine();
      if (ImGui::SmallButton(tr({"Retry", "重试"}))) ctx.worker->request_sync(true);
      if (s.last_error.code() == ErrorCode::kUnauthorized) {
        ImGui::SameLine();
        if (ImGui::SmallButton(tr({"Sign in", "登录"}))) ctx.open.login = true;
      }
    }
  }
  if (ctx.notice) {
    ImGui::SameLine();
    const Tone t = ctx.notice->error ? Tone::kBreached : Tone::kNone;
    ImGui::TextColored(tone_color(t, dark), "|  %s", ctx.notice->text.c_str());
    if (!ctx.notice->error && ctx.now - ctx.notice->at > 8'000) ctx.notice.reset();
  }
  if (!ctx.cjk_font) {
    ImGui::SameLine();
    // English only on purpose: without a CJK font, Chinese text would show as boxes.
    ImGui::TextColored(tone_color(Tone::kWarning, dark), "| No Chinese font: install fonts-wqy-microhei or set RAPIDESK_FONT");
  }
  ImGui::End();
}

void draw_settings_window(AppContext& ctx) {
  if (!ctx.open.settings) return;
  ImGui::SetNextWindowSize(ImVec2(ImGui::GetFontSize() * 30, ImGui::GetFontSize() * 12), ImGuiCond_FirstUseEver);
  if (!begin_window(tr({"Settings###settings", "设置###settings"}), &ctx.open.settings)) {
    ImGui::End();
    return;
  }
  // Each choice on one row after its label. The two radio buttons are drawn in statements of
  // their own: as the operands of one `|`, their order (and SameLine's) was the compiler's
  // choice, and the second button landed on the next row.
  int lang = ctx.settings.language == Language::kChinese ? 1 : 0;
  label_before({"Language", "语言"});
  bool changed = ImGui::RadioButton("English", &lang, 0);
  ImGui::SameLine();
  changed |= ImGui::RadioButton("中文", &lang, 1);
  if (changed) {
    ctx.settings.language = lang == 1 ? Language::kChinese : Language::kEnglish;
    set_language(ctx.settings.language);
  }
  float size = ctx.settings.font_size;
  label_before({"Font size", "字号"});
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
  if (ImGui::SliderFloat("##font_size", &size, 12.0f, 32.0f, "%.0f px")) ctx.settings.font_size = size;
  if (ImGui::IsItemDeactivatedAfterEdit()) ctx.fonts_dirty = true;
  int theme = ctx.settings.dark ? 1 : 0;
  label_before({"Theme", "主题"});
  changed = ImGui::RadioButton(tr({"Light", "浅色"}), &theme, 0);
  ImGui::SameLine();
  changed |= ImGui::RadioButton(tr({"Dark", "深色"}), &theme, 1);
  if (changed) {
    ctx.settings.dark = theme == 1;
    if (ctx.settings.dark) ImGui::StyleColorsDark(); else ImGui::StyleColorsLight();
  }
  ImGui::PushTextWrapPos(0.0f);  // long paths wrap at the window's edge
  ImGui::TextDisabled("%s %s", tr({"Font:", "字体："}), ctx.font_file.empty() ? tr({"built-in (Latin only)", "内置（仅拉丁字母）"}) : ctx.font_file.c_str());
  ImGui::TextDisabled("%s %s", tr({"Profile:", "配置文件："}), ctx.replica->file().c_str());
  ImGui::PopTextWrapPos();
  ImGui::End();
}

void begin_sign_in(AppContext& ctx) {
  if (ctx.login_result.valid()) return;  // one sign-in at a time
  auto address = client::ServerAddress::parse(ctx.login_server);
  if (!address) {
    ctx.login_error = pick(address.status().message());
    return;
  }
  ctx.login_error.clear();
  ctx.login_result = std::async(std::launch::async, [addr = *address, user = ctx.login_user, pw = ctx.login_password,
                                                     device = ctx.who.device]() {
    client::ServerApi api(addr);
    return api.login(user, pw, device);
  });
}

void draw_login_window(AppContext& ctx) {
  if (!ctx.open.login) return;
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(ImVec2(vp->GetCenter().x, vp->GetCenter().y), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(ImGui::GetFontSize() * 24, 0), ImGuiCond_Appearing);
  if (!begin_window(tr({"Sign in###login", "登录###login"}), &ctx.open.login, ImGuiWindowFlags_NoCollapse)) {
    ImGui::End();
    return;
  }
  if (ImGui::IsWindowAppearing()) {
    if (ctx.login_server.empty()) ctx.login_server = ctx.who.server_url;
    if (ctx.login_user.empty()) ctx.login_user = ctx.who.user;
  }
  ImGui::TextWrapped("%s", tr({"Sign in once with network; after that Rapidesk works offline too.",
                               "首次需联网登录，之后离线也能使用。"}));
  // Labels in a column before the fields, as on the intake form.
  bool enter = false;
  if (ImGui::BeginTable("login_form", 2, ImGuiTableFlags_SizingFixedFit)) {
    ImGui::TableSetupColumn("label", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn("field", ImGuiTableColumnFlags_WidthStretch);
    auto row = [](UiText label) {
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::AlignTextToFramePadding();
      ImGui::TextUnformatted(tr(label));
      ImGui::TableSetColumnIndex(1);
      ImGui::SetNextItemWidth(-FLT_MIN);
    };
    row({"Server", "服务器"});
    ImGui::InputTextWithHint("##server", "http://127.0.0.1:8080", &ctx.login_server);
    row({"User", "用户名"});
    ImGui::InputText("##user", &ctx.login_user);
    row({"Password", "密码"});
    enter = ImGui::InputText("##password", &ctx.login_password,
                             ImGuiInputTextFlags_Password | ImGuiInputTextFlags_EnterReturnsTrue);
    ImGui::EndTable();
  }
  const bool busy = ctx.login_result.valid();
  ImGui::BeginDisabled(busy);
  if ((ImGui::Button(tr({"Sign in", "登录"})) || enter) && !busy) begin_sign_in(ctx);
  ImGui::EndDisabled();
  if (busy) {
    ImGui::SameLine();
    ImGui::TextDisabled("%s", tr({"Signing in…", "正在登录…"}));
  }
  if (!ctx.login_error.empty()) error_text(ctx.login_error);
  ImGui::End();
}

}  // namespace rapidesk::ui
