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

bool trusted(std::string_view address, const std::vector<std::string>& proxies) {
  return std::find(proxies.begin(), proxies.end(), address) != proxies.end();
}

}  // namespace

bool is_ip_address(std::string_view text) {
  if (text.empty() || text.size() > 45) return false;
  const std::string s(text);
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

std::string client_address(std::string_view peer, std::string_view x_forwarded_for,
                           const std::vector<std::string>& trusted_proxies) {
  if (trusted_proxies.empty() || x_forwarded_for.empty() || !trusted(peer, trusted_proxies)) return std::string(peer);
  // Walk from the right: the nearest hop first.
  std::string_view rest = x_forwarded_for;
  while (!rest.empty()) {
    const size_t comma = rest.rfind(',');
    const std::string_view hop = trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    if (!is_ip_address(hop)) return std::string(peer);  // malformed: believe nothing
    if (!trusted(hop, trusted_proxies)) return std::string(hop);
  }
  return std::string(peer);  // every hop was a proxy of ours
}

}  // namespace rapidesk::server
