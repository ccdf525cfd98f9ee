// The rules of attachment file transfer, between the HTTP handlers (blob_routes.cpp) and
// the BlobStore: limits, resumable chunk order, and who may read a file.
//
// Reading (status, download) is allowed when the caller may see an attachment row naming
// the file (the sync access rules) or completed an upload of it. Anyone else is told the
// file does not exist, so its existence is not revealed; an upload by such a caller
// transfers every byte even when the file is stored already.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "rapidesk/server/auth.h"
#include "rapidesk/shared/status.h"

namespace rapidesk::server {
struct ServerState;
}

namespace rapidesk::server::blobs {

// What the server holds of one file, as the caller may know it.
struct BlobProgress {
  std::string sha256;
  std::uint64_t size = 0;
  std::uint64_t received = 0;
  bool complete = false;
};

// The answer to one chunk: the progress when ok, and also with kConflict (so a client
// can resume from `received`).
struct ChunkAnswer {
  Status status;
  BlobProgress progress;
};

// Accepts bytes [offset, offset + bytes.size()) of the file `sha256` of `size` bytes.
// kTooLarge when `size` exceeds max_attachment_bytes or the chunk kBlobChunkMaxBytes;
// kConflict when offset is not where the upload stands; kRateLimited when starting one
// more upload than max_uploads_per_user; kInvalid for a chunk past `size`, an empty chunk
// before the end, or (after the last byte) a SHA-256 mismatch, which discards the upload.
// An empty chunk at offset == size finishes an upload that holds every byte.
// REQUIRES: is_blob_id(sha256).
ChunkAnswer receive_chunk(ServerState& state, const AuthContext& who, std::string_view sha256, std::uint64_t offset,
                          std::uint64_t size, std::string_view bytes);

// The stored file (complete) or the caller's own upload. kNotFound otherwise.
Result<BlobProgress> upload_status(ServerState& state, const AuthContext& who, std::string_view sha256);

// Up to `length` bytes from `offset` of a stored file the caller may read; `size` gets the
// file's size. kNotFound when it is not stored or not the caller's to read.
Result<std::string> read_chunk(ServerState& state, const AuthContext& who, std::string_view sha256,
                               std::uint64_t offset, std::size_t length, std::uint64_t& size);

// Abandons the caller's upload of `sha256`. kNotFound if there is none.
Status cancel_upload(ServerState& state, const AuthContext& who, std::string_view sha256);

// The 404 every refused read gets (the same whether the file is missing or not theirs).
Status no_such_file(std::string_view sha256);

}  // namespace rapidesk::server::blobs
