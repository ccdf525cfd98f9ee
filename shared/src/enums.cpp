#include "rapidesk/shared/enums.h"

#include <array>

namespace rapidesk {

namespace {

constexpr std::array<EnumEntry<Tier>, 4> kTiers = {{
    {Tier::kStrategic, "strategic", "Strategic", "战略客户"},
    {Tier::kVip, "vip", "VIP", "VIP客户"},
    {Tier::kRegular, "regular", "Regular", "普通客户"},
    {Tier::kNew, "new", "New", "新客户"},
}};

constexpr std::array<EnumEntry<Channel>, 7> kChannels = {{
    {Channel::kPhone, "phone", "Phone", "电话"},
    {Channel::kEmail, "email", "E-mail", "邮件"},
    {Channel::kChat, "chat", "Chat", "在线聊天"},
    {Channel::kVisit, "visit", "Visit", "上门拜访"},
    {Channel::kWebForm, "web_form", "Web form", "网页表单"},
    {Channel::kApp, "app", "App", "应用"},
    {Channel::kOther, "other", "Other", "其他"},
}};

constexpr std::array<EnumEntry<Category>, 7> kCategories = {{
    {Category::kConsultation, "consultation", "Consultation", "咨询"},
    {Category::kComplaint, "complaint", "Complaint", "投诉"},
    {Category::kSuggestion, "suggestion", "Suggestion", "建议"},
    {Category::kFeature, "feature", "Feature request", "功能需求"},
    {Category::kService, "service", "Service", "服务"},
    {Category::kTechSupport, "tech_support", "Technical support", "技术支持"},
    {Category::kOther, "other", "Other", "其他"},
}};

constexpr std::array<EnumEntry<Priority>, 4> kPriorities = {{
    {Priority::kUrgent, "urgent", "Urgent", "紧急"},
    {Priority::kHigh, "high", "High", "高"},
    {Priority::kMedium, "medium", "Medium", "中"},
    {Priority::kLow, "low", "Low", "低"},
}};

constexpr std::array<EnumEntry<RequestStatus>, 8> kStatuses = {{
    {RequestStatus::kNew, "new", "New", "新建"},
    {RequestStatus::kTriaged, "triaged", "Triaged", "已分类"},
    {RequestStatus::kInProgress, "in_progress", "In progress", "处理中"},
    {RequestStatus::kWaitingCustomer, "waiting_customer", "Waiting for customer", "等待客户"},
    {RequestStatus::kVerifying, "verifying", "Verifying", "验证中"},
    {RequestStatus::kResolved, "resolved", "Resolved", "已解决"},
    {RequestStatus::kClosed, "closed", "Closed", "已关闭"},
    {RequestStatus::kReopened, "reopened", "Reopened", "已重开"},
}};

constexpr std::array<EnumEntry<Role>, 4> kRoles = {{
    {Role::kField, "field", "Field staff", "外勤人员"},
    {Role::kAgent, "agent", "Service agent", "客服专员"},
    {Role::kCoordinator, "coordinator", "Coordinator", "协调员"},
    {Role::kAdmin, "admin", "Administrator", "管理员"},
}};

constexpr std::array<EnumEntry<ActivityKind>, 7> kActivityKinds = {{
    {ActivityKind::kProgress, "progress", "Progress", "进度"},
    {ActivityKind::kBlocker, "blocker", "Blocker", "阻碍"},
    {ActivityKind::kSolution, "solution", "Solution", "解决方案"},
    {ActivityKind::kCustomerContact, "customer_contact", "Customer contact", "客户沟通"},
    {ActivityKind::kFeedback, "feedback", "Customer feedback", "客户反馈"},
    {ActivityKind::kNote, "note", "Note", "备注"},
    {ActivityKind::kSla, "sla", "SLA event", "SLA 事件"},
}};

constexpr std::array<EnumEntry<ImpactScope>, 4> kImpactScopes = {{
    {ImpactScope::kSingleUser, "single_user", "A single user", "单个用户"},
    {ImpactScope::kTeam, "team", "A team or department", "一个团队或部门"},
    {ImpactScope::kSite, "site", "A whole site", "整个站点"},
    {ImpactScope::kCompany, "company", "The whole company", "整个公司"},
}};

}  // namespace

template <> std::span<const EnumEntry<Tier>> enum_entries<Tier>() { return kTiers; }
template <> std::span<const EnumEntry<Channel>> enum_entries<Channel>() { return kChannels; }
template <> std::span<const EnumEntry<Category>> enum_entries<Category>() { return kCategories; }
template <> std::span<const EnumEntry<Priority>> enum_entries<Priority>() { return kPriorities; }
template <> std::span<const EnumEntry<RequestStatus>> enum_entries<RequestStatus>() { return kStatuses; }
template <> std::span<const EnumEntry<Role>> enum_entries<Role>() { return kRoles; }
template <> std::span<const EnumEntry<ActivityKind>> enum_entries<ActivityKind>() { return kActivityKinds; }
template <> std::span<const EnumEntry<ImpactScope>> enum_entries<ImpactScope>() { return kImpactScopes; }

}  // namespace rapidesk
