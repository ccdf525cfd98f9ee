#include "rapidesk/shared/csv.h"

namespace rapidesk {

namespace {

bool formula_start(char c) { return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r'; }

// Whether a spreadsheet could read `value` as a formula: it starts with a formula character,
// also after spaces or line breaks (which an importer may trim), or with the apostrophe
// itself (doubled, so reading back is exact).
bool needs_apostrophe(std::string_view value) {
  if (value.empty()) return false;
  if (value[0] == '\'') return true;
  const std::size_t first = value.find_first_not_of(" \n");
  return first != std::string_view::npos && formula_start(value[first]);
}

}  // namespace

std::string csv_cell(std::string_view value) {
  std::string v;
  // The apostrophe makes spreadsheets show the text as typed instead of evaluating it.
  // A value that already starts with an apostrophe gets one more, so reading is exact.
  if (needs_apostrophe(value)) v += '\'';
  v += value;
  const bool quote = v.find_first_of(",\"\r\n") != std::string::npos;
  if (!quote) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string csv_row(const std::vector<std::string>& cells) {
  std::string out;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i) out += ',';
    out += csv_cell(cells[i]);
  }
  out += "\r\n";
  return out;
}

Result<std::vector<std::vector<std::string>>> parse_csv(std::string_view text) {
  if (text.substr(0, kUtf8Bom.size()) == kUtf8Bom) text.remove_prefix(kUtf8Bom.size());
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false;      // inside quotes
  bool was_quoted = false;  // the current cell started with a quote
  size_t line = 1;
  auto finish_cell = [&] {
    if (!cell.empty() && cell[0] == '\'' && needs_apostrophe(std::string_view(cell).substr(1))) cell.erase(0, 1);
    row.push_back(std::move(cell));
    cell.clear();
    was_quoted = false;
  };
  auto bad = [&](std::string_view what_en, std::string_view what_zh) {
    return Status::invalid(format_text(Text{"CSV line {}: {}", "CSV 第 {} 行：{}"},
                                       {same_text(std::to_string(line)), Text{std::string(what_en), std::string(what_zh)}}));
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          cell += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        cell += c;
      }
      continue;
    }
    if (c == '"') {
      if (!cell.empty() || was_quoted) return bad("a quote inside an unquoted cell", "未加引号的单元格中出现引号");
      quoted = was_quoted = true;
    } else if (c == ',') {
      finish_cell();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;
    } else if (c == '\n') {
      finish_cell();
      rows.push_back(std::move(row));
      row.clear();
      ++line;
    } else {
      if (was_quoted) return bad("text after a closing quote", "右引号后还有文字");
      cell += c;
    }
  }
  if (quoted) return bad("a quoted cell is never closed", "引号未闭合");
  if (!cell.empty() || !row.empty() || was_quoted) {
    finish_cell();
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace rapidesk
