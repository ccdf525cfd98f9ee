// The attachment file endpoints: PUT/GET/DELETE /api/v1/blobs/{sha256} and
// GET /api/v1/blobs/{sha256}/status. HTTP in and out only; the rules are in blob_transfer.
#include <charconv>

#include <nlohmann/json.hpp>

#include "blobs/blob_transfer.h"
#include "rapidesk/server/blob_store.h"
#include "rapidesk/server/router.h"
#include "rapidesk/server/server_state.h"

namespace rapidesk::server {

namespace {

using blobs::BlobProgress;

// The {sha256} path segment, or an error: only 64 lower-case hex digits name a file, so
// "../", "%2F" and the like never reach the store.
Result<std::string> sha256_param(const HttpRequest& request) {
  auto it = request.path_params.find("sha256");
  if (it == request.path_params.end() || !is_blob_id(it->second)) {
    return Status::invalid(Text{"a file is named by its SHA-256: 64 lower-case hex digits",
                                "文件以其 SHA-256 命名：64 位小写十六进制数字"},
                           "sha256");
  }
  return it->second;
}

// A whole-number query parameter; `fallback` when absent, or an error when required.
Result<std::uint64_t> number_param(const HttpRequest& request, std::string_view name,
                                   std::optional<std::uint64_t> fallback) {
  auto text = request.query_param(name);
  if (!text) {
    if (fallback) return *fallback;
    return Status::invalid(
        format_text(Text{"query parameter \"{}\" is required", "缺少查询参数“{}”"}, {same_text(name)}),
        std::string(name));
  }
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (text->empty() || ec != std::errc() || end != text->data() + text->size()) {
    return Status::invalid(format_text(Text{"query parameter \"{}\" must be a whole number of 0 or more",
                                            "查询参数“{}”必须是不小于 0 的整数"},
                                       {same_text(name)}),
                           std::string(name));
  }
  return value;
}

nlohmann::json progress_json(const BlobProgress& p) {
  return {{"sha256", p.sha256}, {"size", p.size}, {"received", p.received}, {"complete", p.complete}};
}

// An error answer (storage failures are logged as `server_fault`; the client sees a generic 500).
HttpResponse failure(const Status& status, const AuthContext* who) {
  HttpResponse r = error_response(status);
  if (who) r.user = who->user;
  return r;
}

HttpResponse handle_put_blob(const HttpRequest& request, ServerState& state) {
  auto who = authenticate(request, state);
  if (!who) return failure(who.status(), nullptr);
  auto sha256 = sha256_param(request);
  if (!sha256) return failure(sha256.status(), &*who);
  auto offset = number_param(request, "offset", std::nullopt);
  if (!offset) return failure(offset.status(), &*who);
  auto size = number_param(request, "size", std::nullopt);
  if (!size) return failure(size.status(), &*who);
  blobs::ChunkAnswer answer = blobs::receive_chunk(state, *who, *sha256, *offset, *size, request.body);
  HttpResponse r;
  if (answer.status) {
    r = json_response(200, progress_json(answer.progress));
  } else if (answer.status.code() == ErrorCode::kConflict) {
    // Where the upload stands, so that the client can resume without asking.
    nlohmann::json body = progress_json(answer.progress);
    body["error"] = {
        {"code", "conflict"}, {"message", answer.status.message().en}, {"message_zh", answer.status.message().zh}};
    r = json_response(409, body);
  } else {
    r = failure(answer.status, &*who);
  }
  r.user = who->user;
  return r;
}

HttpResponse handle_blob_status(const HttpRequest& request, ServerState& state) {
  auto who = authenticate(request, state);
  if (!who) return failure(who.status(), nullptr);
  auto sha256 = sha256_param(request);
  if (!sha256) return failure(sha256.status(), &*who);
  auto progress = blobs::upload_status(state, *who, *sha256);
  if (!progress) return failure(progress.status(), &*who);
  HttpResponse r = json_response(200, progress_json(*progress));
  r.user = who->user;
  return r;
}

HttpResponse handle_get_blob(const HttpRequest& request, ServerState& state) {
  auto who = authenticate(request, state);
  if (!who) return failure(who.status(), nullptr);
  auto sha256 = sha256_param(request);
  if (!sha256) return failure(sha256.status(), &*who);
  auto offset = number_param(request, "offset", 0);
  if (!offset) return failure(offset.status(), &*who);
  auto length = number_param(request, "length", kBlobChunkMaxBytes);
  if (!length) return failure(length.status(), &*who);
  if (*length == 0 || *length > kBlobChunkMaxBytes) {
    return failure(Status::invalid(format_text(Text{"length must be between 1 and {}", "length 必须在 1 到 {} 之间"},
                                               {same_text(std::to_string(kBlobChunkMaxBytes))}),
                                   "length"),
                   &*who);
  }
  std::uint64_t size = 0;
  auto bytes = blobs::read_chunk(state, *who, *sha256, *offset, static_cast<std::size_t>(*length), size);
  if (!bytes) return failure(bytes.status(), &*who);
  HttpResponse r;
  r.content_type = "application/octet-stream";
  r.body = std::move(*bytes);
  r.headers.emplace_back("X-Rapidesk-Blob-Size", std::to_string(size));
  r.user = who->user;
  return r;
}

HttpResponse handle_cancel_upload(const HttpRequest& request, ServerState& state) {
  auto who = authenticate(request, state);
  if (!who) return failure(who.status(), nullptr);
  auto sha256 = sha256_param(request);
  if (!sha256) return failure(sha256.status(), &*who);
  if (Status s = blobs::cancel_upload(state, *who, *sha256); !s) return failure(s, &*who);
  HttpResponse r = json_response(200, {{"sha256", *sha256}, {"cancelled", true}});
  r.user = who->user;
  return r;
}

}  // namespace

void add_blob_routes(Router& router, const ServerConfig&) {
  // A chunk may exceed a small max_body_bytes: the route takes kBlobChunkMaxBytes, and
  // receive_chunk() refuses anything larger whatever the configured limit.
  router.add("PUT", "/api/v1/blobs/{sha256}", handle_put_blob, kBlobChunkMaxBytes);
  router.add("GET", "/api/v1/blobs/{sha256}", handle_get_blob);
  router.add("DELETE", "/api/v1/blobs/{sha256}", handle_cancel_upload);
  router.add("GET", "/api/v1/blobs/{sha256}/status", handle_blob_status);
}

}  // namespace rapidesk::server
