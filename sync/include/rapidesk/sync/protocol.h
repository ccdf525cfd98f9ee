// The sync protocol both ends include: version, limits, and the shapes of what travels
// (log entries, per-op results). The JSON forms are in codec.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rapidesk/sync/field_op.h"
#include "rapidesk/sync/merge.h"

namespace rapidesk::sync {

// Bumped on any change an older peer would misread; a peer speaking another version gets
// ErrorCode::kUpgradeRequired ("upgrade_required", HTTP 426), never a partial merge.
constexpr int kProtocolVersion = 1;

struct CodecLimits {
  std::size_t max_ops = 1000;                       // ops per push batch / pull page
  std::size_t max_string_bytes = 64 * 1024;         // any single JSON string
  std::size_t max_depth = 8;                        // JSON nesting (a valid batch needs 3)
  std::size_t max_body_bytes = 16 * 1024 * 1024;    // the whole body
};

// One accepted op in the server's log. `seq` numbers the log from 1 without gaps; a
// replica that applies the log in seq order ends in the server's state.
struct LogEntry {
  std::uint64_t seq = 0;
  FieldOp op;                         // author and origin as the server set them
  Outcome outcome = Outcome::kApplied;  // what the server's merge made of it

  friend bool operator==(const LogEntry&, const LogEntry&) = default;
};

// The server's answer for one pushed op.
struct OpResult {
  std::string op;
  Outcome outcome = Outcome::kApplied;
  Problem problem = Problem::kNone;   // when rejected (or a status change kept as conflict)
  Status status;                      // bilingual reason
  std::vector<std::string> conflicts; // conflict ids this op created
};

// The HTTP header by which a replica names the server log its copy holds, and a server its own
// (push and pull; see other_server_message).
inline constexpr std::string_view kLogHeader = "X-Rapidesk-Log";

// Why a copy that holds another server's data cannot sync with this one: the server's 409
// `other_server`, and the client's own check of the log an answer names.
inline Text other_server_message() {
  return Text{"This copy holds the data of another Rapidesk server, so it cannot sync with this one. Sign in to "
              "this server with a new profile (--db FILE); the edits still queued here belong to the other server.",
              "此副本保存的是另一台 Rapidesk 服务器的数据，不能与本服务器同步。请用新的配置（--db 文件）登录本服务器；"
              "此处仍在队列中的修改属于另一台服务器。"};
}

struct PushResult {
  std::vector<OpResult> results;  // one per pushed op, in push order
  std::uint64_t cursor = 0;       // the log position after this push; pulling up to it
                                  // brings every acknowledged op of the push
  std::int64_t server_ms = 0;     // the server's wall clock when it answered (0: not said),
                                  // by which a device finds its own clock ahead
};

}  // namespace rapidesk::sync
