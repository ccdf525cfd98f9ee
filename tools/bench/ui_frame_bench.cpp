// rapidesk-bench ui-frame: frame time of the desktop client's requests list with 100k
// requests and an active filter, scrolling (15 rows a frame, a long jump every 50 frames),
// in a real GLFW window (run under Xvfb on a machine without a display).
// Baseline: the same window drawing a plain ImGui table of the same matching rows from
// preformatted strings in memory, scrolled the same way. Goal: p99 <= 16 ms; "ratio" is
// the app's p99 over the baseline's.
#if RAPIDESK_HAVE_UI
#include <imgui.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "app/app.h"
#include "bench.h"
#include "bench_data.h"
#include "platform/window.h"
#include "rapidesk/client/replica_reader.h"

namespace rapidesk::bench {
namespace {

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

std::size_t scroll_position(int frame, std::size_t rows) {
  if (rows == 0) return 0;
  const std::size_t step = static_cast<std::size_t>(frame) * 15 + static_cast<std::size_t>(frame / 50) * 9973;
  return step % rows;
}

int run_ui_frame(const Args& args) {
  const int n = std::stoi(arg_value(args, "--requests", "100000"));
  const int frames = std::stoi(arg_value(args, "--frames", "600"));
  std::filesystem::path file = arg_value(args, "--profile", "");
  const bool keep = !file.empty();
  if (file.empty()) file = std::filesystem::temp_directory_path() / ("rapidesk-bench-ui-" + std::to_string(::getpid())) / "p.rapidesk";
  std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count() - 86'400'000;
  if (!std::filesystem::exists(file)) {
    std::cerr << "ui-frame: building a replica of " << n << " requests (once with --profile FILE)\n";
    std::mt19937_64 rng(42);
    sync::ServerMerge server([&now] { return now; });
    if (Status s = build_server_log(server, n, rng, now, nullptr); !s) return 1;
    auto replica = client::LocalReplica::open(file);
    if (!replica) return 1;
    client::ProfileIdentity who = (*replica)->identity();
    who.user = "user1";
    who.role = "coordinator";
    (void)(*replica)->set_sign_in(who);
    if (Status s = pull_all(server, **replica); !s) {
      std::cerr << s.message().en << "\n";
      return 1;
    }
  }
  ui::WindowOptions window_options;
  window_options.vsync = false;
  auto window = ui::Window::open(window_options);
  if (!window) {
    std::cerr << "ui-frame: " << window.status().message().en << "\n";
    return 2;
  }
  ui::AppOptions options;
  options.db = file;
  options.sync = false;
  options.language = Language::kChinese;
  auto app = ui::App::open(options);
  if (!app) return 1;
  auto& ctx = (*app)->context();
  ctx.open = ui::OpenWindows{};
  ctx.open.detail = false;
  ctx.list.filter.status = {"new"};
  ctx.list.filter.category = "tech_support";
  ctx.list.filter.sort = client::RequestSort::kPriority;
  auto frame = [&] {
    if ((*app)->prepare_fonts()) (*window)->reload_fonts();
    (*window)->begin_frame(0);
    (*app)->frame();
    (void)(*window)->end_frame();
  };
  // Settle: fonts, the first index query.
  const double t_filter = now_seconds();
  for (int i = 0; i < 3 || !ctx.list.loaded() || ctx.list.query_running(); ++i) frame();
  const double first_frames_ms = (now_seconds() - t_filter) * 1000;
  const std::size_t matching = ctx.list.size();
  const double index_ms = ctx.list.last_query_ms();
  std::cerr << "ui-frame: " << matching << " of " << n << " requests match the filter (index " << index_ms << " ms)\n";
  std::size_t index_queries_during_frames = 0;
  std::vector<double> app_ms;
  for (int f = 0; f < frames; ++f) {
    ctx.scroll_to_row = scroll_position(f, matching);
    const double t = now_seconds();
    frame();
    app_ms.push_back((now_seconds() - t) * 1000);
    index_queries_during_frames += ctx.list.query_running() ? 1 : 0;
  }
  if (index_queries_during_frames > 0) {
    std::cerr << "ui-frame: the index was queried again while scrolling (the measurement is invalid)\n";
    return 1;
  }

  // Baseline: the same rows, preformatted in memory, in a plain table.
  std::vector<std::array<std::string, 8>> plain;
  plain.reserve(matching);
  for (std::size_t i = 0; i < matching; ++i) {
    const nlohmann::json* r = ctx.list.row(*ctx.reader, i);
    if (r == nullptr) continue;
    auto s = [&](const char* k) { return r->contains(k) && (*r)[k].is_string() ? (*r)[k].get<std::string>() : std::string(); };
    plain.push_back({s("number"), s("title"), s("customer"), s("status"), s("priority"), s("owner"), s("sla_state"),
                     std::to_string(r->value("updated_ms", std::int64_t{0}))});
  }
  std::vector<double> base_ms;
  for (int f = 0; f < frames; ++f) {
    const double t = now_seconds();
    (*window)->begin_frame(0);
    ImGui::SetNextWindowPos(ImVec2(0, 20));
    ImGui::SetNextWindowSize(ImVec2(900, 820));
    ImGui::Begin("plain");
    if (ImGui::BeginTable("plain", 8, ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg)) {
      ImGui::SetScrollY(static_cast<float>(scroll_position(f, plain.size())) *
                        (ImGui::GetTextLineHeight() + ImGui::GetStyle().CellPadding.y * 2));
      ImGuiListClipper clipper;
      clipper.Begin(static_cast<int>(plain.size()));
      while (clipper.Step()) {
        for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
          ImGui::TableNextRow();
          for (int c = 0; c < 8; ++c) {
            ImGui::TableSetColumnIndex(c);
            ImGui::TextUnformatted(plain[static_cast<std::size_t>(i)][static_cast<std::size_t>(c)].c_str());
          }
        }
      }
      ImGui::EndTable();
    }
    ImGui::End();
    (void)(*window)->end_frame();
    base_ms.push_back((now_seconds() - t) * 1000);
  }
  app->reset();
  if (!keep) std::filesystem::remove_all(file.parent_path());

  const double p99 = percentile(app_ms, 0.99), base_p99 = percentile(base_ms, 0.99);
  nlohmann::json out{{"bench", "ui-frame"},
                     {"requests", n},
                     {"matching", matching},
                     {"frames", frames},
                     {"index_query_ms", index_ms},
                     {"first_frames_ms", first_frames_ms},
                     {"p50_ms", percentile(app_ms, 0.5)},
                     {"p99_ms", p99},
                     {"max_ms", *std::max_element(app_ms.begin(), app_ms.end())},
                     {"baseline_p50_ms", percentile(base_ms, 0.5)},
                     {"baseline_p99_ms", base_p99},
                     {"goal_p99_ms", 16},
                     {"goal_met", p99 <= 16.0},
                     {"ratio", p99 / base_p99}};
  std::cout << out.dump() << "\n";
  return 0;
}

const Registration kUiFrame{{"ui-frame", "desktop list window: frame times with 100k requests and a filter (Xvfb)",
                             run_ui_frame}};

}  // namespace
}  // namespace rapidesk::bench
#endif
