// CSV as spreadsheets expect it from Rapidesk: UTF-8 with a byte-order mark (so Excel
// shows Chinese text), CRLF line ends, RFC 4180 quoting, and cells that a spreadsheet
// would run as a formula (starting with = + - @, tab or carriage return, also after
// leading spaces or line breaks) defused with a leading apostrophe. Reading undoes exactly what writing does.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rapidesk/shared/status.h"

namespace rapidesk {

inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// One cell, quoted if needed, formula characters defused.
std::string csv_cell(std::string_view value);
// A whole row with CRLF.
std::string csv_row(const std::vector<std::string>& cells);

// Parses CSV text (with or without BOM; CRLF or LF; quoted cells may hold newlines).
// Cells written by csv_cell come back as they were before defusing ("'=1" -> "=1").
// Fails with the line number on an unterminated quote or a stray quote inside a cell.
Result<std::vector<std::vector<std::string>>> parse_csv(std::string_view text);

}  // namespace rapidesk
