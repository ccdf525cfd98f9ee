// Contact details are stored in full but shown masked to roles that do not need them.
#pragma once

#include <string>
#include <string_view>

#include "rapidesk/shared/enums.h"

namespace rapidesk {

// "13812345678" -> "138****5678"; keeps separators and a leading "+86"-style prefix
// readable. Short numbers keep only their last two digits.
std::string mask_phone(std::string_view phone);
// "zhang@example.com" -> "z***@example.com".
std::string mask_email(std::string_view email);
// Masks as an e-mail when it has an '@', else as a phone number.
std::string mask_contact(std::string_view contact);

// Agents, coordinators and admins work with customers' contact details; field staff see
// them only on requests they own.
bool sees_full_contact(Role role, bool is_owner);
// The contact as `role` may see it.
std::string contact_for(std::string_view contact, Role role, bool is_owner);

}  // namespace rapidesk
