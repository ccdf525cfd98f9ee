#include "field_labels.h"

namespace rapidesk::ui {
namespace {

struct FieldLabel {
  std::string_view entity;  // "" for every entity
  std::string_view field;
  UiText label;
};

// Entity-specific entries come first: the first match wins. The words are the detail
// window's.
constexpr FieldLabel kLabels[] = {
    {"activity", "text", {"Entry text", "记录内容"}},
    {"activity", "kind", {"Kind of entry", "记录类型"}},
    {"customer", "name", {"Customer name", "客户名称"}},
    {"customer", "contact", {"Contact", "联系方式"}},
    {"conflict", "resolution", {"How the conflict was settled", "冲突处理结果"}},
    {"subtask", "title", {"Subtask", "子任务"}},
    {"subtask", "done", {"Done", "完成"}},
    {"knowledge", "body", {"Solution", "解决方案"}},
    {"", "request_id", {"Request", "所属请求"}},
    {"", "customer", {"Customer", "客户"}},
    {"", "customer_id", {"Customer code", "客户编号"}},
    {"", "contact", {"Phone / e-mail", "电话/邮箱"}},
    {"", "contact_name", {"Contact person", "联系人"}},
    {"", "industry", {"Industry", "行业"}},
    {"", "tier", {"Customer tier", "客户等级"}},
    {"", "channel", {"Channel", "渠道"}},
    {"", "category", {"Category", "类别"}},
    {"", "priority", {"Priority", "优先级"}},
    {"", "priority_reason", {"Why this priority", "优先级原因"}},
    {"", "priority_override_by", {"Priority set by", "优先级调整人"}},
    {"", "impact", {"Impact", "影响范围"}},
    {"", "title", {"Title", "标题"}},
    {"", "description", {"Description", "问题描述"}},
    {"", "background", {"Background", "背景"}},
    {"", "contacted_at", {"Contacted at", "联系时间"}},
    {"", "expected_at", {"Expected by", "期望完成时间"}},
    {"", "status", {"Status", "状态"}},
    {"", "status_reason", {"Why the status", "状态原因"}},
    {"", "owner", {"Owner", "负责人"}},
    {"", "team", {"Team", "团队"}},
    {"", "collaborators", {"Collaborators", "协作人"}},
    {"", "tags", {"Tags", "标签"}},
    {"", "progress", {"Progress", "进度"}},
    {"", "satisfaction", {"Satisfaction", "满意度"}},
    {"", "feedback", {"Feedback", "反馈"}},
    {"", "number", {"Number", "编号"}},
    {"", "first_response_due", {"First response due", "首次响应期限"}},
    {"", "resolution_due", {"Resolution due", "解决期限"}},
    {"", "sla_state", {"SLA state", "SLA 状态"}},
    {"", "sla_breached", {"SLA breached", "SLA 已超时"}},
    {"", "escalation_level", {"Escalation level", "升级级别"}},
    {"", "assigned_by_rule", {"Assignment rule", "分派规则"}},
    {"", "assignment_explanation", {"Why this person", "分派原因"}},
    {"", "deleted", {"Deleted", "已删除"}},
    {"", "agreed_due", {"Re-agreed due", "重新约定期限"}},
    {"", "agreed_reason", {"Why re-agreed", "重新约定原因"}},
    {"", "start_at", {"Starts", "开始时间"}},
    {"", "due_at", {"Due", "截止时间"}},
    {"", "deliverable", {"Deliverable", "交付物"}},
    {"", "author", {"Author", "作者"}},
    {"", "at", {"Time", "时间"}},
    {"", "file_name", {"File name", "文件名"}},
    {"", "mime_type", {"File type", "文件类型"}},
    {"", "size_bytes", {"Size", "大小"}},
    {"", "sha256", {"File checksum", "文件校验和"}},
    {"", "added_by", {"Added by", "添加人"}},
    {"", "added_at", {"Added at", "添加时间"}},
};

}  // namespace

std::optional<UiText> known_field_label(std::string_view entity, std::string_view field) {
  for (const FieldLabel& l : kLabels) {
    if (l.field == field && (l.entity.empty() || l.entity == entity)) return l.label;
  }
  return std::nullopt;
}

std::string field_label(std::string_view entity, std::string_view field) {
  if (auto label = known_field_label(entity, field)) return tr(*label);
  return std::string(field);
}

}  // namespace rapidesk::ui
