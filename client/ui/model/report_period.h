// The Reports window's period picker and the query it sends: preset periods as local
// dates (weeks start on Monday), and the summary / export URLs of docs/server.md.
#pragma once

#include <string>
#include <utility>

#include "rapidesk/shared/time.h"

namespace rapidesk::ui {

enum class PeriodPreset { kThisWeek, kLastWeek, kThisMonth, kLastMonth, kCustom };

// [from, to] as YYYY-MM-DD (to inclusive) for a preset, at `utc_offset_minutes`.
std::pair<std::string, std::string> preset_dates(PeriodPreset preset, Instant now, int utc_offset_minutes);

// "+08:00" for 480.
std::string offset_text(int utc_offset_minutes);

// True for a valid YYYY-MM-DD date.
bool is_date(const std::string& text);

// "/api/v1/reports/summary?from=…&to=…&group=…&utc_offset=…" (`suffix` "" or ".csv"),
// and the request-list export "/api/v1/reports/requests.csv?from=…&to=…&utc_offset=…".
std::string summary_target(const std::string& from, const std::string& to, const std::string& group,
                           int utc_offset_minutes, const std::string& suffix = "");
std::string requests_export_target(const std::string& from, const std::string& to, int utc_offset_minutes,
                                   const std::string& suffix = ".csv");

// A duration for people: "2h 15m", "3d 4h", "-" for null (ms < 0).
std::string duration_text(long long ms);

}  // namespace rapidesk::ui
