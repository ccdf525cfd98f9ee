#include "rapidesk/sync/problem.h"

namespace rapidesk::sync {

std::string_view problem_name(Problem p) {
  switch (p) {
    case Problem::kNone: return "none";
    case Problem::kNotJson: return "not_json";
    case Problem::kBodyTooLarge: return "body_too_large";
    case Problem::kTooManyOps: return "too_many_ops";
    case Problem::kTooDeep: return "too_deep";
    case Problem::kInvalidUtf8: return "invalid_utf8";
    case Problem::kUpgradeRequired: return "upgrade_required";
    case Problem::kBadEnvelope: return "bad_envelope";
    case Problem::kNotAnObject: return "not_an_object";
    case Problem::kMissingMember: return "missing_member";
    case Problem::kBadOpId: return "bad_op_id";
    case Problem::kUnknownEntity: return "unknown_entity";
    case Problem::kUnknownField: return "unknown_field";
    case Problem::kBadRow: return "bad_row";
    case Problem::kBadStamp: return "bad_stamp";
    case Problem::kBadBase: return "bad_base";
    case Problem::kDeviceMismatch: return "device_mismatch";
    case Problem::kStringTooLong: return "string_too_long";
    case Problem::kWrongType: return "wrong_type";
    case Problem::kBadEnum: return "bad_enum";
    case Problem::kOutOfRange: return "out_of_range";
    case Problem::kTextTooLong: return "text_too_long";
    case Problem::kBadTime: return "bad_time";
    case Problem::kBadElement: return "bad_element";
    case Problem::kNullNotAllowed: return "null_not_allowed";
    case Problem::kBadFormat: return "bad_format";
    case Problem::kServerOwned: return "server_owned";
    case Problem::kAppendOnly: return "append_only";
    case Problem::kInvalidTransition: return "invalid_transition";
    case Problem::kClockDrift: return "clock_drift";
    case Problem::kIncompleteGroup: return "incomplete_group";
    case Problem::kReplicaDiverged: return "replica_diverged";
    case Problem::kOpIdReused: return "op_id_reused";
  }
  return "none";
}

std::optional<Problem> parse_problem(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(Problem::kOpIdReused); ++i) {
    const auto p = static_cast<Problem>(i);
    if (problem_name(p) == name) return p;
  }
  return std::nullopt;
}

ErrorCode problem_code(Problem p) {
  switch (p) {
    case Problem::kNone: return ErrorCode::kOk;
    case Problem::kBodyTooLarge:
    case Problem::kTooManyOps:
    case Problem::kStringTooLong: return ErrorCode::kTooLarge;
    case Problem::kUpgradeRequired: return ErrorCode::kUpgradeRequired;
    case Problem::kServerOwned: return ErrorCode::kForbidden;
    case Problem::kAppendOnly:
    case Problem::kOpIdReused: return ErrorCode::kConflict;
    case Problem::kReplicaDiverged: return ErrorCode::kCorrupt;
    default: return ErrorCode::kInvalid;
  }
}

}  // namespace rapidesk::sync
