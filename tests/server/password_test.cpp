#include <gtest/gtest.h>

#include "rapidesk/server/password.h"

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
}

}  // namespace
}  // namespace rapidesk::server
