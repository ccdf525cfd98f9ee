// The review summary as one printable HTML page for the weekly meeting: headline figures
// against the previous period, SLA met % per target, handling times, the satisfaction
// distribution, the groups (table and bar chart), the recurring issues.
//
// Self-contained: inline CSS with print rules, charts as inline SVG, no script, no external
// resource. Every value that comes from data (customer names, titles, team codes, owners,
// tags) is HTML-escaped.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "rapidesk/shared/text.h"

namespace rapidesk::server {

// `summary` is a document of summary_json(); labels are in `lang`.
std::string summary_html(const nlohmann::json& summary, Language lang);

// Text made safe for HTML element content and attribute values (& < > " ').
std::string html_escape(std::string_view text);

}  // namespace rapidesk::server
