// Why the sync library refused something, precisely. Each problem maps to one coarse
// ErrorCode (what HTTP status / UI treatment it gets); the Status beside it carries the
// bilingual message and the field. Names are stable snake_case, safe for the wire and logs.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "rapidesk/shared/status.h"

namespace rapidesk::sync {

enum class Problem : std::uint8_t {
  kNone,
  // Batch level: the whole request is refused.
  kNotJson,          // invalid          body is not JSON
  kBodyTooLarge,     // too_large        more bytes than CodecLimits::max_body_bytes
  kTooManyOps,       // too_large        more ops than CodecLimits::max_ops
  kTooDeep,          // invalid          JSON nested deeper than CodecLimits::max_depth
  kInvalidUtf8,      // invalid          bytes that are not UTF-8
  kUpgradeRequired,  // upgrade_required protocol version this side does not speak
  kBadEnvelope,      // invalid          batch object malformed (device, ops, cursor, ...)
  // Operation level: one op is refused, the others go on.
  kNotAnObject,      // invalid
  kMissingMember,    // invalid          "op", "entity", "row", "field", "value" or "hlc" absent
  kBadOpId,          // invalid
  kUnknownEntity,    // invalid
  kUnknownField,     // invalid
  kBadRow,           // invalid          row id is not a UUIDv7 (or conflict id)
  kBadStamp,         // invalid          hlc malformed
  kBadBase,          // invalid          base malformed or not older than hlc
  kDeviceMismatch,   // invalid          pushed op stamped by another device
  kStringTooLong,    // too_large        a string over CodecLimits::max_string_bytes
  kWrongType,        // invalid          value of the wrong JSON type for the field
  kBadEnum,          // invalid          not one of the field's wire names
  kOutOfRange,       // invalid          number outside the field's range
  kTextTooLong,      // invalid          more characters than the field allows
  kBadTime,          // invalid          not ISO 8601 with offset
  kBadElement,       // invalid          set op not "+element" / "-element"
  kNullNotAllowed,   // invalid
  kBadFormat,        // invalid          e.g. sha256 not 64 hex digits, bad row reference
  // Merge level.
  kServerOwned,        // forbidden      client wrote a server-owned field
  kAppendOnly,         // conflict       second, different write to an append-only field
  kInvalidTransition,  // invalid        status change not allowed from the current status
  kClockDrift,         // invalid        stamp too far ahead of the receiver's clock
  kIncompleteGroup,    // invalid        a field group written without all its fields
  kReplicaDiverged,    // corrupt        a replica replaying the log disagrees with the server
  kOpIdReused,         // conflict       an op id already taken by an op of other content (two
                       //                copies of one profile counting the same ids)
};

std::string_view problem_name(Problem p);
std::optional<Problem> parse_problem(std::string_view name);
ErrorCode problem_code(Problem p);

}  // namespace rapidesk::sync
