#include "rapidesk/server/forwarded.h"

#include <arpa/inet.h>

#include <algorithm>

namespace rapidesk::server {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

// Compared as addresses, not as text: a server listening on [::] sees an IPv4 proxy as
// ::ffff:10.0.0.5, which the configured "10.0.0.5" must match (else every client shares the
// proxy's address, and 20 failures lock everyone out).
bool is_trusted_proxy(std::string_view address, const std::vector<std::string>& trusted_proxies) {
  const std::string canonical = canonical_ip(address);
  return std::any_of(trusted_proxies.begin(), trusted_proxies.end(),
                     [&](const std::string& p) { return canonical_ip(p) == canonical; });
}

std::string address_group(std::string_view address) {
  const std::string text = canonical_ip(address.substr(0, 128));
  unsigned char v6[16];
  if (text.find(':') == std::string::npos || inet_pton(AF_INET6, text.c_str(), v6) != 1) return text;
  std::fill(v6 + 8, v6 + 16, 0);
  char out[INET6_ADDRSTRLEN];
  return inet_ntop(AF_INET6, v6, out, sizeof out) ? std::string(out) + "/64" : text;
}

std::string canonical_ip(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::string(text);
  const std::string s(text);
  unsigned char v4[4];
  if (inet_pton(AF_INET, s.c_str(), v4) == 1) return s;
  unsigned char v6[16];
  if (inet_pton(AF_INET6, s.c_str(), v6) != 1) return s;
  char out[INET6_ADDRSTRLEN];
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(std::begin(kMapped), std::end(kMapped), v6)) {
    return inet_ntop(AF_INET, v6 + 12, out, sizeof out) ? std::string(out) : s;
  }
  return inet_ntop(AF_INET6, v6, out, sizeof out) ? std::string(out) : s;
}

bool is_ip_address(std::string_view text) {
  if (text.empty() || text.size() > 45) return false;
  const std::string s(text);
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

std::string client_address(std::string_view peer, std::string_view x_forwarded_for,
                           const std::vector<std::string>& trusted_proxies) {
  if (trusted_proxies.empty() || x_forwarded_for.empty() || !is_trusted_proxy(peer, trusted_proxies)) return canonical_ip(peer);
  // Walk from the right: the nearest hop first.
  std::string_view rest = x_forwarded_for;
  while (!rest.empty()) {
    const size_t comma = rest.rfind(',');
    const std::string_view hop = trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    if (!is_ip_address(hop)) return canonical_ip(peer);  // malformed: believe nothing
    if (!is_trusted_proxy(hop, trusted_proxies)) return canonical_ip(hop);
  }
  return canonical_ip(peer);  // every hop was a proxy of ours
}

}  // namespace rapidesk::server
