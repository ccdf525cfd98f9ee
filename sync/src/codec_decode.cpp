// JSON decoding with limits. nlohmann::json stays inside this file; its exceptions are
// caught here and never leave the library. Before parsing, the raw bytes are checked for
// size, UTF-8 validity and nesting depth, so hostile bodies are refused cheaply and the
// parser never sees deep nesting.
#include <limits>

#include <nlohmann/json.hpp>

#include "rapidesk/shared/utf8.h"
#include "rapidesk/sync/codec.h"
#include "rapidesk/sync/schema.h"
#include "codec_usual.h"

namespace rapidesk::sync {

namespace {

using Json = nlohmann::json;
constexpr std::size_t kNpos = std::string_view::npos;

// Offset of the bracket that first nests deeper than max_depth (outside strings), or npos.
std::size_t too_deep_at(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (ch == '\\') {
        escaped = true;
      } else if (ch == '"') {
        in_string = false;
      }
      continue;
    }
    if (ch == '"') {
      in_string = true;
    } else if (ch == '{' || ch == '[') {
      if (++depth > max_depth) return i;
    } else if ((ch == '}' || ch == ']') && depth > 0) {
      --depth;
    }
  }
  return kNpos;
}

Text number(std::size_t n) { return same_text(std::to_string(n)); }

struct BodyError {
  Problem problem = Problem::kNone;
  Status status;
};

// Size, UTF-8, depth, then parse. On failure returns the batch-level problem.
BodyError parse_body(std::string_view body, const CodecLimits& limits, Json& doc) {
  if (body.size() > limits.max_body_bytes) {
    return {Problem::kBodyTooLarge,
            Status(ErrorCode::kTooLarge,
                   format_text(Text{"The request body is {} bytes; at most {} bytes are accepted. Sync in smaller "
                                    "batches.",
                                    "请求体为 {} 字节，最多接受 {} 字节。请分成更小的批次同步。"},
                               {number(body.size()), number(limits.max_body_bytes)}))};
  }
  if (const std::size_t at = first_invalid_utf8(body); at != kNpos) {
    return {Problem::kInvalidUtf8,
            Status::invalid(format_text(Text{"The request body is not valid UTF-8 (first bad byte at offset {}).",
                                             "请求体不是有效的 UTF-8（第一个错误字节位于偏移 {}）。"},
                                        {number(at)}))};
  }
  if (const std::size_t at = too_deep_at(body, limits.max_depth); at != kNpos) {
    return {Problem::kTooDeep,
            Status::invalid(format_text(Text{"The request body nests JSON deeper than {} levels (at offset {}).",
                                             "请求体的 JSON 嵌套超过 {} 层（位于偏移 {}）。"},
                                        {number(limits.max_depth), number(at)}))};
  }
  try {
    doc = Json::parse(body.begin(), body.end());
  } catch (const Json::parse_error& e) {
    return {Problem::kNotJson,
            Status::invalid(format_text(Text{"The request body is not valid JSON (near byte {}).",
                                             "请求体不是有效的 JSON（约在第 {} 字节）。"},
                                        {number(e.byte)}))};
  } catch (const std::exception&) {  // e.g. a number too large for a double
    return {Problem::kNotJson, Status::invalid(Text{"The request body is not valid JSON (a number is out of range).",
                                                    "请求体不是有效的 JSON（有数字超出范围）。"})};
  }
  return {};
}

BodyError envelope_error(std::string_view member, Text what) {
  return {Problem::kBadEnvelope,
          Status::invalid(format_text(Text{"The batch's \"{}\" is missing or invalid: {}.", "批次的“{}”缺失或无效：{}。"},
                                      {same_text(member), std::move(what)}),
                          std::string(member))};
}

// Root object and protocol version.
BodyError check_envelope(const Json& doc, int& protocol) {
  if (!doc.is_object()) return envelope_error("ops", Text{"the body must be a JSON object", "请求体必须是 JSON 对象"});
  const auto it = doc.find("protocol");
  if (it == doc.end() || !it->is_number_integer()) {
    return {Problem::kUpgradeRequired,
            Status(ErrorCode::kUpgradeRequired,
                   format_text(Text{"The request does not say which sync protocol it speaks; this side speaks "
                                    "version {}. Upgrade Rapidesk on this device.",
                                    "请求未说明所用的同步协议版本；本端使用版本 {}。请升级此设备上的 Rapidesk。"},
                               {number(kProtocolVersion)}),
                   "protocol")};
  }
  const std::int64_t v = it->get<std::int64_t>();
  if (v != kProtocolVersion) {
    const Text msg = v > kProtocolVersion
                         ? format_text(Text{"The other side speaks sync protocol version {}, newer than this program's "
                                            "version {}. Upgrade this program to sync.",
                                            "对方使用同步协议版本 {}，比本程序的版本 {} 新。请升级本程序后再同步。"},
                                       {same_text(std::to_string(v)), number(kProtocolVersion)})
                         : format_text(Text{"Sync protocol version {} is no longer supported; version {} is needed. "
                                            "Upgrade Rapidesk on this device to sync.",
                                            "同步协议版本 {} 已不再支持，需要版本 {}。请升级此设备上的 Rapidesk 后再同步。"},
                                       {same_text(std::to_string(v)), number(kProtocolVersion)});
    return {Problem::kUpgradeRequired, Status(ErrorCode::kUpgradeRequired, msg, "protocol")};
  }
  protocol = static_cast<int>(v);
  return {};
}

BodyError check_ops_array(const Json& doc, const CodecLimits& limits, const Json*& ops) {
  const auto it = doc.find("ops");
  if (it == doc.end() || !it->is_array()) return envelope_error("ops", Text{"it must be an array", "它必须是数组"});
  if (it->size() > limits.max_ops) {
    return {Problem::kTooManyOps,
            Status(ErrorCode::kTooLarge,
                   format_text(Text{"The batch has {} operations; at most {} are accepted at once. Send the rest in "
                                    "another batch.",
                                    "该批次有 {} 个操作，一次最多接受 {} 个。请把其余操作放到下一批发送。"},
                               {number(it->size()), number(limits.max_ops)}),
                   "ops")};
  }
  ops = &*it;
  return {};
}

enum class Mode { kPush, kPull };

// Decodes one op. Returns false and fills `err` when the op is refused.
class OpDecoder {
 public:
  OpDecoder(const CodecLimits& limits, Mode mode, std::string_view device)
      : limits_(limits), mode_(mode), device_(device) {}

  bool decode(const Json& j, std::size_t index, FieldOp& op, LogEntry* entry, OpError& err) const {
    err = OpError{};
    err.index = index;
    if (!j.is_object()) {
      return fail(err, Problem::kNotAnObject,
                  Status::invalid(format_text(Text{"Operation #{} is not a JSON object.", "第 {} 个操作不是 JSON 对象。"},
                                              {number(index)})));
    }
    const Json* id = member(j, "op");
    if (!id) return missing(err, "op");
    if (!id->is_string() || !is_valid_op_id(id->get_ref<const std::string&>())) {
      return fail(err, Problem::kBadOpId,
                  Status::invalid(Text{"The operation id must be 1 to 100 characters of A-Z, a-z, 0-9, _ . : or -.",
                                       "操作 ID 必须是 1 到 100 个字母、数字或 _ . : -。"},
                                  "op"));
    }
    err.op = id->get_ref<const std::string&>();
    const Json* field_member = member(j, "field");
    const std::string_view field_name =
        field_member && field_member->is_string() ? std::string_view(field_member->get_ref<const std::string&>()) : "";
    for (const auto& [key, v] : j.items()) {
      const bool long_key = key.size() > limits_.max_string_bytes;
      if (long_key || (v.is_string() && v.get_ref<const std::string&>().size() > limits_.max_string_bytes)) {
        const std::string where = std::string(utf8_prefix(key == "value" && !field_name.empty() ? field_name : key, 60));
        return fail(err, Problem::kStringTooLong,
                    Status(ErrorCode::kTooLarge,
                           format_text(Text{"\"{}\" is longer than {} bytes.", "“{}”超过 {} 字节。"},
                                       {same_text(where), number(limits_.max_string_bytes)}),
                           where));
      }
    }
    std::string_view entity;
    std::string_view row;
    std::string_view hlc;
    if (!text_member(j, "entity", entity, err) || !text_member(j, "row", row, err) ||
        !text_member(j, "field", op.field, err) || !text_member(j, "hlc", hlc, err)) {
      return false;
    }
    const auto ref = find_field(entity, op.field);
    if (!ref) {
      const Problem p = find_entity(entity) ? Problem::kUnknownField : Problem::kUnknownEntity;
      return fail(err, p, problem_status(p, entity, op.field));
    }
    op.op = err.op;
    op.entity.assign(entity);
    op.row.assign(row);
    auto stamp = parse_stamp(hlc);
    if (!stamp) return fail(err, Problem::kBadStamp, stamp.status());
    op.hlc = std::move(*stamp);
    const Json* base = member(j, "base");
    op.base.reset();
    if (base && !base->is_null()) {
      if (!base->is_string()) {
        return fail(err, Problem::kBadBase,
                    Status::invalid(Text{"\"base\" must be a clock stamp string or null.", "“base”必须是时钟戳字符串或 null。"},
                                    "base"));
      }
      auto b = parse_stamp(base->get_ref<const std::string&>());
      if (!b) return fail(err, Problem::kBadBase, Status::invalid(b.status().message(), "base"));
      op.base = std::move(*b);
    }
    const Json* value = member(j, "value");
    if (!value) return missing(err, "value");
    if (!to_value(*value, *ref, op.value, err)) return false;
    op.author.clear();
    op.origin = Origin::kClient;
    if (mode_ == Mode::kPush) {
      if (op.hlc.device != device_) {
        return fail(err, Problem::kDeviceMismatch,
                    Status::invalid(format_text(Text{"The operation is stamped by device \"{}\" but was sent by \"{}\"; "
                                                     "a device pushes only its own edits.",
                                                     "该操作的时钟戳来自设备“{}”，却由“{}”发送；设备只能推送自己的修改。"},
                                                {same_text(op.hlc.device), same_text(device_)}),
                                    "hlc"));
      }
    } else if (!log_members(j, op, *entry, err)) {
      return false;
    }
    Problem problem = Problem::kNone;
    if (Status s = check_op(op, *ref, problem); !s) return fail(err, problem, std::move(s));
    return true;
  }

 private:
  static const Json* member(const Json& j, const char* key) {
    const auto it = j.find(key);
    return it == j.end() ? nullptr : &*it;
  }

  static bool fail(OpError& err, Problem p, Status s) {
    err.problem = p;
    err.status = std::move(s);
    return false;
  }

  static bool missing(OpError& err, std::string_view key) {
    return fail(err, Problem::kMissingMember,
                Status::invalid(format_text(Text{"The operation has no \"{}\".", "该操作缺少“{}”。"}, {same_text(key)}),
                                std::string(key)));
  }

  template <typename Out>
  static bool text_member(const Json& j, const char* key, Out& out, OpError& err) {
    const Json* m = member(j, key);
    if (!m) return missing(err, key);
    if (!m->is_string()) {
      return fail(err, Problem::kWrongType,
                  Status::invalid(format_text(Text{"\"{}\" must be a string.", "“{}”必须是字符串。"}, {same_text(key)}),
                                  key));
    }
    out = m->get_ref<const std::string&>();
    return true;
  }

  static bool to_value(const Json& j, const FieldRef& ref, Value& out, OpError& err) {
    switch (j.type()) {
      case Json::value_t::null: out = Value::null(); return true;
      case Json::value_t::boolean: out = Value::boolean(j.get<bool>()); return true;
      case Json::value_t::number_integer: out = Value::integer(j.get<std::int64_t>()); return true;
      case Json::value_t::number_unsigned: {
        const auto u = j.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
          return fail(err, Problem::kOutOfRange,
                      Status::invalid(format_text(Text{"{}.{}: the number is too large.", "{}.{}：数字太大。"},
                                                  {same_text(ref.entity->name), same_text(ref.field->name)}),
                                      std::string(ref.field->name)));
        }
        out = Value::integer(static_cast<std::int64_t>(u));
        return true;
      }
      case Json::value_t::number_float: out = Value::real(j.get<double>()); return true;
      case Json::value_t::string: out = Value::string(j.get<std::string>()); return true;
      default:
        return fail(err, Problem::kWrongType,
                    Status::invalid(format_text(Text{"{}.{}: the value must be a single JSON value (string, number, "
                                                     "true/false or null), not an array or object.",
                                                     "{}.{}：值必须是单个 JSON 值（字符串、数字、true/false 或 null），"
                                                     "不能是数组或对象。"},
                                                {same_text(ref.entity->name), same_text(ref.field->name)}),
                                    std::string(ref.field->name)));
    }
  }

  // Pull pages carry what the server decided: author, origin, seq, outcome.
  static bool log_members(const Json& j, FieldOp& op, LogEntry& entry, OpError& err) {
    const auto bad = [&](std::string_view key) {
      return fail(err, Problem::kBadFormat,
                  Status::invalid(format_text(Text{"The log entry's \"{}\" is missing or invalid.", "日志条目的“{}”缺失或无效。"},
                                              {same_text(key)}),
                                  std::string(key)));
    };
    const Json* author = member(j, "author");
    if (author && !author->is_string()) return bad("author");
    if (author) op.author = author->get_ref<const std::string&>();
    const Json* origin = member(j, "origin");
    if (origin) {
      if (!origin->is_string()) return bad("origin");
      const auto& o = origin->get_ref<const std::string&>();
      if (o == "server") {
        op.origin = Origin::kServer;
      } else if (o != "client") {
        return bad("origin");
      }
    }
    const Json* seq = member(j, "seq");
    if (!seq || !seq->is_number_unsigned() || seq->get<std::uint64_t>() == 0) return bad("seq");
    entry.seq = seq->get<std::uint64_t>();
    const Json* outcome = member(j, "outcome");
    if (!outcome || !outcome->is_string()) return bad("outcome");
    const auto o = parse_outcome(outcome->get_ref<const std::string&>());
    if (!o || *o == Outcome::kRejected) return bad("outcome");
    entry.outcome = *o;
    return true;
  }

  const CodecLimits& limits_;
  Mode mode_;
  std::string_view device_;
};

template <typename Decoded>
void set_error(Decoded& out, BodyError e) {
  out.problem = e.problem;
  out.status = std::move(e.status);
}

}  // namespace

DecodedPush decode_push(std::string_view body, const CodecLimits& limits) {
  try {
    DecodedPush out;
    if (detail::decode_usual_push(body, limits, out)) return out;
  } catch (const std::exception&) {
    // bad_alloc: the general decoder meets it too and answers for it.
  }
  return detail::decode_push_general(body, limits);
}

DecodedPush detail::decode_push_general(std::string_view body, const CodecLimits& limits) {
  DecodedPush out;
  try {
    Json doc;
    if (BodyError e = parse_body(body, limits, doc); e.problem != Problem::kNone) {
      set_error(out, std::move(e));
      return out;
    }
    if (BodyError e = check_envelope(doc, out.protocol); e.problem != Problem::kNone) {
      set_error(out, std::move(e));
      return out;
    }
    const auto dev = doc.find("device");
    if (dev == doc.end() || !dev->is_string() || !is_valid_device_id(dev->get_ref<const std::string&>())) {
      set_error(out, envelope_error("device", Text{"it must be 1 to 64 characters of A-Z, a-z, 0-9, _ or -",
                                                   "它必须是 1 到 64 个字母、数字、_ 或 -"}));
      return out;
    }
    out.device = dev->get_ref<const std::string&>();
    const Json* ops = nullptr;
    if (BodyError e = check_ops_array(doc, limits, ops); e.problem != Problem::kNone) {
      set_error(out, std::move(e));
      return out;
    }
    const OpDecoder decoder(limits, Mode::kPush, out.device);
    out.ops.reserve(ops->size());
    FieldOp op;
    OpError err;
    for (std::size_t i = 0; i < ops->size(); ++i) {
      if (decoder.decode((*ops)[i], i, op, nullptr, err)) {
        out.ops.push_back(std::move(op));
        op = FieldOp{};
      } else {
        out.errors.push_back(std::move(err));
      }
    }
  } catch (const std::exception&) {
    // Not expected (every access is type-checked); bad_alloc is the realistic case.
    out = DecodedPush{};
    out.problem = Problem::kNotJson;
    out.status = Status(ErrorCode::kInternal, Text{"The request could not be decoded.", "无法解码该请求。"});
  }
  return out;
}

DecodedPull decode_pull(std::string_view body, const CodecLimits& limits) {
  try {
    DecodedPull out;
    if (detail::decode_usual_pull(body, limits, out)) return out;
  } catch (const std::exception&) {
    // bad_alloc: the general decoder meets it too and answers for it.
  }
  return detail::decode_pull_general(body, limits);
}

DecodedPull detail::decode_pull_general(std::string_view body, const CodecLimits& limits) {
  DecodedPull out;
  try {
    Json doc;
    int protocol = 0;
    if (BodyError e = parse_body(body, limits, doc); e.problem != Problem::kNone) {
      set_error(out, std::move(e));
      return out;
    }
    if (BodyError e = check_envelope(doc, protocol); e.problem != Problem::kNone) {
      set_error(out, std::move(e));
      return out;
    }
    const auto cursor = doc.find("cursor");
    if (cursor == doc.end() || !cursor->is_number_unsigned()) {
      set_error(out, envelope_error("cursor", Text{"it must be a non-negative integer", "它必须是非负整数"}));
      return out;
    }
    out.cursor = cursor->get<std::uint64_t>();
    const auto more = doc.find("more");
    out.more = more != doc.end() && more->is_boolean() && more->get<bool>();
    const Json* ops = nullptr;
    if (BodyError e = check_ops_array(doc, limits, ops); e.problem != Problem::kNone) {
      set_error(out, std::move(e));
      return out;
    }
    const OpDecoder decoder(limits, Mode::kPull, {});
    out.entries.reserve(ops->size());
    LogEntry entry;
    OpError err;
    for (std::size_t i = 0; i < ops->size(); ++i) {
      if (decoder.decode((*ops)[i], i, entry.op, &entry, err)) {
        out.entries.push_back(std::move(entry));
        entry = LogEntry{};
      } else {
        out.errors.push_back(std::move(err));
      }
    }
  } catch (const std::exception&) {
    out = DecodedPull{};
    out.problem = Problem::kNotJson;
    out.status = Status(ErrorCode::kInternal, Text{"The response could not be decoded.", "无法解码该响应。"});
  }
  return out;
}

DecodedPushResult decode_push_result(std::string_view body, const CodecLimits& limits) {
  DecodedPushResult out;
  const auto bad = [&out](std::string_view member) {
    out = DecodedPushResult{};
    set_error(out, envelope_error(member, Text{"unexpected shape", "格式不符"}));
    return out;
  };
  try {
    Json doc;
    int protocol = 0;
    if (BodyError e = parse_body(body, limits, doc); e.problem != Problem::kNone) {
      set_error(out, std::move(e));
      return out;
    }
    if (BodyError e = check_envelope(doc, protocol); e.problem != Problem::kNone) {
      set_error(out, std::move(e));
      return out;
    }
    const auto acked = doc.find("acked");
    const auto outcomes = doc.find("outcomes");
    const auto conflicts = doc.find("conflicts");
    const auto rejected = doc.find("rejected");
    const auto cursor = doc.find("cursor");
    if (acked == doc.end() || !acked->is_array()) return bad("acked");
    if (rejected == doc.end() || !rejected->is_array()) return bad("rejected");
    if (cursor == doc.end() || !cursor->is_number_unsigned()) return bad("cursor");
    const bool have_outcomes = outcomes != doc.end() && outcomes->is_array() && outcomes->size() == acked->size();
    out.result.cursor = cursor->get<std::uint64_t>();
    // Optional (servers before it did not say): the server's wall clock.
    if (const auto server_ms = doc.find("server_ms"); server_ms != doc.end() && server_ms->is_number_unsigned() &&
                                                      server_ms->get<std::uint64_t>() <= static_cast<std::uint64_t>(kMaxPhysicalMs)) {
      out.result.server_ms = static_cast<std::int64_t>(server_ms->get<std::uint64_t>());
    }
    for (std::size_t i = 0; i < acked->size(); ++i) {
      const Json& id = (*acked)[i];
      if (!id.is_string()) return bad("acked");
      OpResult r;
      r.op = id.get<std::string>();
      if (have_outcomes && (*outcomes)[i].is_string()) {
        const auto o = parse_outcome((*outcomes)[i].get_ref<const std::string&>());
        if (o && *o != Outcome::kRejected) r.outcome = *o;
      }
      if (conflicts != doc.end() && conflicts->is_array()) {
        for (const Json& c : *conflicts) {
          if (c.is_object() && c.contains("op") && c.contains("id") && c["op"].is_string() && c["id"].is_string() &&
              c["op"].get_ref<const std::string&>() == r.op) {
            r.conflicts.push_back(c["id"].get<std::string>());
          }
        }
      }
      out.result.results.push_back(std::move(r));
    }
    for (const Json& rj : *rejected) {
      if (!rj.is_object() || !rj.contains("op") || !rj["op"].is_string()) return bad("rejected");
      OpResult r;
      r.op = rj["op"].get<std::string>();
      r.outcome = Outcome::kRejected;
      const auto text_of = [&rj](const char* key) {
        const auto it = rj.find(key);
        return it != rj.end() && it->is_string() ? it->get<std::string>() : std::string();
      };
      r.problem = parse_problem(text_of("problem")).value_or(Problem::kBadFormat);
      const ErrorCode code = r.problem == Problem::kNone ? ErrorCode::kInvalid : problem_code(r.problem);
      r.status = Status(code == ErrorCode::kOk ? ErrorCode::kInvalid : code, Text{text_of("message"), text_of("message_zh")},
                        text_of("field"));
      out.result.results.push_back(std::move(r));
    }
  } catch (const std::exception&) {
    out = DecodedPushResult{};
    out.problem = Problem::kNotJson;
    out.status = Status(ErrorCode::kInternal, Text{"The response could not be decoded.", "无法解码该响应。"});
  }
  return out;
}

}  // namespace rapidesk::sync
