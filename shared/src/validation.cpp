#include "rapidesk/shared/validation.h"

#include <string>

#include "rapidesk/shared/utf8.h"

namespace rapidesk {

namespace {

constexpr Instant kFutureContactSlack = 5 * kMsPerMinute;  // device clocks are never exact

Status required(std::string_view field, Text name) {
  return Status::invalid(format_text(Text{"{} is required.", "{}为必填项。"}, {std::move(name)}), std::string(field));
}

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

void check_length(std::vector<Status>& out, std::string_view field, Text name, const std::string& value,
                  size_t max_chars) {
  if (!is_valid_utf8(value)) {
    out.push_back(Status::invalid(format_text(Text{"{} contains invalid characters (not UTF-8).", "{}包含无效字符（非 UTF-8）。"}, {name}),
                                  std::string(field)));
  } else if (utf8_length(value) > max_chars) {
    out.push_back(Status::invalid(
        format_text(Text{"{} is too long: at most {} characters.", "{}过长：最多 {} 个字符。"},
                    {name, same_text(std::to_string(max_chars))}),
        std::string(field)));
  }
}

}  // namespace

size_t utf8_length(std::string_view text) {
  size_t count = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++count;
  }
  return count;
}

bool is_valid_utf8(std::string_view text) { return first_invalid_utf8(text) == std::string_view::npos; }

Status validate_satisfaction(int score) {
  if (score >= 1 && score <= 5) return Status::ok();
  return Status::invalid(format_text(Text{"Satisfaction must be a whole number from 1 to 5, not {}.",
                                          "满意度必须是 1 到 5 的整数，而不是 {}。"},
                                     {same_text(std::to_string(score))}),
                         "satisfaction");
}

Status validate_progress(int percent) {
  if (percent >= 0 && percent <= 100) return Status::ok();
  return Status::invalid(format_text(Text{"Progress must be between 0 and 100 percent, not {}.",
                                          "进度必须在 0 到 100 之间，而不是 {}。"},
                                     {same_text(std::to_string(percent))}),
                         "progress");
}

std::vector<Status> validate_intake(const Request& r, Instant now) {
  std::vector<Status> out;
  if (blank(r.customer)) out.push_back(required("customer", Text{"Customer", "客户"}));
  if (!r.category) out.push_back(required("category", Text{"Category", "类别"}));
  if (blank(r.description)) out.push_back(required("description", Text{"Description", "问题描述"}));
  if (!r.channel) out.push_back(required("channel", Text{"Channel", "来源渠道"}));
  if (!r.contacted_at) {
    out.push_back(required("contacted_at", Text{"Contact time", "联系时间"}));
  } else if (*r.contacted_at > now + kFutureContactSlack) {
    out.push_back(Status::invalid(Text{"Contact time is in the future; check the date and the device clock.",
                                       "联系时间晚于当前时间，请检查日期和设备时钟。"},
                                  "contacted_at"));
  }
  if (r.contacted_at && r.expected_at && *r.expected_at < *r.contacted_at) {
    out.push_back(Status::invalid(Text{"Expected time is before the contact time.", "期望时间早于联系时间。"},
                                  "expected_at"));
  }
  check_length(out, "customer", Text{"Customer", "客户"}, r.customer, kMaxTitleChars);
  check_length(out, "title", Text{"Title", "标题"}, r.title, kMaxTitleChars);
  check_length(out, "description", Text{"Description", "问题描述"}, r.description, kMaxTextChars);
  check_length(out, "background", Text{"Background", "背景"}, r.background, kMaxTextChars);
  check_length(out, "feedback", Text{"Feedback", "客户反馈"}, r.feedback, kMaxTextChars);
  if (Status s = validate_progress(r.progress); !s) out.push_back(s);
  if (r.satisfaction) {
    if (Status s = validate_satisfaction(*r.satisfaction); !s) out.push_back(s);
  }
  return out;
}

template <typename E>
Result<E> parse_enum_field(std::string_view field, std::string_view wire) {
  if (auto v = from_wire<E>(wire)) return *v;
  return Status::invalid(format_text(Text{"Unknown {} \"{}\"; use one of: {}.", "未知的{}“{}”；可选值：{}。"},
                                     {Text{std::string(field), std::string(field)}, same_text(wire.substr(0, 64)),
                                      same_text(wire_list<E>())}),
                         std::string(field));
}

template Result<Tier> parse_enum_field<Tier>(std::string_view, std::string_view);
template Result<Channel> parse_enum_field<Channel>(std::string_view, std::string_view);
template Result<Category> parse_enum_field<Category>(std::string_view, std::string_view);
template Result<Priority> parse_enum_field<Priority>(std::string_view, std::string_view);
template Result<RequestStatus> parse_enum_field<RequestStatus>(std::string_view, std::string_view);
template Result<Role> parse_enum_field<Role>(std::string_view, std::string_view);
template Result<ActivityKind> parse_enum_field<ActivityKind>(std::string_view, std::string_view);
template Result<ImpactScope> parse_enum_field<ImpactScope>(std::string_view, std::string_view);

}  // namespace rapidesk
