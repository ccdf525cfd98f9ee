#include <gtest/gtest.h>

#include <cstdlib>

#include "rapidesk/server/password.h"
#include "test_support.h"

namespace rapidesk::server {
namespace {

TEST(Password, HashIsArgon2idWithOwaspParameters) {
  auto hash = hash_password("correct horse battery staple");
  ASSERT_TRUE(hash.is_ok());
  EXPECT_TRUE(hash->starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << *hash;
  EXPECT_TRUE(verify_password(*hash, "correct horse battery staple"));
  EXPECT_FALSE(verify_password(*hash, "correct horse battery stapler"));
  EXPECT_FALSE(password_needs_rehash(*hash));
}

TEST(Password, SaltedSoEqualPasswordsHashDifferently) {
  auto a = hash_password("same");
  auto b = hash_password("same");
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  EXPECT_NE(*a, *b);
}

TEST(Password, WeakerHashesNeedRehash) {
  auto weak = hash_password("pw", PasswordParams{1, 8u << 20});
  ASSERT_TRUE(weak.is_ok());
  EXPECT_TRUE(password_needs_rehash(*weak));
  EXPECT_TRUE(password_needs_rehash("not a hash"));
}

TEST(Password, RefusesEmptyAndHugePasswords) {
  EXPECT_EQ(hash_password("").status().code(), ErrorCode::kInvalid);
  EXPECT_EQ(hash_password(std::string(kMaxPasswordBytes + 1, 'x')).status().code(), ErrorCode::kInvalid);
  EXPECT_FALSE(verify_password("garbage", "pw"));
  EXPECT_FALSE(verify_password(std::string(500, '$'), "pw"));
  EXPECT_EQ(check_password_hash("$argon2id$v=19$m=19456,t=2,p=1$broken", "pw"), PasswordCheck::kMismatch);
}

// Checks `hash` once with its password and once with another while the process's address
// space is capped just above what it uses, so Argon2id cannot map its 19 MiB. 0 when both
// answers are "could not check" (not "wrong password"); run in a child process.
int check_with_memory_capped(const std::string& hash) {
  rlimit before{};
  if (!testing::cap_address_space(8u << 20, before)) return 2;
  const PasswordCheck right = check_password_hash(hash, "correct horse battery staple");
  const PasswordCheck wrong = check_password_hash(hash, "wrong");
  return right == PasswordCheck::kOutOfMemory && wrong == PasswordCheck::kOutOfMemory ? 0 : 1;
}

TEST(Password, ACheckThatRunsOutOfMemoryIsNotAMismatch) {
  auto hash = hash_password("correct horse battery staple");
  ASSERT_TRUE(hash.is_ok());
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(std::_Exit(check_with_memory_capped(*hash)), ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace rapidesk::server
