// export / import of requests as CSV: UTF-8 with BOM (Excel shows Chinese text), cells
// defused against formula injection (rapidesk/shared/csv.h). Import checks every row first
// and imports nothing if any row is invalid; the rows are then recorded in one transaction.
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli.h"
#include "rapidesk/client/intake.h"
#include "rapidesk/shared/csv.h"
#include "rapidesk/shared/time.h"
#include "rapidesk/sync/schema.h"

namespace rapidesk::cli {

namespace {

// The template columns of the review playbooks, as request fields.
const std::vector<std::string>& export_columns() {
  static const std::vector<std::string> cols{
      "number",   "customer", "customer_id", "contact_name", "contact", "industry", "tier",         "channel",
      "category", "title",    "description", "priority",     "team",    "owner",    "status",       "contacted_at",
      "expected_at", "resolution_due", "progress", "feedback", "satisfaction", "id"};
  return cols;
}

int run_export(const Args& a) {
  if (a.positional.size() != 1) return fail(a, usage_error(Text{"Usage: export FILE.csv [FILTERS]", "用法：export 文件.csv [筛选]"}));
  auto filter = filter_from(a);
  if (!filter) return fail(a, filter.status());
  if (!a.option("limit")) filter->limit = 0;
  client::ProfileIdentity who;
  auto reader = open_reader(a, &who);
  if (!reader) return fail(a, reader.status());
  if (a.flag("mine")) filter->mine = who.user;
  auto page = (*reader)->list(*filter, now_ms());
  if (!page) return fail(a, page.status());
  std::string out(kUtf8Bom);
  out += csv_row(export_columns());
  for (auto& r : page->rows) {
    mask_contact(r, who);
    std::vector<std::string> cells;
    for (const auto& c : export_columns()) {
      const auto& v = r.contains(c) ? r[c] : nlohmann::json();
      cells.push_back(v.is_null() ? "" : v.is_string() ? v.get<std::string>() : v.dump());
    }
    out += csv_row(cells);
  }
  const std::string tmp = a.positional[0] + ".part";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << out;
    if (!f.flush()) {
      return fail(a, Status::io(format_text(Text{"cannot write {}", "无法写入 {}"}, {same_text(a.positional[0])})));
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, a.positional[0], ec);  // never a half-written export
  if (ec) return fail(a, Status::io(format_text(Text{"cannot write {}", "无法写入 {}"}, {same_text(a.positional[0])})));
  if (a.json) print_json({{"exported", page->rows.size()}, {"file", a.positional[0]}});
  else std::cout << say(a, format_text(Text{"Exported {} requests to {}.", "已导出 {} 条请求到 {}。"},
                                       {same_text(std::to_string(page->rows.size())), same_text(a.positional[0])}))
                 << "\n";
  return 0;
}

int run_import(const Args& a) {
  if (a.positional.size() != 1) return fail(a, usage_error(Text{"Usage: import FILE.csv", "用法：import 文件.csv"}));
  std::ifstream in(a.positional[0], std::ios::binary);
  if (!in) return fail(a, Status::not_found(format_text(Text{"cannot read {}", "无法读取 {}"}, {same_text(a.positional[0])})));
  std::stringstream text;
  text << in.rdbuf();
  auto table = parse_csv(text.str());
  if (!table) return fail(a, table.status());
  if (table->empty()) return fail(a, Status::invalid(Text{"The file is empty.", "文件为空。"}));
  const auto& header = table->front();
  // Server-owned and identity columns are ignored: an import records new requests.
  auto ignored = [](const std::string& c) {
    return c == "id" || c == "number" || c == "resolution_due" || c == "first_response_due" || c == "sla_state";
  };
  std::vector<std::vector<client::FieldInput>> rows;
  std::vector<Status> problems;
  for (std::size_t i = 1; i < table->size(); ++i) {
    const auto& line = (*table)[i];
    if (std::all_of(line.begin(), line.end(), [](const std::string& c) { return c.empty(); })) continue;
    // Cells past the header's columns (an unquoted comma, usually) would be dropped unseen.
    if (std::any_of(line.begin() + static_cast<std::ptrdiff_t>(std::min(line.size(), header.size())), line.end(),
                    [](const std::string& c) { return !c.empty(); })) {
      problems.push_back(Status::invalid(
          format_text(Text{"line {}: {} cells, but the header has {} columns (a comma inside a cell needs quotes)",
                           "第 {} 行：有 {} 个单元格，但表头只有 {} 列（单元格内的逗号需要加引号）"},
                      {same_text(std::to_string(i + 1)), same_text(std::to_string(line.size())),
                       same_text(std::to_string(header.size()))})));
    }
    std::vector<client::FieldInput> fields;
    for (std::size_t c = 0; c < header.size() && c < line.size(); ++c) {
      if (ignored(header[c]) || line[c].empty()) continue;
      // Type, then range, length and characters, as the merge will check them: every problem
      // is listed with its line, not only the first one the merge meets.
      auto v = client::parse_field_input("request", header[c], line[c]);
      Status checked = v.status();
      if (v) {
        sync::Problem problem{};
        const auto ref = sync::find_field("request", header[c]);
        if (ref) checked = sync::check_value(*ref->entity, *ref->field, *v, problem);
      }
      if (!checked) {
        problems.push_back(Status::invalid(format_text(Text{"line {}: {}", "第 {} 行：{}"},
                                                       {same_text(std::to_string(i + 1)), checked.message()}),
                                           header[c]));
      }
      fields.push_back({header[c], line[c]});
    }
    const auto prepared = client::prepare_intake(fields, client::default_priority_rules(), now_ms(), 0);
    for (const Status& p : prepared.problems) {
      problems.push_back(Status::invalid(format_text(Text{"line {}: {}", "第 {} 行：{}"},
                                                     {same_text(std::to_string(i + 1)), p.message()}),
                                         p.field()));
    }
    rows.push_back(std::move(fields));
  }
  if (!problems.empty()) {
    for (std::size_t i = 1; i < problems.size(); ++i) std::cerr << "rapidesk-cli: " << say(a, problems[i].message()) << "\n";
    return fail(a, Status::invalid(format_text(Text{"Nothing imported: {} problems; the first: {}",
                                                    "未导入任何内容：共 {} 个问题；第一个：{}"},
                                               {same_text(std::to_string(problems.size())), problems.front().message()})));
  }
  auto replica = open_replica(a);
  if (!replica) return fail(a, replica.status());
  // One transaction: an error halfway (a full disk) keeps none, so a rerun duplicates nothing.
  auto ids = (*replica)->create_requests(rows);
  if (!ids) {
    return fail(a, Status(ids.status().code(),
                          format_text(Text{"Nothing imported: {}", "未导入任何内容：{}"}, {ids.status().message()})));
  }
  if (a.json) print_json({{"imported", ids->size()}, {"ids", *ids}});
  else std::cout << say(a, format_text(Text{"Imported {} requests.", "已导入 {} 条请求。"}, {same_text(std::to_string(ids->size()))})) << "\n";
  return 0;
}

}  // namespace

void add_csv_commands(std::vector<Command>& out) {
  out.push_back({"export", Text{"export FILE.csv [FILTERS]", "export 文件.csv [筛选]"}, Text{"requests to a CSV file", "将请求导出为 CSV 文件"},
                 Text{"Same filters as list (all matching rows). UTF-8 with BOM so Excel shows Chinese; cells starting "
                      "with = + - @ are escaped so spreadsheets never run them.",
                      "筛选条件同 list（导出全部匹配行）。UTF-8 带 BOM，Excel 可正确显示中文；以 = + - @ 开头的单元格会被转义，"
                      "电子表格不会将其作为公式执行。"},
                 run_export, filter_options({"mine"})});
  out.push_back({"import", Text{"import FILE.csv", "import 文件.csv"}, Text{"new requests from a CSV file", "从 CSV 文件导入新请求"},
                 Text{"The first row names the fields (as export writes them). Every row is checked first; if any is "
                      "invalid nothing is imported and each problem is listed with its line.",
                      "第一行为字段名（与导出格式相同）。先检查每一行；任何一行无效则不导入任何内容，并逐条列出问题及行号。"},
                 run_import, {}});
}

}  // namespace rapidesk::cli
