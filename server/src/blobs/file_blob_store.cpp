// The BlobStore on plain files under DATA_DIR/blobs (layout in blob_store.h).
//
// An upload is the file tmp/<sha256>.<size>.<uploader>.part; its length is how much was
// received (a chunk cut short by a crash leaves a prefix of the right bytes, and the hash
// check at the end catches anything else). The index of uploads in memory is brought in
// line with tmp/ before each use, so that several servers may share the data directory (a
// client's chunks may reach any of them); tmp/ holds only unfinished uploads, so the scan
// is short next to a chunk's fsync.
#include <sodium.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <utility>

#include "rapidesk/shared/durable_file.h"
#include "rapidesk/server/auth.h"
#include "rapidesk/server/blob_store.h"

namespace rapidesk::server {

bool is_blob_id(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

namespace {

using durable::FileHandle;
using durable::OpenMode;

constexpr std::string_view kUploadSuffix = ".part";
// Uploads untouched this long are taken as abandoned and removed on first use.
constexpr auto kAbandonedUploadAge = std::chrono::hours(24 * 7);
constexpr std::size_t kHashBlockBytes = 256 * 1024;

Text short_id(std::string_view sha256) {
  return same_text(sha256.substr(0, 12));
}

Status no_upload(std::string_view sha256) {
  return Status::not_found(
      format_text(Text{"no upload of file {}… in progress", "文件 {}… 没有进行中的上传"}, {short_id(sha256)}));
}

Status upload_busy() {
  return Status::conflict(Text{"another chunk of this upload is being written; wait for its answer, then resume",
                               "此上传的另一个分块正在写入；请等待其响应后再继续"});
}

// Parses "<sha256>.<size>.<uploader>.part"; nullopt for any other name.
std::optional<BlobUpload> parse_upload_name(std::string_view name) {
  if (!name.ends_with(kUploadSuffix)) return std::nullopt;
  name.remove_suffix(kUploadSuffix.size());
  const size_t dot1 = name.find('.');
  if (dot1 == std::string_view::npos) return std::nullopt;
  const size_t dot2 = name.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) return std::nullopt;
  BlobUpload upload;
  upload.sha256 = std::string(name.substr(0, dot1));
  const std::string_view size = name.substr(dot1 + 1, dot2 - dot1 - 1);
  upload.uploader = std::string(name.substr(dot2 + 1));
  auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), upload.size);
  if (ec != std::errc() || end != size.data() + size.size() || size.empty()) return std::nullopt;
  if (!is_blob_id(upload.sha256) || !is_valid_user_name(upload.uploader)) return std::nullopt;
  return upload;
}

class FileBlobStore final : public BlobStore {
 public:
  explicit FileBlobStore(std::filesystem::path dir) : dir_(std::move(dir)) {}

  Result<std::uint64_t> blob_size(std::string_view sha256) override {
    auto file = open_blob(sha256);
    if (!file) return file.status();
    return durable::file_size(*file, blob_path(sha256));
  }

  Result<std::string> read_blob(std::string_view sha256, std::uint64_t offset, std::size_t length) override {
    auto file = open_blob(sha256);
    if (!file) return file.status();
    auto size = durable::file_size(*file, blob_path(sha256));
    if (!size) return size.status();
    if (offset > *size) {
      return Status::invalid(format_text(Text{"offset {} is past the end of the file ({} bytes)",
                                              "偏移量 {} 超出文件末尾（文件共 {} 字节）"},
                                         {same_text(std::to_string(offset)), same_text(std::to_string(*size))}),
                             "offset");
    }
    return durable::read_at(*file, offset, static_cast<std::size_t>(std::min<std::uint64_t>(length, *size - offset)),
                          blob_path(sha256));
  }

  Status add_holder(std::string_view sha256, std::string_view user) override {
    auto size = blob_size(sha256);
    if (!size) return size.status();
    return record_uploader(sha256, user);
  }

  Result<bool> uploaded_by(std::string_view sha256, std::string_view user) override {
    if (!is_blob_id(sha256)) return false;
    std::lock_guard lock(records_mutex_);
    auto file = durable::open_file(uploaders_path(sha256), OpenMode::kRead);
    if (!file) return file.status().code() == ErrorCode::kNotFound ? Result<bool>(false) : Result<bool>(file.status());
    auto text = durable::read_at(*file, 0, kMaxRecordBytes, uploaders_path(sha256));
    if (!text) return text.status();
    std::string_view rest = *text;
    while (!rest.empty()) {
      const size_t end = rest.find('\n');
      if (end == std::string_view::npos) break;  // a line cut short by a crash
      if (rest.substr(0, end) == user) return true;
      rest.remove_prefix(end + 1);
    }
    return false;
  }

  Result<BlobUpload> find_upload(std::string_view sha256, std::string_view uploader) override {
    std::lock_guard lock(mutex_);
    if (Status s = open_locked(); !s) return s;
    auto it = uploads_.find(Key(sha256, uploader));
    if (it == uploads_.end()) return no_upload(sha256);
    return it->second.state;
  }

  Result<std::size_t> count_uploads(std::string_view uploader) override {
    std::lock_guard lock(mutex_);
    if (Status s = open_locked(); !s) return s;
    std::size_t n = 0;
    for (const auto& [key, upload] : uploads_) n += key.uploader == uploader;
    return n;
  }

  Result<BlobUpload> begin_upload(std::string_view sha256, std::string_view uploader, std::uint64_t size,
                                  std::size_t max_unfinished) override {
    if (!is_blob_id(sha256) || !is_valid_user_name(uploader)) return bad_name();
    std::lock_guard lock(mutex_);
    if (Status s = open_locked(); !s) return s;
    const Key key(sha256, uploader);
    if (auto it = uploads_.find(key); it != uploads_.end()) {
      // A restart with another size replaces its own upload, so is not counted.
      if (it->second.busy) return upload_busy();
      if (Status s = durable::remove_file(upload_path(it->second.state)); !s) return s;
      uploads_.erase(it);
    } else {
      std::size_t theirs = 0;
      for (const auto& [k, u] : uploads_) theirs += k.uploader == uploader;
      if (theirs >= max_unfinished) {
        return Status(ErrorCode::kRateLimited,
                      format_text(Text{"you already have {} unfinished uploads; finish or cancel one "
                                       "(DELETE /api/v1/blobs/{sha256}) before starting another",
                                       "您已有 {} 个未完成的上传；请先完成或取消其中一个（DELETE /api/v1/blobs/{sha256}）"},
                                  {same_text(std::to_string(theirs))}));
      }
    }
    BlobUpload upload{std::string(sha256), std::string(uploader), size, 0};
    // Created under the lock (a cheap, empty file) so that two beginnings cannot interleave.
    auto file = durable::open_file(upload_path(upload), OpenMode::kCreate);
    if (!file) return file.status();
    if (Status s = durable::sync_directory(tmp_dir()); !s) return s;
    uploads_[key] = Upload{upload, false};
    return upload;
  }

  Result<BlobUpload> append_upload(std::string_view sha256, std::string_view uploader, std::uint64_t offset,
                                   std::string_view bytes) override {
    BlobUpload upload;
    {
      std::lock_guard lock(mutex_);
      if (Status s = open_locked(); !s) return s;
      auto it = uploads_.find(Key(sha256, uploader));
      if (it == uploads_.end()) return no_upload(sha256);
      if (it->second.busy) return upload_busy();
      upload = it->second.state;
      if (offset != upload.received) {
        return Status::conflict(
            format_text(Text{"this chunk starts at byte {}, but the server has received {} bytes; "
                             "resume from there",
                             "此分块从第 {} 字节开始，但服务器已收到 {} 字节；请从该处继续"},
                        {same_text(std::to_string(offset)), same_text(std::to_string(upload.received))}));
      }
      if (bytes.size() > upload.size - upload.received) {
        return Status::invalid(
            format_text(Text{"the chunk goes past the declared size of {} bytes", "分块超出了声明的 {} 字节大小"},
                        {same_text(std::to_string(upload.size))}),
            "size");
      }
      it->second.busy = true;
    }
    // The write and its fsync run without the lock: other uploads go on meanwhile.
    Status written = write_chunk(upload, offset, bytes);
    std::lock_guard lock(mutex_);
    auto it = uploads_.find(Key(sha256, uploader));  // still there: nothing removes a busy upload
    it->second.busy = false;
    if (!written) return written;
    it->second.state.received += bytes.size();
    return it->second.state;
  }

  Status publish_upload(std::string_view sha256, std::string_view uploader) override {
    BlobUpload upload;
    {
      std::lock_guard lock(mutex_);
      if (Status s = open_locked(); !s) return s;
      auto it = uploads_.find(Key(sha256, uploader));
      if (it == uploads_.end()) return no_upload(sha256);
      if (it->second.busy) return upload_busy();
      upload = it->second.state;
      if (upload.received != upload.size) {
        return Status::conflict(format_text(
            Text{"the upload is not complete: {} of {} bytes received", "上传尚未完成：已收到 {} / {} 字节"},
            {same_text(std::to_string(upload.received)), same_text(std::to_string(upload.size))}));
      }
      it->second.busy = true;
    }
    Status s = publish(upload);
    std::lock_guard lock(mutex_);
    auto it = uploads_.find(Key(sha256, uploader));
    if (s || s.code() == ErrorCode::kInvalid) {
      uploads_.erase(it);  // published, or discarded for a wrong hash
    } else {
      it->second.busy = false;  // an I/O failure: the upload stays for another try
    }
    return s;
  }

  Status discard_upload(std::string_view sha256, std::string_view uploader) override {
    std::lock_guard lock(mutex_);
    if (Status s = open_locked(); !s) return s;
    auto it = uploads_.find(Key(sha256, uploader));
    if (it == uploads_.end()) return no_upload(sha256);
    if (it->second.busy) return upload_busy();
    if (Status s = durable::remove_file(upload_path(it->second.state)); !s) return s;
    uploads_.erase(it);
    return Status::ok();
  }

 private:
  // (sha256, uploader).
  struct Key {
    Key(std::string_view sha, std::string_view user) : sha256(sha), uploader(user) {}
    std::string sha256;
    std::string uploader;
    auto operator<=>(const Key&) const = default;
  };
  struct Upload {
    BlobUpload state;
    bool busy = false;  // a chunk is being written or the upload published
  };
  // Uploader records are a line per user; more than this is not read (about 16k users).
  static constexpr std::size_t kMaxRecordBytes = 1 << 20;

  static Status bad_name() {
    return Status::invalid(Text{"a blob is named by 64 lower-case hex digits (its SHA-256)",
                                "文件标识必须是 64 位小写十六进制数字（其 SHA-256）"},
                           "sha256");
  }

  std::filesystem::path tmp_dir() const { return dir_ / "tmp"; }
  std::filesystem::path blob_path(std::string_view sha256) const {
    return dir_ / std::string(sha256.substr(0, 2)) / std::string(sha256.substr(2));
  }
  std::filesystem::path uploaders_path(std::string_view sha256) const {
    return dir_ / "uploaders" / std::string(sha256.substr(0, 2)) / std::string(sha256.substr(2));
  }
  std::filesystem::path upload_path(const BlobUpload& u) const {
    return tmp_dir() / (u.sha256 + "." + std::to_string(u.size) + "." + u.uploader + std::string(kUploadSuffix));
  }

  Result<FileHandle> open_blob(std::string_view sha256) const {
    if (!is_blob_id(sha256)) return bad_name();
    auto file = durable::open_file(blob_path(sha256), OpenMode::kRead);
    if (!file && file.status().code() == ErrorCode::kNotFound) {
      return Status::not_found(format_text(Text{"no file {}… is stored", "未存储文件 {}…"}, {short_id(sha256)}));
    }
    return file;
  }

  // Makes the directories (once) and brings the index of uploads in line with tmp/, which
  // is the truth: left by an earlier run, or begun, extended, published or discarded by
  // another server sharing the data directory. Entries busy here (a write of this server
  // in progress) are kept as they are. Abandoned uploads are removed. REQUIRES: mutex_.
  Status open_locked() {
    if (!opened_) {
      if (Status s = durable::make_directories(tmp_dir()); !s) return s;
      opened_ = true;
    }
    std::error_code ec;
    const auto now = std::filesystem::file_time_type::clock::now();
    std::map<Key, Upload> found;
    for (const auto& entry : std::filesystem::directory_iterator(tmp_dir(), ec)) {
      auto upload = parse_upload_name(entry.path().filename().string());
      std::error_code entry_ec;  // a file another server just published or discarded: skip it
      if (!upload || !entry.is_regular_file(entry_ec)) continue;  // not ours: left alone
      const Key key(upload->sha256, upload->uploader);
      if (auto mine = uploads_.find(key); mine != uploads_.end() && mine->second.busy) continue;  // kept below
      const auto size = entry.file_size(entry_ec);
      const auto written = entry.last_write_time(entry_ec);
      if (entry_ec) continue;
      if (size > upload->size || now - written > kAbandonedUploadAge) {
        (void)durable::remove_file(entry.path());
        continue;
      }
      upload->received = size;
      found[key] = Upload{std::move(*upload), false};
    }
    if (ec) {
      return Status::io(format_text(Text{"cannot list {}: {}", "无法列出 {}：{}"},
                                    {same_text(tmp_dir().string()), same_text(ec.message())}));
    }
    for (auto& [key, upload] : uploads_) {
      if (upload.busy) found[key] = upload;
    }
    uploads_ = std::move(found);
    return Status::ok();
  }

  Status write_chunk(const BlobUpload& upload, std::uint64_t offset, std::string_view bytes) const {
    const auto path = upload_path(upload);
    auto file = durable::open_file(path, OpenMode::kWrite);
    if (!file) return file.status();
    return durable::write_durably(*file, offset, bytes, path);
  }

  Result<std::string> hash_of(const std::filesystem::path& path) const {
    auto file = durable::open_file(path, OpenMode::kRead);
    if (!file) return file.status();
    crypto_hash_sha256_state state;
    crypto_hash_sha256_init(&state);
    for (std::uint64_t offset = 0;;) {
      auto block = durable::read_at(*file, offset, kHashBlockBytes, path);
      if (!block) return block.status();
      if (block->empty()) break;
      crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(block->data()), block->size());
      offset += block->size();
    }
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256_final(&state, digest.data());
    std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
    return std::string(hex.data(), crypto_hash_sha256_BYTES * 2);
  }

  // Appends `user` to the blob's uploader records, durably, unless it is there already.
  Status record_uploader(std::string_view sha256, std::string_view user) {
    auto known = uploaded_by(sha256, user);
    if (!known) return known.status();
    if (*known) return Status::ok();
    std::lock_guard lock(records_mutex_);
    const auto path = uploaders_path(sha256);
    if (Status s = durable::make_directories(path.parent_path()); !s) return s;
    std::error_code ec;
    const bool is_new = !std::filesystem::exists(path, ec);
    auto file = durable::open_file(path, OpenMode::kAppendLine);
    if (!file) return file.status();
    auto size = durable::file_size(*file, path);
    if (!size) return size.status();
    // O_APPEND: the offset is ignored and the line lands at the end.
    if (Status s = durable::write_durably(*file, *size, std::string(user) + "\n", path); !s) return s;
    return is_new ? durable::sync_directory(path.parent_path()) : Status::ok();
  }

  // Verifies and publishes a complete upload. kInvalid (upload file removed) on a hash
  // mismatch; kIo leaves the upload as it was.
  Status publish(const BlobUpload& upload) {
    const auto from = upload_path(upload);
    auto hash = hash_of(from);
    if (!hash) return hash.status();
    if (*hash != upload.sha256) {
      (void)durable::remove_file(from);
      return Status::invalid(
          format_text(Text{"the received bytes do not match SHA-256 {}… (they hash to {}…); the "
                           "upload was discarded: upload the file again from the start",
                           "收到的数据与 SHA-256 {}… 不符（实际为 {}…）；该上传已丢弃，请从头重新上传"},
                      {short_id(upload.sha256), short_id(*hash)}),
          "sha256");
    }
    // The record first: a crash before the rename leaves an uploader of nothing, harmless.
    if (Status s = record_uploader(upload.sha256, upload.uploader); !s) return s;
    const auto to = blob_path(upload.sha256);
    std::error_code ec;
    if (std::filesystem::exists(to, ec)) return durable::remove_file(from);  // same bytes, stored already
    if (Status s = durable::make_directories(to.parent_path()); !s) return s;
    return durable::rename_durably(from, to);
  }

  const std::filesystem::path dir_;

  std::mutex mutex_;
  bool opened_ = false;            // guarded by mutex_
  std::map<Key, Upload> uploads_;  // guarded by mutex_

  std::mutex records_mutex_;  // serialises reads and appends of uploader records
};

}  // namespace

std::unique_ptr<BlobStore> open_file_blob_store(std::filesystem::path dir) {
  return std::make_unique<FileBlobStore>(std::move(dir));
}

}  // namespace rapidesk::server
