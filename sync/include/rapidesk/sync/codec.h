// JSON wire codec for field ops, push batches, pull pages and push results.
//
//   op:    {"op","entity","row","field","value","hlc","base"}  (+ "author","origin" from the
//          server; + "seq","outcome" in pull pages)
//   push:  {"protocol":1,"device":"...","ops":[op...]}
//   pull:  {"protocol":1,"ops":[op...],"cursor":N,"more":bool}
//   push result: {"protocol":1,"acked":[ids],"outcomes":[names],"conflicts":[{"id","op"}],
//                 "rejected":[{"op","code","problem","message","message_zh","field"}],"cursor":N}
//
// Decoders never throw and never crash, whatever the bytes: a batch-level problem refuses
// the whole body; otherwise each op is decoded or reported on its own (index, op id,
// problem, bilingual message). Limits are in CodecLimits (protocol.h).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rapidesk/sync/protocol.h"

namespace rapidesk::sync {

struct OpError {
  std::size_t index = 0;  // position in "ops"
  std::string op;         // the op id when it was readable and valid, else empty
  Problem problem = Problem::kNone;
  Status status;          // code = problem_code(problem), field = the member or field concerned
};

struct DecodedPush {
  Problem problem = Problem::kNone;  // batch level; when set nothing below is filled
  Status status;
  int protocol = 0;
  std::string device;
  std::vector<FieldOp> ops;      // decoded ops: author empty, origin kClient (never trusted)
  std::vector<OpError> errors;   // ops refused by the decoder
  bool ok() const { return problem == Problem::kNone; }
};

struct DecodedPull {
  Problem problem = Problem::kNone;
  Status status;
  std::vector<LogEntry> entries;
  std::vector<OpError> errors;  // a pull page with errors is corrupt: the replica must not apply it
  std::uint64_t cursor = 0;
  bool more = false;
  bool ok() const { return problem == Problem::kNone; }
};

struct DecodedPushResult {
  Problem problem = Problem::kNone;
  Status status;
  PushResult result;
  bool ok() const { return problem == Problem::kNone; }
};

enum class OpEncoding : std::uint8_t {
  kPush,        // what a client sends: no author, no origin
  kWithAuthor,  // as the server publishes: with author and origin
};

std::string encode_op(const FieldOp& op, OpEncoding encoding);
void append_op_json(std::string& out, const FieldOp& op, OpEncoding encoding);
std::string encode_push(std::string_view device, std::span<const FieldOp> ops);
std::string encode_pull(std::span<const LogEntry> entries, std::uint64_t cursor, bool more);
// One log entry as a pull page carries it (op with author and origin, seq, outcome); the
// server stores its log in this form and reads it back through decode_pull.
std::string encode_log_entry(const LogEntry& entry);
std::string encode_push_result(const PushResult& result);

// A client's push. Enforces the limits, the protocol version, valid UTF-8, that every op is
// stamped by `device`, and the schema (check_op) for each op.
DecodedPush decode_push(std::string_view body, const CodecLimits& limits = {});
namespace detail {
// decode_push without its fast path for the usual shape of body (codec_usual.h): the
// reference the fuzz entry point compares decode_push with. Same answer for every body.
DecodedPush decode_push_general(std::string_view body, const CodecLimits& limits = {});
}  // namespace detail
// A server's pull page. Author, origin, seq and outcome are taken as the server sent them.
DecodedPull decode_pull(std::string_view body, const CodecLimits& limits = {});
namespace detail {
// decode_pull without its fast path (codec_usual.h); same answer for every body.
DecodedPull decode_pull_general(std::string_view body, const CodecLimits& limits = {});
}  // namespace detail
DecodedPushResult decode_push_result(std::string_view body, const CodecLimits& limits = {});

}  // namespace rapidesk::sync
