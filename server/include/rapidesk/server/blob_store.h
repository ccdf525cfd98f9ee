// Content-addressed storage for attachment files. A blob is named by the lower-case hex
// SHA-256 of its bytes; it arrives in chunks as an upload owned by one user, and becomes a
// blob only once every byte is there and the hash matches. Attachment rows (sync entity
// `attachment`) refer to blobs by that hash; who may read a blob is decided by the caller
// (src/blobs/), not here.
//
// Behind this interface so that a deployment with several servers (PostgreSQL) can point
// it at shared storage; open_file_blob_store() is the single-server implementation.
// Every method is thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "rapidesk/shared/status.h"

namespace rapidesk::server {

// The largest chunk an upload accepts and a download returns at once.
constexpr std::size_t kBlobChunkMaxBytes = std::size_t{1} << 20;

// 64 lower-case hex digits: the only blob names accepted (so a name can never be a path).
bool is_blob_id(std::string_view text);

// An upload in progress: bytes [0, received) of a blob that will be `size` bytes long.
struct BlobUpload {
  std::string sha256;
  std::string uploader;  // a user name (is_valid_user_name)
  std::uint64_t size = 0;
  std::uint64_t received = 0;
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // Size of the stored blob; kNotFound if it is not stored (uploads do not count).
  virtual Result<std::uint64_t> blob_size(std::string_view sha256) = 0;
  // Up to `length` bytes from `offset` (fewer at the end). kNotFound; kInvalid if offset
  // is past the end.
  virtual Result<std::string> read_blob(std::string_view sha256, std::uint64_t offset, std::size_t length) = 0;
  // True if `user` completed an upload of this blob (recorded durably before publishing).
  virtual Result<bool> uploaded_by(std::string_view sha256, std::string_view user) = 0;

  // The upload of `sha256` by `uploader`; kNotFound if there is none.
  virtual Result<BlobUpload> find_upload(std::string_view sha256, std::string_view uploader) = 0;
  // Number of unfinished uploads of `uploader`.
  virtual Result<std::size_t> count_uploads(std::string_view uploader) = 0;
  // Starts an empty upload, replacing one of the same (sha256, uploader). Durable.
  // kRateLimited if it would be more than `max_unfinished` of the uploader's (counted under
  // the same lock as the start, so uploads begun in parallel cannot pass the limit).
  virtual Result<BlobUpload> begin_upload(std::string_view sha256, std::string_view uploader, std::uint64_t size,
                                          std::size_t max_unfinished) = 0;
  // Appends `bytes` at `offset`. kConflict (changing nothing) if offset != received or
  // another append to this upload is under way; kNotFound if there is no such upload;
  // kInvalid if the bytes would pass `size`. When it returns ok, the bytes are on disk.
  virtual Result<BlobUpload> append_upload(std::string_view sha256, std::string_view uploader, std::uint64_t offset,
                                           std::string_view bytes) = 0;
  // REQUIRES: the upload has received == size. Verifies the SHA-256 of the bytes: on a
  // mismatch the upload is discarded and kInvalid returned. Otherwise records `uploader`
  // and publishes the blob atomically (a crash leaves either the upload or the blob), and
  // the upload is gone. Publishing a blob already stored just records the uploader.
  virtual Status publish_upload(std::string_view sha256, std::string_view uploader) = 0;
  // Removes the upload; kNotFound if there is none.
  virtual Status discard_upload(std::string_view sha256, std::string_view uploader) = 0;
  // Records `user` as holding the stored blob, as an upload would (they showed they may
  // read it). Durable, idempotent; kNotFound if the blob is not stored.
  virtual Status add_holder(std::string_view sha256, std::string_view user) = 0;
};

// Blobs under `dir` (the server uses DATA_DIR/blobs): `dir/ab/cdef…` (the hash split after
// two digits), uploads in `dir/tmp/`, uploader records in `dir/uploaders/ab/cdef…`. Files
// are written, fsynced and renamed, and their directories fsynced, so an acknowledged
// chunk or blob survives a crash. The directories are made on first use (a failure then
// is a kIo error of that call); uploads left untouched for a week are removed then.
std::unique_ptr<BlobStore> open_file_blob_store(std::filesystem::path dir);

// DATA_DIR/<kBlobDirName> holds the server's blobs.
constexpr std::string_view kBlobDirName = "blobs";

}  // namespace rapidesk::server
