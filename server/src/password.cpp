#include "rapidesk/server/password.h"

#include <sodium.h>
#include <sys/mman.h>

#include <charconv>
#include <cstdint>
#include <limits>

namespace rapidesk::server {

namespace {
// libsodium must be initialised once before use; sodium_init() is itself thread-safe.
bool sodium_ready() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}
}  // namespace

Status check_password(std::string_view password) {
  if (password.empty()) return Status::invalid(Text{"the password must not be empty", "密码不能为空"}, "password");
  if (password.size() > kMaxPasswordBytes) {
    return Status::invalid(format_text(Text{"the password is longer than {} bytes", "密码超过 {} 字节"},
                                       {same_text(std::to_string(kMaxPasswordBytes))}),
                           "password");
  }
  return Status::ok();
}

Result<std::string> hash_password(std::string_view password, PasswordParams params) {
  if (Status s = check_password(password); !s) return s;
  if (!sodium_ready()) return Status(ErrorCode::kInternal, Text{"libsodium failed to start", "libsodium 初始化失败"});
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), params.opslimit, params.memlimit_bytes,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status(ErrorCode::kInternal, Text{"password hashing ran out of memory", "密码哈希计算内存不足"});
  }
  return std::string(out);
}

namespace {

// libsodium (1.0.18) answers a failed allocation as it answers a mismatch (-1, EINVAL).
// Argon2id's memory is one mapping of the hash's memory cost (`m=` KiB), so whether such a
// mapping can be made is asked first; mapping without touching the pages costs no memory.
// Asked after a failed verify instead, a slow "could not check" would tell an attacker
// who squeezes memory that the guess was wrong and not counted. A hash without `m=` is
// malformed: a mismatch.
bool could_map_memory_cost(std::string_view hash) {
  const size_t at = hash.find("$m=");
  if (at == std::string_view::npos) return true;
  std::size_t kib = 0;
  const char* first = hash.data() + at + 3;
  const auto [end, ec] = std::from_chars(first, hash.data() + hash.size(), kib);
  if (ec != std::errc() || kib == 0 || kib > std::numeric_limits<std::uint32_t>::max() / 1024) return true;
  const std::size_t bytes = kib * 1024;
  void* block = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (block == MAP_FAILED) return false;
  ::munmap(block, bytes);
  return true;
}

}  // namespace

PasswordCheck check_password_hash(std::string_view hash, std::string_view password) {
  if (!sodium_ready() || hash.size() >= crypto_pwhash_STRBYTES) return PasswordCheck::kMismatch;
  // crypto_pwhash_str_verify wants a NUL-terminated string of at most STRBYTES.
  char buf[crypto_pwhash_STRBYTES] = {};
  hash.copy(buf, hash.size());
  if (!could_map_memory_cost(hash)) return PasswordCheck::kOutOfMemory;
  // Memory that ran out between the two is counted as a mismatch: rare, and never a way
  // to learn something about a guess without it being counted.
  return crypto_pwhash_str_verify(buf, password.data(), password.size()) == 0 ? PasswordCheck::kMatch
                                                                             : PasswordCheck::kMismatch;
}

bool verify_password(std::string_view hash, std::string_view password) {
  return check_password_hash(hash, password) == PasswordCheck::kMatch;
}

bool password_needs_rehash(std::string_view hash, PasswordParams params) {
  if (!sodium_ready() || hash.size() >= crypto_pwhash_STRBYTES) return true;
  char buf[crypto_pwhash_STRBYTES] = {};
  hash.copy(buf, hash.size());
  // 0: fine; 1: weaker parameters; -1: not an Argon2id string.
  return crypto_pwhash_str_needs_rehash(buf, params.opslimit, params.memlimit_bytes) != 0;
}

}  // namespace rapidesk::server
