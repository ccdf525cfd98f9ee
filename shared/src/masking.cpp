#include "rapidesk/shared/masking.h"

namespace rapidesk {

std::string mask_phone(std::string_view phone) {
  // Mask by digit position so "+86 138-1234-5678" keeps its shape.
  size_t digits = 0;
  for (char c : phone) digits += (c >= '0' && c <= '9');
  size_t keep_head = 3;
  size_t keep_tail = 4;
  size_t skip = 0;  // digits of a leading "+CC" country code, left visible
  if (!phone.empty() && phone[0] == '+') {
    for (size_t i = 1; i < phone.size() && phone[i] >= '0' && phone[i] <= '9'; ++i) ++skip;
    if (skip > 3 || digits - skip < 7) skip = 0;
  }
  if (digits - skip < 8) {
    keep_head = 0;
    keep_tail = 2;
  }
  std::string out;
  out.reserve(phone.size());
  size_t index = 0;
  for (char c : phone) {
    if (c < '0' || c > '9') {
      out += c;
      continue;
    }
    const size_t local = index - std::min(index, skip);
    const bool in_prefix = index < skip;
    const size_t local_digits = digits - skip;
    const bool visible = in_prefix || local < keep_head || local + keep_tail >= local_digits;
    out += visible ? c : '*';
    ++index;
  }
  return out;
}

std::string mask_email(std::string_view email) {
  const size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0) return "***";
  // Keep the first character whole even when it is multi-byte UTF-8.
  size_t first = 1;
  while (first < at && (static_cast<unsigned char>(email[first]) & 0xC0) == 0x80) ++first;
  return std::string(email.substr(0, first)) + "***" + std::string(email.substr(at));
}

std::string mask_contact(std::string_view contact) {
  return contact.find('@') != std::string_view::npos ? mask_email(contact) : mask_phone(contact);
}

bool sees_full_contact(Role role, bool is_owner) { return role != Role::kField || is_owner; }

std::string contact_for(std::string_view contact, Role role, bool is_owner) {
  return sees_full_contact(role, is_owner) ? std::string(contact) : mask_contact(contact);
}

}  // namespace rapidesk
