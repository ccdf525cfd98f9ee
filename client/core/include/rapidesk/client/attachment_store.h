// Attachment files of a profile, stored content-addressed beside the profile's database:
// <profile>.files/ab/cdef… (the SHA-256 of the bytes), so a file shared by many requests is
// kept once and a damaged copy is detected. Transfers with the server go in 1 MiB chunks and
// resume after an interruption (the server's /api/v1/blobs endpoints, docs/server.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "rapidesk/shared/status.h"

namespace rapidesk::client {

class ServerApi;

inline constexpr std::uint64_t kMaxAttachmentBytes = 50ull * 1024 * 1024;  // the server's default
inline constexpr std::size_t kAttachmentChunk = 1024 * 1024;

struct StoredFile {
  std::string sha256;  // 64 lower-case hex digits
  std::uint64_t size = 0;
};

// The SHA-256 of a file's bytes (hex); kIo when it cannot be read.
Result<std::string> sha256_of_file(const std::filesystem::path& file);

class AttachmentStore {
 public:
  // The folder for the profile whose database is `profile_db`.
  explicit AttachmentStore(const std::filesystem::path& profile_db);

  // Copies `source` into the store (atomically: temp file, fsync, rename). kTooLarge over
  // kMaxAttachmentBytes, kNotFound / kIo when it cannot be read.
  Result<StoredFile> add(const std::filesystem::path& source);
  bool has(const std::string& sha256) const;
  std::filesystem::path path_of(const std::string& sha256) const;

  // Sends the stored file to the server, resuming a partial upload. kCorrupt with field
  // kChangedHereField when the bytes stored here no longer have their SHA-256 (damaged since
  // attached: the server would refuse them every time); kCorrupt without it for an answer
  // that cannot be read or does not move the upload on; the server's refusals as they come.
  Status upload(ServerApi& api, const std::string& sha256);
  static constexpr std::string_view kChangedHereField = "changed_here";
  // The field of the server's 503 for a file that would cut into the disk space it keeps
  // for the database (docs/server.md, Attachments): the file and the edits after it wait.
  static constexpr std::string_view kServerDiskFullField = "disk_reserve";
  // Fetches the file from the server in chunks, checks its hash, then stores it.
  Status download(ServerApi& api, const std::string& sha256, std::uint64_t size);

 private:
  std::filesystem::path dir_;
};

}  // namespace rapidesk::client
