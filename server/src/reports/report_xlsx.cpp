#include "reports/report_xlsx.h"

#include <xlsxwriter.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string_view>

#include "rapidesk/shared/utf8.h"
#include "reports/report_labels.h"

namespace rapidesk::server {

namespace {

constexpr size_t kMaxCellChars = 32'767;  // Excel's limit for one cell

// A workbook written to its own temp file; the file is removed when this goes, whether the
// workbook was finished or not. Not thread-safe (one per request).
class TempWorkbook {
 public:
  explicit TempWorkbook(bool constant_memory) {
    std::error_code ec;
    std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
    if (ec) dir = "/tmp";
    std::random_device rd;
    char name[64];
    std::snprintf(name, sizeof name, "rapidesk-report-%08x%08x.xlsx", rd(), rd());
    path_ = dir / name;
    lxw_workbook_options options{};
    options.constant_memory = constant_memory ? LXW_TRUE : LXW_FALSE;
    options.tmpdir = nullptr;
    options.use_zip64 = LXW_FALSE;
    book_ = workbook_new_opt(path_.c_str(), &options);
  }
  ~TempWorkbook() {
    if (book_) workbook_close(book_);  // frees it; the half-written file goes below
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  TempWorkbook(const TempWorkbook&) = delete;
  TempWorkbook& operator=(const TempWorkbook&) = delete;

  lxw_workbook* book() { return book_; }
  bool ok() const { return book_ != nullptr && first_error_ == LXW_NO_ERROR; }
  void check(lxw_error e) {
    if (e != LXW_NO_ERROR && first_error_ == LXW_NO_ERROR) first_error_ = e;
  }

  lxw_worksheet* sheet(const char* name) {
    lxw_worksheet* s = workbook_add_worksheet(book_, name);
    if (!s) check(LXW_ERROR_MEMORY_MALLOC_FAILED);
    return s;
  }

  // Closes the workbook and returns the file's bytes.
  Result<std::string> finish() {
    if (!book_) return failed("workbook_new");
    const lxw_error closed = workbook_close(book_);
    book_ = nullptr;
    check(closed);
    if (first_error_ != LXW_NO_ERROR) return failed(lxw_strerror(first_error_));
    std::ifstream in(path_, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!in) return failed("read back");
    return bytes.str();
  }

 private:
  static Status failed(std::string_view why) {
    return Status::io(format_text(Text{"cannot write the spreadsheet: {}", "无法生成电子表格：{}"}, {same_text(why)}));
  }

  std::filesystem::path path_;
  lxw_workbook* book_ = nullptr;
  lxw_error first_error_ = LXW_NO_ERROR;
};

// Valid UTF-8 without control characters (other than tab and line breaks), at most one
// cell's worth: what the file format can hold, so a bad byte in a request cannot break the file.
std::string cell_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t chars = 0;
  for (size_t i = 0; i < s.size() && chars < kMaxCellChars; ++chars) {
    const CodePoint cp = next_code_point(s, i);
    const bool control = cp.value < 0x20 && cp.value != '\t' && cp.value != '\n' && cp.value != '\r';
    if (!cp.valid || control || cp.value == 0xFFFE || cp.value == 0xFFFF) {
      append_utf8(out, kReplacementCharacter);
    } else {
      out.append(s.substr(i, cp.length));
    }
    i += cp.length;
  }
  return out;
}

// Always a string cell: worksheet_write_string never reads its text as a formula.
void put_text(TempWorkbook& book, lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, std::string_view text,
              lxw_format* format = nullptr) {
  if (text.empty() && !format) return;
  book.check(worksheet_write_string(ws, row, col, cell_text(text).c_str(), format));
}

void put_number(TempWorkbook& book, lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, double value,
                lxw_format* format = nullptr) {
  book.check(worksheet_write_number(ws, row, col, value, format));
}

// A whole number of at most 9 digits, e.g. a progress percentage.
bool whole_number(std::string_view s) {
  if (s.empty() || s.size() > 9) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

struct Formats {
  explicit Formats(lxw_workbook* book) {
    bold = workbook_add_format(book);
    format_set_bold(bold);
    title = workbook_add_format(book);
    format_set_bold(title);
    format_set_font_size(title, 14);
    hours = workbook_add_format(book);
    format_set_num_format(hours, "0.00");
    percent = workbook_add_format(book);
    format_set_num_format(percent, "0.0");
    score = workbook_add_format(book);
    format_set_num_format(score, "0.00");
    wrap = workbook_add_format(book);
    format_set_text_wrap(wrap);
  }
  lxw_format* for_unit(FigureUnit unit) const {
    switch (unit) {
      case FigureUnit::kHours:
        return hours;
      case FigureUnit::kPercent:
        return percent;
      case FigureUnit::kScore:
        return score;
      case FigureUnit::kCount:
        return nullptr;
    }
    return nullptr;
  }
  lxw_format* bold;
  lxw_format* title;
  lxw_format* hours;
  lxw_format* percent;
  lxw_format* score;
  lxw_format* wrap;
};

void put_value(TempWorkbook& book, lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, const nlohmann::json& v,
               lxw_format* format) {
  if (v.is_number()) put_number(book, ws, row, col, v.get<double>(), format);
}

std::string joined(const nlohmann::json& list) {
  std::string out;
  for (const auto& e : list) {
    if (!out.empty()) out += ' ';
    out += e.is_string() ? e.get<std::string>() : e.dump();
  }
  return out;
}

}  // namespace

Result<std::string> requests_xlsx(const std::vector<std::vector<std::string>>& table) {
  if (table.size() > LXW_ROW_MAX) {
    return Status::invalid(
        format_text(Text{"{} requests do not fit in one Excel sheet (at most {}): choose a shorter "
                         "period, filter, or use requests.csv",
                         "{} 条需求超出 Excel 单个工作表的上限（{} 行）：请缩短期间、加筛选条件，"
                         "或使用 requests.csv"},
                    {same_text(std::to_string(table.size() - 1)), same_text(std::to_string(LXW_ROW_MAX - 1))}));
  }
  // Rows go out in order, so the constant-memory mode keeps a year's export small in memory.
  TempWorkbook book(/*constant_memory=*/true);
  if (!book.ok()) return book.finish();
  Formats f(book.book());
  lxw_worksheet* ws = book.sheet("Requests 需求");
  if (!ws) return book.finish();
  if (!table.empty()) {
    const auto& header = table.front();
    for (size_t c = 0; c < header.size(); ++c) {
      const bool wide = header[c] == "description" || header[c] == "feedback";
      book.check(worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), wide ? 48 : 18,
                                      wide ? f.wrap : nullptr));
    }
    worksheet_freeze_panes(ws, 1, 0);
  }
  for (size_t r = 0; r < table.size(); ++r) {
    const auto& row = table[r];
    for (size_t c = 0; c < row.size(); ++c) {
      const auto row_index = static_cast<lxw_row_t>(r);
      const auto col = static_cast<lxw_col_t>(c);
      if (r == 0) {
        put_text(book, ws, row_index, col, row[c], f.bold);
        continue;
      }
      const std::string& name = c < table.front().size() ? table.front()[c] : std::string();
      if ((name == "progress" || name == "satisfaction") && whole_number(row[c])) {
        put_number(book, ws, row_index, col, std::stod(row[c]));
      } else {
        put_text(book, ws, row_index, col, row[c]);
      }
    }
  }
  return book.finish();
}

Result<std::string> summary_xlsx(const nlohmann::json& summary) {
  TempWorkbook book(/*constant_memory=*/false);
  if (!book.ok()) return book.finish();
  Formats f(book.book());
  const auto grouping =
      from_wire<reports::Grouping>(summary.value("group", std::string())).value_or(reports::Grouping::kCategory);
  const std::vector<std::string> targets = summary_sla_targets(summary);

  // Sheet 1: the figures of the period against the previous one.
  lxw_worksheet* ws = book.sheet("Summary 汇总");
  if (!ws) return book.finish();
  book.check(worksheet_set_column(ws, 0, 0, 36, nullptr));
  book.check(worksheet_set_column(ws, 1, 2, 34, nullptr));
  book.check(worksheet_set_column(ws, 3, 5, 16, nullptr));
  put_text(book, ws, 0, 0, both_languages(ReportTexts::kTitle), f.title);
  put_text(book, ws, 1, 0, both_languages(ReportTexts::kPeriod), f.bold);
  put_text(book, ws, 1, 1, summary.value("from", std::string()) + " – " + summary.value("to", std::string()));
  put_text(book, ws, 1, 2, "UTC" + summary.value("utc_offset", std::string()));
  const auto [prev_from, prev_to] = previous_dates(summary);
  put_text(book, ws, 2, 0, both_languages(ReportTexts::kPrevious), f.bold);
  put_text(book, ws, 2, 1, prev_from + " – " + prev_to);
  put_text(book, ws, 3, 0, both_languages(ReportTexts::kGrouping), f.bold);
  put_text(book, ws, 3, 1, both_languages(label(grouping)));
  lxw_row_t row = 5;
  const std::vector<std::string> header = {"metric",
                                           ReportTexts::kMetric.zh,
                                           ReportTexts::kMetric.en,
                                           both_languages(ReportTexts::kThisPeriod),
                                           both_languages(ReportTexts::kPreviousPeriod),
                                           both_languages(ReportTexts::kChange)};
  for (size_t c = 0; c < header.size(); ++c) put_text(book, ws, row, static_cast<lxw_col_t>(c), header[c], f.bold);
  worksheet_freeze_panes(ws, row + 1, 0);
  for (const FigureRow& fr : figure_rows(summary["total"], summary["previous"]["figures"], targets)) {
    ++row;
    lxw_format* format = f.for_unit(fr.unit);
    put_text(book, ws, row, 0, fr.key);
    put_text(book, ws, row, 1, fr.label.zh);
    put_text(book, ws, row, 2, fr.label.en);
    put_value(book, ws, row, 3, fr.value, format);
    put_value(book, ws, row, 4, fr.previous, format);
    if (fr.value.is_number() && fr.previous.is_number()) {
      put_number(book, ws, row, 5, fr.value.get<double>() - fr.previous.get<double>(), format);
    }
  }

  // Sheet 2: one row per group, the same figures as columns.
  ws = book.sheet("Groups 分组");
  if (!ws) return book.finish();
  book.check(worksheet_set_column(ws, 0, 1, 20, nullptr));
  put_text(book, ws, 0, 0, "group", f.bold);
  put_text(book, ws, 0, 1, both_languages(ReportTexts::kGroup) + " (" + both_languages(label(grouping)) + ")", f.bold);
  row = 0;
  bool header_done = false;
  for (const auto& [key, figures] : summary["groups"].items()) {
    const auto rows = figure_rows(figures, nullptr, targets);
    if (!header_done) {
      for (size_t c = 0; c < rows.size(); ++c) {
        put_text(book, ws, 0, static_cast<lxw_col_t>(c + 2), both_languages(rows[c].label), f.bold);
      }
      header_done = true;
    }
    ++row;
    put_text(book, ws, row, 0, key);
    put_text(book, ws, row, 1, both_languages(group_label(grouping, key)));
    for (size_t c = 0; c < rows.size(); ++c) {
      put_value(book, ws, row, static_cast<lxw_col_t>(c + 2), rows[c].value, f.for_unit(rows[c].unit));
    }
  }
  worksheet_freeze_panes(ws, 1, 2);

  // Sheet 3: the recurring issues, largest first.
  ws = book.sheet("Recurring 重复问题");
  if (!ws) return book.finish();
  book.check(worksheet_set_column(ws, 2, 2, 40, nullptr));
  book.check(worksheet_set_column(ws, 3, 3, 60, f.wrap));
  book.check(worksheet_set_column(ws, 4, 4, 24, nullptr));
  const std::vector<std::string> rec_header = {
      "#", both_languages(ReportTexts::kCount), both_languages(ReportTexts::kExamples),
      both_languages(ReportTexts::kExampleText), both_languages(ReportTexts::kCommonTags)};
  for (size_t c = 0; c < rec_header.size(); ++c)
    put_text(book, ws, 0, static_cast<lxw_col_t>(c), rec_header[c], f.bold);
  row = 0;
  for (const auto& cluster : summary["recurring"]) {
    ++row;
    put_number(book, ws, row, 0, row);
    put_value(book, ws, row, 1, cluster["count"], nullptr);
    put_text(book, ws, row, 2, joined(cluster["example_numbers"]));
    put_text(book, ws, row, 3, cluster.value("example_text", std::string()));
    put_text(book, ws, row, 4, joined(cluster["common_tags"]));
  }
  return book.finish();
}

}  // namespace rapidesk::server
