// Bearer tokens: 32 random bytes, base64url without padding (43 characters). Only the
// SHA-256 of a token is ever stored, so a copied database does not yield sessions.
#pragma once

#include <string>
#include <string_view>

namespace rapidesk::server {

constexpr std::size_t kTokenChars = 43;

std::string make_token();
// Lower-case hex SHA-256 of the token text.
std::string hash_token(std::string_view token);
// True if `token` has the shape make_token() produces (cheap check before a lookup).
bool looks_like_token(std::string_view token);
std::string base64url_encode(std::string_view bytes);

}  // namespace rapidesk::server
