#pragma once

#include <string>
#include <string_view>

#include "rapidesk/shared/status.h"

namespace rapidesk::notify {

// "http(s)://host[:port]/path?query" split for a client connection.
struct WebhookUrl {
  bool tls = false;
  std::string host;
  std::string port;    // defaults 80 / 443
  std::string target;  // path and query, at least "/"
};

Result<WebhookUrl> parse_webhook_url(std::string_view url);

}  // namespace rapidesk::notify
