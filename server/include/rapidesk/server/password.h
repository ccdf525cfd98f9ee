// Password hashing with Argon2id (libsodium crypto_pwhash_str_alg). Hashing is slow on
// purpose (tens of ms, 19 MiB): call it from worker threads, never from I/O threads.
// Thread-safe (pure functions).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "rapidesk/shared/status.h"

namespace rapidesk::server {

struct PasswordParams {
  unsigned long long opslimit = 2;           // Argon2 t (passes)
  std::size_t memlimit_bytes = 19u << 20;    // Argon2 m = 19456 KiB; p is always 1
};
// OWASP's Argon2id minimum (m=19 MiB, t=2, p=1). The server always uses this or stronger.
constexpr PasswordParams kOwaspPasswordParams{};

constexpr std::size_t kMaxPasswordBytes = 1024;

// kInvalid for an empty password or one longer than kMaxPasswordBytes.
Status check_password(std::string_view password);
// "$argon2id$v=19$m=19456,t=2,p=1$salt$hash". kInvalid per check_password, kInternal if
// libsodium fails (out of memory).
Result<std::string> hash_password(std::string_view password, PasswordParams params = kOwaspPasswordParams);
// Constant-time compare inside libsodium. A malformed hash is a mismatch; kOutOfMemory
// when the check cannot run (Argon2id needs its memory cost, 19 MiB, per check; asked
// before verifying): that says nothing about the password and must not count as a wrong one.
enum class PasswordCheck { kMatch, kMismatch, kOutOfMemory };
PasswordCheck check_password_hash(std::string_view hash, std::string_view password);
// check_password_hash(...) == kMatch.
bool verify_password(std::string_view hash, std::string_view password);
// True when `hash` was made with weaker parameters (or another algorithm) than `params`.
bool password_needs_rehash(std::string_view hash, PasswordParams params = kOwaspPasswordParams);

}  // namespace rapidesk::server
