// A field operation: the unit of change that replicas exchange. A new row is simply the
// operations that set its fields; nothing else travels.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "rapidesk/sync/hlc.h"
#include "rapidesk/sync/value.h"

namespace rapidesk::sync {

// Who made an operation. Server-owned fields accept only kServer; the flag is set by the
// server's own code and by the log it publishes, never taken from a client's push.
enum class Origin : std::uint8_t { kClient, kServer };
std::string_view origin_name(Origin origin);  // "client" / "server"

struct FieldOp {
  std::string op;      // device-unique id, the idempotency key (see is_valid_op_id)
  std::string entity;  // wire name, e.g. "request"
  std::string row;     // UUIDv7 (conflict rows: conflict_id_for(loser op))
  std::string field;   // wire name, e.g. "title"
  Value value;         // set fields: "+element" adds, "-element" removes one element
  Stamp hlc;           // when the edit was made
  std::optional<Stamp> base;  // stamp of the value the editor saw; unset for a new field
  std::string author;  // user name; set by the server from the authenticated user
  Origin origin = Origin::kClient;

  friend bool operator==(const FieldOp&, const FieldOp&) = default;
};

constexpr std::size_t kMaxOpIdLength = 100;
// 1..100 characters of [A-Za-z0-9_.:-].
bool is_valid_op_id(std::string_view id);
// "<device>:<sequence>", the scheme ClientReplica uses (unique while the device persists
// its sequence).
std::string make_op_id(std::string_view device, std::uint64_t sequence);

// A conflict record's id is derived from its loser's op id, so every replica names the
// same conflict the same way: "cf:<op id>". It is also the row id of the conflict entity.
std::string conflict_id_for(std::string_view loser_op_id);
bool is_conflict_id(std::string_view id);
// REQUIRES: is_conflict_id(id)
std::string_view loser_op_of(std::string_view conflict_id);

}  // namespace rapidesk::sync
