#include <array>
#include <nlohmann/json.hpp>

#include "rapidesk/notify/notification.h"

namespace rapidesk {

namespace {
constexpr std::array<EnumEntry<notify::EventKind>, 5> kKinds = {{
    {notify::EventKind::kNewUrgent, "new_urgent", "New urgent request", "新的紧急需求"},
    {notify::EventKind::kWarning, "warning", "SLA at risk", "SLA 即将超时"},
    {notify::EventKind::kBreach, "breach", "SLA breached", "SLA 已超时"},
    {notify::EventKind::kEscalation, "escalation", "Escalated", "已升级"},
    {notify::EventKind::kReport, "report", "Scheduled report", "定期报告"},
}};
constexpr std::array<EnumEntry<notify::PayloadTemplate>, 5> kTemplates = {{
    {notify::PayloadTemplate::kGeneric, "generic", "Generic JSON", "通用 JSON"},
    {notify::PayloadTemplate::kWecom, "wecom", "WeCom bot", "企业微信机器人"},
    {notify::PayloadTemplate::kDingtalk, "dingtalk", "DingTalk bot", "钉钉机器人"},
    {notify::PayloadTemplate::kFeishu, "feishu", "Feishu bot", "飞书机器人"},
    {notify::PayloadTemplate::kSlack, "slack", "Slack webhook", "Slack Webhook"},
}};
}  // namespace

template <> std::span<const EnumEntry<notify::EventKind>> enum_entries<notify::EventKind>() { return kKinds; }
template <> std::span<const EnumEntry<notify::PayloadTemplate>> enum_entries<notify::PayloadTemplate>() { return kTemplates; }

namespace notify {

namespace {

// "[SLA breached / SLA 已超时] 20261123-TECH-0007 Scanner offline (华东物流): message / 消息"
// "[定期报告 / Scheduled report] 周报 … / Weekly report …" for a report.
std::string one_line(const Notification& n) {
  const Text kind = label(n.kind);
  std::string line = "[" + kind.zh + " / " + kind.en + "] ";
  if (n.report) return line + n.message.zh + " / " + n.message.en;
  line += n.number.empty() ? n.request_id : n.number;
  if (!n.title.empty()) line += " " + n.title;
  if (!n.customer.empty()) line += " (" + n.customer + ")";
  if (!n.message.en.empty()) line += ": " + n.message.zh + " / " + n.message.en;
  if (!n.owner.empty()) line += " @" + n.owner;
  return line;
}

}  // namespace

std::string render_payload(PayloadTemplate tmpl, const Notification& n) {
  using nlohmann::json;
  const std::string text = one_line(n);
  json body;
  switch (tmpl) {
    case PayloadTemplate::kWecom:
    case PayloadTemplate::kDingtalk:
      body = {{"msgtype", "text"}, {"text", {{"content", text}}}};
      break;
    case PayloadTemplate::kFeishu:
      body = {{"msg_type", "text"}, {"content", {{"text", text}}}};
      break;
    case PayloadTemplate::kSlack:
      body = {{"text", text}};
      break;
    case PayloadTemplate::kGeneric:
      if (n.report) {
        json summary = json::parse(n.report->summary_json, nullptr, false);
        if (summary.is_discarded()) summary = nullptr;
        body = {{"type", n.report->type},
                {"from", n.report->from},
                {"to", n.report->to},
                {"team", n.team},
                {"summary", std::move(summary)},
                {"text", text},
                {"occurred_at", n.occurred_at}};
        break;
      }
      body = {{"event", std::string(to_wire(n.kind))},
              {"team", n.team},
              {"request", {{"id", n.request_id}, {"number", n.number}, {"title", n.title}, {"customer", n.customer},
                           {"priority", n.priority ? std::string(to_wire(*n.priority)) : std::string()}, {"owner", n.owner}}},
              {"message", n.message.en},
              {"message_zh", n.message.zh},
              {"text", text},
              {"occurred_at", n.occurred_at}};
      break;
  }
  // Replace invalid UTF-8 rather than fail: a notification must never be lost to a bad byte.
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace notify
}  // namespace rapidesk
