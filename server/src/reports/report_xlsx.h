// The reports as Excel workbooks (libxlsxwriter). Every text cell is written as a string
// cell, never a formula, so a description such as "=HYPERLINK(...)" shows as that text.
// libxlsxwriter writes only files: each workbook goes through a temp file that is read
// back and removed, whatever happens.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rapidesk/shared/status.h"

namespace rapidesk::server {

inline constexpr const char* kXlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

// One sheet holding `table` (first row = header, bold and frozen). Cells that are plain
// whole numbers in the number-like columns (progress, satisfaction) become number cells.
// kInvalid if there are more rows than a sheet holds (1,048,576 with the header); kIo if
// the workbook cannot be written.
Result<std::string> requests_xlsx(const std::vector<std::vector<std::string>>& table);

// The summary document of summary_json() on three sheets: the figures of the period and
// of the previous one, the groups, and the recurring issues. Labels in both languages.
Result<std::string> summary_xlsx(const nlohmann::json& summary);

}  // namespace rapidesk::server
