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

// The URL as it may appear in logs: bot URLs carry their credentials in the query
// (?key=, ?access_token=) or deep in the path (Slack's /services/T…/B…/SECRET), so only the
// scheme, host, port and first path segment are kept ("https://oapi.dingtalk.com/robot/…").
std::string loggable_webhook_url(std::string_view url);

}  // namespace rapidesk::notify
