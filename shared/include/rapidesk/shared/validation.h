// Intake and field validation. Every error names the field (wire name) and says in both
// languages what is wrong and what would be right.
#pragma once

#include <string_view>
#include <vector>

#include "rapidesk/shared/entities.h"
#include "rapidesk/shared/enums.h"
#include "rapidesk/shared/status.h"

namespace rapidesk {

// Limits a person would not reach by hand but a bad import or client could.
constexpr size_t kMaxTitleChars = 200;
constexpr size_t kMaxTextChars = 20'000;  // description, background, feedback, notes

// Required at intake: customer, category, description, channel, contacted_at.
// Also checks value ranges and that times make sense relative to `now`.
// Returns every problem found (empty = valid), so a form can mark all fields at once.
std::vector<Status> validate_intake(const Request& request, Instant now);

Status validate_satisfaction(int score);  // 1..5
Status validate_progress(int percent);    // 0..100

// Number of Unicode code points in valid UTF-8 (bytes counted for invalid sequences).
size_t utf8_length(std::string_view text);
bool is_valid_utf8(std::string_view text);

// Parses an enum's wire name for `field`; unknown values get an error listing the allowed ones.
template <typename E>
Result<E> parse_enum_field(std::string_view field, std::string_view wire);

extern template Result<Tier> parse_enum_field<Tier>(std::string_view, std::string_view);
extern template Result<Channel> parse_enum_field<Channel>(std::string_view, std::string_view);
extern template Result<Category> parse_enum_field<Category>(std::string_view, std::string_view);
extern template Result<Priority> parse_enum_field<Priority>(std::string_view, std::string_view);
extern template Result<RequestStatus> parse_enum_field<RequestStatus>(std::string_view, std::string_view);
extern template Result<Role> parse_enum_field<Role>(std::string_view, std::string_view);
extern template Result<ActivityKind> parse_enum_field<ActivityKind>(std::string_view, std::string_view);
extern template Result<ImpactScope> parse_enum_field<ImpactScope>(std::string_view, std::string_view);

}  // namespace rapidesk
