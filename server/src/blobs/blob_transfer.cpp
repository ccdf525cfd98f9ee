#include "blobs/blob_transfer.h"

#include <filesystem>
#include <optional>

#include "rapidesk/server/blob_store.h"
#include "rapidesk/server/server_state.h"

namespace rapidesk::server::blobs {

namespace {

Text bytes_text(std::uint64_t n) {
  return same_text(std::to_string(n));
}
Text short_id(std::string_view sha256) {
  return same_text(sha256.substr(0, 12));
}

BlobProgress progress_of(const BlobUpload& upload) {
  return BlobProgress{upload.sha256, upload.size, upload.received, false};
}

BlobProgress complete(std::string_view sha256, std::uint64_t size) {
  return BlobProgress{std::string(sha256), size, size, true};
}

enum class Access { kNone, kHeld, kThroughRow };

// May `who` read the stored file? (Whether it is stored is the caller's business.) They
// may when they hold it (uploaded it), or may see an attachment row naming it whose creator
// holds it. A row alone grants nothing: anyone may push a row naming any hash they have
// seen, and only a creator who held the bytes makes that row hand them on.
Result<Access> access_of(ServerState& state, const AuthContext& who, std::string_view sha256) {
  auto held = state.blobs->uploaded_by(sha256, who.user);
  if (!held) return held.status();
  if (*held) return Access::kHeld;
  for (const std::string& creator : state.sync->attachment_file_granters(who, sha256)) {
    if (creator == who.user) continue;
    auto theirs = state.blobs->uploaded_by(sha256, creator);
    if (!theirs) return theirs.status();
    if (*theirs) return Access::kThroughRow;
  }
  return Access::kNone;
}

// Whether a reader asking to upload counts as holding the file from now on.
enum class Hold : bool { kNo, kYes };

// The size of the stored file if `who` may read it; nullopt if it is not stored or not
// theirs; an error if storage fails. With Hold::kYes (the upload paths), a reader through a
// row is recorded as holding the file, so the rows they add for it (the same photo on
// another request) hand it on as an upload would; their client skips the upload.
Result<std::optional<std::uint64_t>> readable_size(ServerState& state, const AuthContext& who,
                                                   std::string_view sha256, Hold hold = Hold::kNo) {
  auto size = state.blobs->blob_size(sha256);
  if (!size) {
    if (size.status().code() == ErrorCode::kNotFound) return std::optional<std::uint64_t>();
    return size.status();
  }
  auto access = access_of(state, who, sha256);
  if (!access) return access.status();
  if (*access == Access::kNone) return std::optional<std::uint64_t>();
  if (*access == Access::kThroughRow && hold == Hold::kYes) {
    if (Status s = state.blobs->add_holder(sha256, who.user); !s) return s;
  }
  return std::optional<std::uint64_t>(*size);
}

ChunkAnswer refuse(Status status, BlobProgress progress = {}) {
  return ChunkAnswer{std::move(status), std::move(progress)};
}

// Where the caller's upload stands, for a 409 answer.
BlobProgress standing(ServerState& state, const AuthContext& who, std::string_view sha256, std::uint64_t size) {
  auto upload = state.blobs->find_upload(sha256, who.user);
  return upload ? progress_of(*upload) : BlobProgress{std::string(sha256), size, 0, false};
}

// Finds the caller's upload, or starts one when the chunk is the first (offset 0).
Result<BlobUpload> upload_for(ServerState& state, const AuthContext& who, std::string_view sha256, std::uint64_t offset,
                              std::uint64_t size) {
  auto upload = state.blobs->find_upload(sha256, who.user);
  if (!upload && upload.status().code() != ErrorCode::kNotFound) return upload.status();
  if (upload && upload->size == size) return upload;
  if (offset != 0) {
    if (upload) {
      return Status::conflict(
          format_text(Text{"your upload of this file declared {} bytes, not {}; resume it with "
                           "size={} or start again at offset 0",
                           "您对此文件的上传声明为 {} 字节而非 {}；请以 size={} 继续，或从偏移量 0 重新开始"},
                      {bytes_text(upload->size), bytes_text(size), bytes_text(upload->size)}));
    }
    return Status::conflict(format_text(
        Text{"no upload of file {}… is in progress; start at offset 0", "文件 {}… 没有进行中的上传；请从偏移量 0 开始"},
        {short_id(sha256)}));
  }
  return state.blobs->begin_upload(sha256, who.user, size, static_cast<std::size_t>(state.config.max_uploads_per_user));
}

// The bytes still to come of an upload must leave attachment_disk_reserve_bytes free on the
// data volume; kUnavailable (503: try later) otherwise. With no reserve, or when the free
// space cannot be read, the upload goes on (a write that finds the disk full fails by itself).
Status check_disk_room(ServerState& state, std::uint64_t still_to_come) {
  std::error_code ec;
  const auto space = std::filesystem::space(state.config.data_dir, ec);
  if (ec) return Status::ok();
  const std::uint64_t reserve = state.config.attachment_disk_reserve_bytes;
  if (reserve == 0) return Status::ok();  // turned off: a write that finds the disk full fails by itself
  if (space.available >= reserve && space.available - reserve >= still_to_come) return Status::ok();
  return Status(ErrorCode::kUnavailable,
                format_text(Text{"the server's disk is nearly full ({} bytes free; {} are kept for requests and their "
                                 "changes): attachments wait until an administrator frees space",
                                 "服务器磁盘空间即将用满（剩余 {} 字节，需为请求及其修改保留 {} 字节）：附件需等"
                                 "管理员释放空间后再上传"},
                            {bytes_text(space.available), bytes_text(reserve)}),
                "disk_reserve");  // AttachmentStore::kServerDiskFullField: clients pull on meanwhile
}

}  // namespace

Status no_such_file(std::string_view sha256) {
  return Status::not_found(
      format_text(Text{"no attachment file {}… that you may see", "没有您可查看的附件文件 {}…"}, {short_id(sha256)}));
}

ChunkAnswer receive_chunk(ServerState& state, const AuthContext& who, std::string_view sha256, std::uint64_t offset,
                          std::uint64_t size, std::string_view bytes) {
  if (size > state.config.max_attachment_bytes) {
    return refuse(
        Status(ErrorCode::kTooLarge, format_text(Text{"the file is {} bytes; attachments may be at most {} bytes",
                                                      "文件为 {} 字节；附件最大为 {} 字节"},
                                                 {bytes_text(size), bytes_text(state.config.max_attachment_bytes)})));
  }
  if (bytes.size() > kBlobChunkMaxBytes) {
    return refuse(
        Status(ErrorCode::kTooLarge, format_text(Text{"a chunk may hold at most {} bytes; this one holds {}",
                                                      "每个分块最多 {} 字节；此分块为 {} 字节"},
                                                 {bytes_text(kBlobChunkMaxBytes), bytes_text(bytes.size())})));
  }
  if (offset > size || bytes.size() > size - offset) {
    return refuse(Status::invalid(format_text(Text{"the chunk ends at byte {}, past the declared size of {} bytes",
                                                   "分块结束于第 {} 字节，超出了声明的 {} 字节大小"},
                                              {bytes_text(offset + bytes.size()), bytes_text(size)}),
                                  "offset"));
  }
  // An empty body is a chunk only at the end: it finishes an empty file, or an upload that
  // holds every byte but was not verified yet (a crash or disk error came in between).
  if (bytes.empty() && offset != size) {
    return refuse(Status::invalid(
        Text{"the chunk is empty; send the file's bytes in the request body", "分块为空；请在请求体中发送文件数据"}));
  }

  // Stored already and the caller's to read: nothing to transfer.
  auto stored = readable_size(state, who, sha256, Hold::kYes);
  if (!stored) return refuse(stored.status());
  if (*stored) {
    if (**stored != size) {
      return refuse(
          Status::invalid(format_text(Text{"file {}… is {} bytes long, not {}", "文件 {}… 的大小为 {} 字节，而非 {}"},
                                      {short_id(sha256), bytes_text(**stored), bytes_text(size)}),
                          "size"));
    }
    (void)state.blobs->discard_upload(sha256, who.user);  // a leftover of the caller's, if any
    return ChunkAnswer{Status::ok(), complete(sha256, size)};
  }

  // Before an upload starts or grows; a stored file (above) transfers nothing, and an upload
  // that holds every byte only needs publishing.
  if (offset < size) {
    if (Status s = check_disk_room(state, size - offset); !s) return refuse(s, standing(state, who, sha256, size));
  }
  auto upload = upload_for(state, who, sha256, offset, size);
  if (!upload) return refuse(upload.status(), standing(state, who, sha256, size));
  if (offset != upload->received) {
    return refuse(Status::conflict(format_text(Text{"this chunk starts at byte {}, but the server has received {} "
                                                    "bytes; resume from there",
                                                    "此分块从第 {} 字节开始，但服务器已收到 {} 字节；请从该处继续"},
                                               {bytes_text(offset), bytes_text(upload->received)})),
                  progress_of(*upload));
  }
  BlobUpload now = *upload;
  if (!bytes.empty()) {
    auto appended = state.blobs->append_upload(sha256, who.user, offset, bytes);
    if (!appended) return refuse(appended.status(), standing(state, who, sha256, size));
    state.metrics.add_blob_bytes_uploaded(bytes.size());
    now = *appended;
  }
  if (now.received < now.size) return ChunkAnswer{Status::ok(), progress_of(now)};
  if (Status s = state.blobs->publish_upload(sha256, who.user); !s)
    return refuse(s, standing(state, who, sha256, size));
  return ChunkAnswer{Status::ok(), complete(sha256, size)};
}

Result<BlobProgress> upload_status(ServerState& state, const AuthContext& who, std::string_view sha256) {
  auto stored = readable_size(state, who, sha256, Hold::kYes);
  if (!stored) return stored.status();
  if (*stored) return complete(sha256, **stored);
  auto upload = state.blobs->find_upload(sha256, who.user);
  if (upload) return progress_of(*upload);
  if (upload.status().code() != ErrorCode::kNotFound) return upload.status();
  return no_such_file(sha256);
}

Result<std::string> read_chunk(ServerState& state, const AuthContext& who, std::string_view sha256,
                               std::uint64_t offset, std::size_t length, std::uint64_t& size) {
  auto stored = readable_size(state, who, sha256);
  if (!stored) return stored.status();
  if (!*stored) return no_such_file(sha256);
  size = **stored;
  auto bytes = state.blobs->read_blob(sha256, offset, length);
  if (bytes) state.metrics.add_blob_bytes_downloaded(bytes->size());
  return bytes;
}

Status cancel_upload(ServerState& state, const AuthContext& who, std::string_view sha256) {
  return state.blobs->discard_upload(sha256, who.user);
}

}  // namespace rapidesk::server::blobs
