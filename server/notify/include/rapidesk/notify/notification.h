// What Rapidesk tells the outside world about, and how a message is shaped for common
// receivers (generic JSON, WeCom / DingTalk / Feishu / Slack style chat bots).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rapidesk/shared/enums.h"
#include "rapidesk/shared/status.h"

namespace rapidesk::notify {

enum class EventKind { kNewUrgent, kWarning, kBreach, kEscalation, kReport };
enum class PayloadTemplate { kGeneric, kWecom, kDingtalk, kFeishu, kSlack };

// What a scheduled report carries besides its one line: the event type ("report.weekly",
// "report.monthly"), the period's first and last day (YYYY-MM-DD) and the summary document
// as JSON text (GET /api/v1/reports/summary).
struct ReportDigest {
  std::string type;
  std::string from;
  std::string to;
  std::string summary_json;
};

struct Notification {
  EventKind kind = EventKind::kWarning;
  std::string team;
  std::string request_id;
  std::string number;     // human number, may be empty before first accept
  std::string title;
  std::string customer;
  std::optional<Priority> priority;
  std::string owner;
  Text message;           // one line for people, e.g. "First response due in 30 min"
  std::string occurred_at;  // ISO 8601
  std::optional<ReportDigest> report;  // kReport only
};

// The JSON body to POST for `n` in the receiver's format. Chat-bot formats carry one text
// line in both languages; the generic format carries every field, and for a report
// {"type","from","to","team","summary","text","occurred_at"} with the summary as an object.
std::string render_payload(PayloadTemplate tmpl, const Notification& n);

}  // namespace rapidesk::notify

namespace rapidesk {
template <> std::span<const EnumEntry<notify::EventKind>> enum_entries<notify::EventKind>();
template <> std::span<const EnumEntry<notify::PayloadTemplate>> enum_entries<notify::PayloadTemplate>();
}  // namespace rapidesk
