// JSON encoding of ops, batches and results, written directly (no DOM): it is on the
// server's pull path and must stay cheap.
#include <charconv>
#include <cmath>

#include "rapidesk/sync/codec.h"

namespace rapidesk::sync {

namespace {

void append_value_json(std::string& out, const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kDouble: {
      // JSON has no NaN or infinity; no schema field takes a double, so such a value could
      // only ever be rejected by check_op. Encoding it as null keeps the JSON valid.
      if (!std::isfinite(v.as_double())) {
        out += "null";
        return;
      }
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, v.as_double());
      out.append(buf, r.ptr);
      return;
    }
    default:
      v.append_canonical(out);  // null / bool / int / string are already JSON
  }
}

void append_key(std::string& out, std::string_view key) {
  out += '"';
  out += key;
  out += "\":";
}

void append_uint(std::string& out, std::uint64_t n) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, r.ptr);
}

void append_op_members(std::string& out, const FieldOp& op, OpEncoding encoding) {
  append_key(out, "op");
  append_json_string(out, op.op);
  out += ',';
  append_key(out, "entity");
  append_json_string(out, op.entity);
  out += ',';
  append_key(out, "row");
  append_json_string(out, op.row);
  out += ',';
  append_key(out, "field");
  append_json_string(out, op.field);
  out += ',';
  append_key(out, "value");
  append_value_json(out, op.value);
  out += ',';
  append_key(out, "hlc");
  out += '"';
  append_stamp(out, op.hlc);
  out += "\",";
  append_key(out, "base");
  if (op.base) {
    out += '"';
    append_stamp(out, *op.base);
    out += '"';
  } else {
    out += "null";
  }
  if (encoding == OpEncoding::kWithAuthor) {
    out += ',';
    append_key(out, "author");
    append_json_string(out, op.author);
    out += ',';
    append_key(out, "origin");
    append_json_string(out, origin_name(op.origin));
  }
}

// Enough room for most ops' JSON, so that it is written without regrowing the string.
std::size_t encoded_size_hint(const FieldOp& op) {
  return 160 + op.row.size() + op.author.size() + (op.value.is_string() ? op.value.as_string().size() : 0);
}

}  // namespace

void append_op_json(std::string& out, const FieldOp& op, OpEncoding encoding) {
  out += '{';
  append_op_members(out, op, encoding);
  out += '}';
}

std::string encode_op(const FieldOp& op, OpEncoding encoding) {
  std::string out;
  out.reserve(encoded_size_hint(op));
  append_op_json(out, op, encoding);
  return out;
}

std::string encode_push(std::string_view device, std::span<const FieldOp> ops) {
  std::string out = "{\"protocol\":" + std::to_string(kProtocolVersion) + ",\"device\":";
  append_json_string(out, device);
  out += ",\"ops\":[";
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (i) out += ',';
    append_op_json(out, ops[i], OpEncoding::kPush);
  }
  out += "]}";
  return out;
}

namespace {
void append_log_entry(std::string& out, const LogEntry& entry) {
  out += '{';
  append_op_members(out, entry.op, OpEncoding::kWithAuthor);
  out += ",\"seq\":";
  append_uint(out, entry.seq);
  out += ",\"outcome\":";
  append_json_string(out, outcome_name(entry.outcome));
  out += '}';
}
}  // namespace

std::string encode_log_entry(const LogEntry& entry) {
  std::string out;
  out.reserve(encoded_size_hint(entry.op) + 64);  // + the origin, seq and outcome members
  append_log_entry(out, entry);
  return out;
}

std::string encode_pull(std::span<const LogEntry> entries, std::uint64_t cursor, bool more) {
  std::string out = "{\"protocol\":" + std::to_string(kProtocolVersion) + ",\"ops\":[";
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (i) out += ',';
    append_log_entry(out, entries[i]);
  }
  out += "],\"cursor\":";
  append_uint(out, cursor);
  out += ",\"more\":";
  out += more ? "true" : "false";
  out += '}';
  return out;
}

std::string encode_push_result(const PushResult& result) {
  std::string acked;
  std::string outcomes;
  std::string conflicts;
  std::string rejected;
  for (const OpResult& r : result.results) {
    if (is_acknowledged(r.outcome)) {
      if (!acked.empty()) {
        acked += ',';
        outcomes += ',';
      }
      append_json_string(acked, r.op);
      append_json_string(outcomes, outcome_name(r.outcome));
      for (const std::string& c : r.conflicts) {
        if (!conflicts.empty()) conflicts += ',';
        conflicts += "{\"id\":";
        append_json_string(conflicts, c);
        conflicts += ",\"op\":";
        append_json_string(conflicts, r.op);
        conflicts += '}';
      }
    } else {
      if (!rejected.empty()) rejected += ',';
      rejected += "{\"op\":";
      append_json_string(rejected, r.op);
      rejected += ",\"code\":";
      append_json_string(rejected, error_code_name(r.status.code()));
      rejected += ",\"problem\":";
      append_json_string(rejected, problem_name(r.problem));
      rejected += ",\"message\":";
      append_json_string(rejected, r.status.message().en);
      rejected += ",\"message_zh\":";
      append_json_string(rejected, r.status.message().zh);
      rejected += ",\"field\":";
      append_json_string(rejected, r.status.field());
      rejected += '}';
    }
  }
  std::string out = "{\"protocol\":" + std::to_string(kProtocolVersion);
  out += ",\"acked\":[" + acked + "],\"outcomes\":[" + outcomes + "],\"conflicts\":[" + conflicts +
         "],\"rejected\":[" + rejected + "],\"cursor\":";
  append_uint(out, result.cursor);
  if (result.server_ms > 0) {
    out += ",\"server_ms\":";
    append_uint(out, static_cast<std::uint64_t>(result.server_ms));
  }
  out += '}';
  return out;
}

}  // namespace rapidesk::sync
