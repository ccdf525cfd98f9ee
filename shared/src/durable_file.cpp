#include "rapidesk/shared/durable_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace rapidesk::durable {

namespace {

// What was being done when a system call failed, for the message.
const Text kOpening{"open", "打开"};
const Text kReading{"read", "读取"};
const Text kWriting{"write", "写入"};
const Text kSyncing{"sync to disk", "同步到磁盘"};
const Text kStatting{"inspect", "查看"};
const Text kCreatingDir{"create the directory", "创建目录"};
const Text kRenaming{"rename", "重命名"};
const Text kRemoving{"remove", "删除"};

Status io_error(const Text& what, const std::filesystem::path& path, int error) {
  // strerror text is English only; the path and reason are the same in both languages.
  return Status::io(format_text(Text{"cannot {} {}: {}", "无法{} {}：{}"},
                                {what, same_text(path.string()), same_text(std::strerror(error))}));
}

}  // namespace

FileHandle& FileHandle::operator=(FileHandle&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

FileHandle::~FileHandle() {
  if (fd_ >= 0) ::close(fd_);
}

Result<FileHandle> open_file(const std::filesystem::path& path, OpenMode mode) {
  int flags = O_CLOEXEC;
  switch (mode) {
    case OpenMode::kRead:
      flags |= O_RDONLY;
      break;
    case OpenMode::kWrite:
      flags |= O_WRONLY;
      break;
    case OpenMode::kCreate:
      flags |= O_WRONLY | O_CREAT | O_TRUNC;
      break;
    case OpenMode::kAppendLine:
      flags |= O_WRONLY | O_CREAT | O_APPEND;
      break;
  }
  int fd = -1;
  do {
    fd = ::open(path.c_str(), flags, 0600);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    const int error = errno;
    if (error == ENOENT && (mode == OpenMode::kRead || mode == OpenMode::kWrite)) {
      return Status::not_found(format_text(Text{"no file {}", "没有文件 {}"}, {same_text(path.string())}));
    }
    return io_error(kOpening, path, error);
  }
  return FileHandle(fd);
}

Status write_durably(const FileHandle& file, std::uint64_t offset, std::string_view bytes,
                     const std::filesystem::path& name) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::pwrite(file.fd(), bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(kWriting, name, errno);
    }
    done += static_cast<size_t>(n);
  }
  if (::fdatasync(file.fd()) != 0) return io_error(kSyncing, name, errno);
  return Status::ok();
}

Result<std::string> read_at(const FileHandle& file, std::uint64_t offset, std::size_t length,
                            const std::filesystem::path& name) {
  std::string out(length, '\0');
  size_t done = 0;
  while (done < length) {
    const ssize_t n = ::pread(file.fd(), out.data() + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(kReading, name, errno);
    }
    if (n == 0) break;  // end of file
    done += static_cast<size_t>(n);
  }
  out.resize(done);
  return out;
}

Result<std::uint64_t> file_size(const FileHandle& file, const std::filesystem::path& name) {
  struct stat st {};
  if (::fstat(file.fd(), &st) != 0) return io_error(kStatting, name, errno);
  return static_cast<std::uint64_t>(st.st_size);
}

Status sync_directory(const std::filesystem::path& dir) {
  int fd = -1;
  do {
    fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return io_error(kOpening, dir, errno);
  FileHandle handle(fd);
  if (::fsync(handle.fd()) != 0) return io_error(kSyncing, dir, errno);
  return Status::ok();
}

Status make_directories(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return Status::ok();
  const std::filesystem::path parent = dir.parent_path();
  if (!parent.empty() && parent != dir) {
    if (Status s = make_directories(parent); !s) return s;
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return io_error(kCreatingDir, dir, errno);
  return sync_directory(parent.empty() ? std::filesystem::path(".") : parent);
}

Status rename_durably(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return io_error(kRenaming, from, errno);
  if (Status s = sync_directory(to.parent_path()); !s) return s;
  if (from.parent_path() != to.parent_path()) return sync_directory(from.parent_path());
  return Status::ok();
}

Status remove_file(const std::filesystem::path& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return io_error(kRemoving, path, errno);
  return Status::ok();
}

}  // namespace rapidesk::durable
