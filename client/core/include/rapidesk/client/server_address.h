// Where rapidesk-server is, as a person types it: "http://host:port[/base]" or
// "https://host[:port][/base]". The base path is for a server behind a reverse proxy that
// serves it under a prefix; every API path is appended to it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "rapidesk/shared/status.h"

namespace rapidesk::client {

struct ServerAddress {
  bool tls = false;           // https: TLS with certificate and host name verification
  std::string host;           // DNS name or IP literal (IPv6 without brackets)
  std::uint16_t port = 0;     // as given, else 80 (http) / 443 (https)
  std::string base_path;      // "" or "/prefix" (no trailing slash)

  // Accepts http and https URLs (scheme case-insensitive, surrounding spaces ignored) with
  // an optional port and base path. Refuses, with a message that says what is wrong: no or
  // another scheme, user names ("user@host"), an empty or malformed host, a port outside
  // 1..65535, a query or fragment, spaces or control characters, more than 2048 bytes.
  static Result<ServerAddress> parse(std::string_view url);

  // The canonical URL, e.g. "https://desk.example.com:8443/rapidesk" (default ports left out).
  std::string url() const;
  // The Host header value: "host" for the default port, else "host:port" ("[::1]:8080").
  std::string host_header() const;
  // The request target for an API path: base_path + path. REQUIRES: path starts with '/'.
  std::string target(std::string_view path) const;
};

}  // namespace rapidesk::client
