// Small POSIX file operations with the durability the file stores promise (the server's
// blob store, the client's attachment files): every write is followed by fdatasync before
// it is acknowledged, and every directory change (create, rename) by an fsync of the
// directory, so that a crash cannot lose what was reported written. Errors are kIo
// Statuses naming the file and the system's reason.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "rapidesk/shared/status.h"

namespace rapidesk::durable {

// An open file descriptor, closed on destruction. Move-only.
class FileHandle {
 public:
  FileHandle() = default;
  explicit FileHandle(int fd) : fd_(fd) {}
  FileHandle(FileHandle&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileHandle& operator=(FileHandle&& other) noexcept;
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;
  ~FileHandle();

  int fd() const { return fd_; }
  bool is_open() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

enum class OpenMode {
  kRead,        // existing file, read only
  kWrite,       // existing file, write only
  kCreate,      // new or truncated file, write only, mode 0600
  kAppendLine,  // append-only, created (0600) if missing
};

// kNotFound if the file does not exist (modes kRead, kWrite), kIo for other failures.
Result<FileHandle> open_file(const std::filesystem::path& path, OpenMode mode);

// Writes all of `bytes` at `offset`, then fdatasync.
Status write_durably(const FileHandle& file, std::uint64_t offset, std::string_view bytes,
                     const std::filesystem::path& name);
// Reads up to `length` bytes at `offset` (fewer at the end of the file).
Result<std::string> read_at(const FileHandle& file, std::uint64_t offset, std::size_t length,
                            const std::filesystem::path& name);
Result<std::uint64_t> file_size(const FileHandle& file, const std::filesystem::path& name);

// Makes `dir` (and missing parents) exist, fsyncing each directory that gained an entry.
Status make_directories(const std::filesystem::path& dir);
// fsync of a directory: makes creations, renames and removals in it durable.
Status sync_directory(const std::filesystem::path& dir);
// rename(2), then fsync of both directories.
Status rename_durably(const std::filesystem::path& from, const std::filesystem::path& to);
// unlink(2); a missing file is not an error.
Status remove_file(const std::filesystem::path& path);

}  // namespace rapidesk::durable
