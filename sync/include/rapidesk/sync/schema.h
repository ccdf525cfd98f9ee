// The sync schema: every entity and field that can travel, with its value type and merge
// policy. sync/src/schema.cpp holds the one table; the codec, the merge and the docs all
// read it, so adding a field is one line there.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "rapidesk/shared/status.h"
#include "rapidesk/sync/field_op.h"
#include "rapidesk/sync/problem.h"
#include "rapidesk/sync/value.h"

namespace rapidesk::sync {

enum class ValueType : std::uint8_t {
  kText,        // string, valid UTF-8, at most `max` code points, no control characters but \t \n \r
  kInteger,     // JSON integer in [min, max]
  kBool,        // true / false
  kInstant,     // ISO 8601 string with offset (rapidesk::parse_iso8601)
  kEnum,        // one of `vocabulary`'s wire names
  kSetElement,  // "+element" or "-element", element 1..`max` code points
  kRowRef,      // UUIDv7 of another row
  kSha256,      // 64 lower-case hex digits
};

enum class MergePolicy : std::uint8_t {
  kLww,          // last writer wins by (hlc, device); concurrent losers become conflict records
  kSet,          // per-element last writer wins; ops add or remove one element; no conflicts
  kAppendOnly,   // written once; a second, different write is rejected; never conflicts
  kStatus,       // LWW, but transitions are validated against the current status
  kServerOwned,  // LWW, but only the server may write it
  kTombstone,    // the row's `deleted` flag: LWW; a deleted row keeps its fields
};

std::string_view value_type_name(ValueType t);
std::string_view merge_policy_name(MergePolicy p);

// A closed vocabulary of wire names (an enum of rapidesk/shared/enums.h, or one of ours).
struct EnumVocabulary {
  bool (*contains)(std::string_view wire);
  std::string (*allowed)();  // "a, b, c" for error messages
};

struct FieldSpec {
  std::string_view name;  // wire name
  ValueType type = ValueType::kText;
  MergePolicy policy = MergePolicy::kLww;
  bool nullable = true;   // may be written as null (cleared)
  std::int64_t min = 0;   // kInteger: smallest value
  std::int64_t max = 0;   // kInteger: largest value; kText / kSetElement: most code points
  // Fields with the same non-zero group merge as a unit: written together with one stamp
  // and shown from the group's newest stamp only (e.g. contact_name + contact).
  std::uint8_t group = 0;
  const EnumVocabulary* vocabulary = nullptr;  // kEnum only
};

enum class RowIdKind : std::uint8_t { kUuidV7, kConflictId };

struct EntitySpec {
  std::string_view name;
  std::span<const FieldSpec> fields;
  RowIdKind row_kind = RowIdKind::kUuidV7;
  bool append_only = false;  // every field kAppendOnly (activity entries, attachments)
};

// A resolved (entity, field) pair; indexes are positions in entities() / entity.fields.
struct FieldRef {
  const EntitySpec* entity = nullptr;
  const FieldSpec* field = nullptr;
  std::uint8_t entity_index = 0;
  std::uint8_t field_index = 0;
};

constexpr std::size_t kMaxAuthorBytes = 128;

std::span<const EntitySpec> entities();
const EntitySpec* find_entity(std::string_view name);
// Precomputed hash lookup; nullopt when the entity or field is unknown.
std::optional<FieldRef> find_field(std::string_view entity, std::string_view field);
const FieldSpec* find_field(const EntitySpec& entity, std::string_view field);

// Checks a value against the field's type, range and nullability.
// On failure sets `problem` and returns the bilingual reason (Status::field() = field name).
Status check_value(const EntitySpec& entity, const FieldSpec& field, const Value& value, Problem& problem);

// Checks everything about an op that does not depend on stored state: op id, row id,
// stamps (base older than hlc), author, and the value. The merge and the codec both call it.
// KnownRow::kYes: the caller already stores this row of this entity, so its id passed this
// check when the row was first written and is not scanned again.
enum class KnownRow : bool { kNo, kYes };
Status check_op(const FieldOp& op, const FieldRef& ref, Problem& problem, KnownRow known_row = KnownRow::kNo);

// A bilingual Status for `problem` about `field` ("{entity}.{field}: ..."), used by the codec
// and the merge for the problems that need no further detail.
Status problem_status(Problem problem, std::string_view entity, std::string_view field, std::string_view detail = {});

}  // namespace rapidesk::sync
