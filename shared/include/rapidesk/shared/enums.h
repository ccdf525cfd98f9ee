// The domain's closed vocabularies. Each value has a stable snake_case wire name (used in
// the HTTP API, the CLI, the database and exports) and labels in Chinese and English.
// Wire names never change once shipped; labels may.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "rapidesk/shared/text.h"

namespace rapidesk {

enum class Tier { kStrategic, kVip, kRegular, kNew };
enum class Channel { kPhone, kEmail, kChat, kVisit, kWebForm, kApp, kOther };
enum class Category { kConsultation, kComplaint, kSuggestion, kFeature, kService, kTechSupport, kOther };
enum class Priority { kUrgent, kHigh, kMedium, kLow };
enum class RequestStatus { kNew, kTriaged, kInProgress, kWaitingCustomer, kVerifying, kResolved, kClosed, kReopened };
enum class Role { kField, kAgent, kCoordinator, kAdmin };
// kSla: written by the server only (SLA warnings, breaches, escalations, reminders, late uploads).
enum class ActivityKind { kProgress, kBlocker, kSolution, kCustomerContact, kFeedback, kNote, kSla };
// How far a request's effect reaches; one of the three priority factors.
enum class ImpactScope { kSingleUser, kTeam, kSite, kCompany };

// One row of an enum's vocabulary table.
template <typename E>
struct EnumEntry {
  E value;
  std::string_view wire;
  std::string_view en;
  std::string_view zh;
};

// The whole table, in display order. Defined for every enum above.
template <typename E>
std::span<const EnumEntry<E>> enum_entries();

template <typename E>
std::string_view to_wire(E value) {
  for (const auto& e : enum_entries<E>()) {
    if (e.value == value) return e.wire;
  }
  return {};
}

template <typename E>
std::optional<E> from_wire(std::string_view wire) {
  for (const auto& e : enum_entries<E>()) {
    if (e.wire == wire) return e.value;
  }
  return std::nullopt;
}

template <typename E>
Text label(E value) {
  for (const auto& e : enum_entries<E>()) {
    if (e.value == value) return Text{std::string(e.en), std::string(e.zh)};
  }
  return {};
}

// "a, b, c": the wire names, for error messages that list what is allowed.
template <typename E>
std::string wire_list() {
  std::string out;
  for (const auto& e : enum_entries<E>()) {
    if (!out.empty()) out += ", ";
    out += e.wire;
  }
  return out;
}

template <> std::span<const EnumEntry<Tier>> enum_entries<Tier>();
template <> std::span<const EnumEntry<Channel>> enum_entries<Channel>();
template <> std::span<const EnumEntry<Category>> enum_entries<Category>();
template <> std::span<const EnumEntry<Priority>> enum_entries<Priority>();
template <> std::span<const EnumEntry<RequestStatus>> enum_entries<RequestStatus>();
template <> std::span<const EnumEntry<Role>> enum_entries<Role>();
template <> std::span<const EnumEntry<ActivityKind>> enum_entries<ActivityKind>();
template <> std::span<const EnumEntry<ImpactScope>> enum_entries<ImpactScope>();

}  // namespace rapidesk
