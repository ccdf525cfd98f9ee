#include "rapidesk/client/attachment_store.h"

#include <openssl/evp.h>

#include <fstream>
#include <memory>
#include <vector>

#include "rapidesk/client/server_api.h"
#include "rapidesk/shared/durable_file.h"

namespace rapidesk::client {

namespace {

std::string hex(const unsigned char* bytes, unsigned int n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (unsigned int i = 0; i < n; ++i) {
    s += kDigits[bytes[i] >> 4];
    s += kDigits[bytes[i] & 15];
  }
  return s;
}

// Writes `bytes` to `target` so that a crash leaves the whole file or none: a temp file in
// the same folder, written and synced, renamed over the target, both folders synced. The
// attachment row naming the file commits after this returns, so the row never outlives it.
Status write_atomically(const std::filesystem::path& target, const std::string& bytes) {
  if (Status s = durable::make_directories(target.parent_path()); !s) return s;
  const std::filesystem::path tmp = target.string() + ".part";
  auto file = durable::open_file(tmp, durable::OpenMode::kCreate);
  if (!file) return file.status();
  if (Status s = durable::write_durably(*file, 0, bytes, tmp); !s) return s;
  return durable::rename_durably(tmp, target);
}

Result<std::string> read_file(const std::filesystem::path& file) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) return Status::not_found(format_text(Text{"cannot read {}", "无法读取 {}"}, {same_text(file.string())}));
  if (size > kMaxAttachmentBytes) {
    return Status(ErrorCode::kTooLarge,
                  format_text(Text{"{} is {} MiB; attachments may be at most {} MiB.", "{} 大小为 {} MiB；附件最大为 {} MiB。"},
                              {same_text(file.filename().string()), same_text(std::to_string(size >> 20)),
                               same_text(std::to_string(kMaxAttachmentBytes >> 20))}));
  }
  std::ifstream in(file, std::ios::binary);
  std::string bytes(static_cast<std::size_t>(size), '\0');
  if (!in.read(bytes.data(), static_cast<std::streamsize>(size))) {
    return Status::io(format_text(Text{"cannot read {}", "无法读取 {}"}, {same_text(file.string())}));
  }
  return bytes;
}

std::string sha256_hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &n, EVP_sha256(), nullptr);
  return hex(digest, n);
}

}  // namespace

Result<std::string> sha256_of_file(const std::filesystem::path& file) {
  auto bytes = read_file(file);
  if (!bytes) return bytes.status();
  return sha256_hex(*bytes);
}

AttachmentStore::AttachmentStore(const std::filesystem::path& profile_db) : dir_(profile_db.string() + ".files") {}

std::filesystem::path AttachmentStore::path_of(const std::string& sha256) const {
  return dir_ / sha256.substr(0, 2) / sha256.substr(2);
}

bool AttachmentStore::has(const std::string& sha256) const {
  std::error_code ec;  // unreadable (permissions, I/O): not held, as for a missing file
  return sha256.size() == 64 && std::filesystem::exists(path_of(sha256), ec);
}

Result<StoredFile> AttachmentStore::add(const std::filesystem::path& source) {
  auto bytes = read_file(source);
  if (!bytes) return bytes.status();
  StoredFile f{sha256_hex(*bytes), bytes->size()};
  if (!has(f.sha256)) {
    if (Status s = write_atomically(path_of(f.sha256), *bytes); !s) return s;
  }
  return f;
}

namespace {

// The server's account of an upload: {"complete": bool, "received": bytes}. nullopt when
// the answer is not that (wrong types, more bytes than the file has).
struct UploadState {
  bool complete = false;
  std::uint64_t received = 0;
};
std::optional<UploadState> upload_state(const std::string& body, std::uint64_t size) {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  UploadState state;
  if (const auto c = j.find("complete"); c != j.end()) {
    if (!c->is_boolean()) return std::nullopt;
    state.complete = c->get<bool>();
  }
  if (const auto r = j.find("received"); r != j.end()) {
    if (!r->is_number_unsigned() || r->get<std::uint64_t>() > size) return std::nullopt;
    state.received = r->get<std::uint64_t>();
  }
  return state;
}

Status unreadable_upload_answer() {
  return Status::corrupt(Text{"The server's answer to an upload was unreadable.", "服务器对上传的回应无法解析。"});
}

}  // namespace

Status AttachmentStore::upload(ServerApi& api, const std::string& sha256) {
  auto bytes = read_file(path_of(sha256));
  if (!bytes) return bytes.status();
  // Damaged on disk since it was added: the server would refuse it on every round.
  if (sha256_hex(*bytes) != sha256) {
    return Status(ErrorCode::kCorrupt,
                  format_text(Text{"The file {} changed on this device after it was attached; attach it again.",
                                   "文件 {} 在添加为附件后已在本设备上被改动；请重新添加附件。"},
                              {same_text(path_of(sha256).string())}),
                  std::string(kChangedHereField));
  }
  const std::string base = "/api/v1/blobs/" + sha256;
  const std::uint64_t size = bytes->size();
  std::uint64_t offset = 0;
  // Resume: the server says how much of our upload it holds (or that it has the file).
  if (auto status = api.http().get(base + "/status"); status && status->status == 200) {
    auto state = upload_state(status->body, size);
    if (!state) return unreadable_upload_answer();
    if (state->complete) return Status::ok();
    offset = state->received;
  }
  do {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(kAttachmentChunk, size - offset));
    auto r = api.http().request(HttpMethod::kPut,
                                base + "?offset=" + std::to_string(offset) + "&size=" + std::to_string(size),
                                bytes->substr(static_cast<std::size_t>(offset), n), "application/octet-stream");
    if (!r) return r.status();
    auto state = upload_state(r->body, size);
    // Each chunk must move the upload on, or the loop would never end.
    if (!state || (!state->complete && state->received <= offset)) return unreadable_upload_answer();
    if (state->complete) return Status::ok();
    offset = state->received;
  } while (offset < size);
  return unreadable_upload_answer();  // every byte sent, and the server never said complete
}

Status AttachmentStore::download(ServerApi& api, const std::string& sha256, std::uint64_t size) {
  if (has(sha256)) return Status::ok();
  if (size > kMaxAttachmentBytes) {
    return Status(ErrorCode::kTooLarge, Text{"The attachment is larger than this client accepts.", "附件超过客户端允许的大小。"});
  }
  std::string bytes;
  bytes.reserve(static_cast<std::size_t>(size));
  while (bytes.size() < size) {
    auto r = api.http().get("/api/v1/blobs/" + sha256 + "?offset=" + std::to_string(bytes.size()) +
                            "&length=" + std::to_string(kAttachmentChunk));
    if (!r) return r.status();
    if (r->body.empty()) break;
    bytes += r->body;
  }
  if (bytes.size() != size || sha256_hex(bytes) != sha256) {
    return Status::corrupt(Text{"A downloaded attachment did not match its checksum; it will be fetched again.",
                                "下载的附件与校验值不符；将重新下载。"});
  }
  return write_atomically(path_of(sha256), bytes);
}

}  // namespace rapidesk::client
