// Strict JSON request bodies: valid UTF-8, bounded nesting, exact field sets and types.
// Every error is a kInvalid Status that names the field and says what was expected.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "rapidesk/shared/status.h"
#include "rapidesk/server/protocol.h"

namespace rapidesk::server {

// Parses `body` as JSON. Refuses empty bodies, invalid UTF-8, nesting deeper than
// `max_depth` (checked before parsing) and malformed JSON.
Result<nlohmann::json> parse_json_body(std::string_view body, int max_depth = kMaxJsonDepth);
// The same for a file's text (a config file, an SLA policy): the messages speak of "the
// file", and malformed JSON is located by line and column.
Result<nlohmann::json> parse_json_file_text(std::string_view text, int max_depth = kMaxJsonDepth);

// Nesting depth of the JSON text (1 for `{}`), scanning brackets outside strings only.
// Stops counting once `limit` is exceeded, so it is linear and allocation-free.
int json_nesting_depth(std::string_view text, int limit);

// REQUIRES nothing of `value`: a non-object is an error. Refuses fields not in `allowed`.
Status expect_object_with_fields(const nlohmann::json& value, std::initializer_list<std::string_view> allowed);

// The string field `name` of an object: kInvalid if missing (when required), not a string,
// empty, or longer than `max_bytes`. Returns nullopt for an absent optional field.
Result<std::optional<std::string>> string_field(const nlohmann::json& object, std::string_view name,
                                                size_t max_bytes, bool required);

}  // namespace rapidesk::server
