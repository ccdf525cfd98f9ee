// The client's address behind a reverse proxy (nginx, a load balancer): what the sign-in
// rate limit, the request log and the audit trail count.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rapidesk::server {

// `peer` is the TCP peer. Only when it is one of `trusted_proxies` is X-Forwarded-For
// believed: the client is its rightmost address that is not itself a trusted proxy (each
// proxy appends the address it saw, so entries left of an untrusted hop may be forged by the
// client). Without trusted proxies, or with an empty or malformed header, it is `peer`.
// The address returned is canonical_ip's spelling.
std::string client_address(std::string_view peer, std::string_view x_forwarded_for,
                           const std::vector<std::string>& trusted_proxies);

// True for an IPv4 or IPv6 address in text form (as trusted_proxies takes).
bool is_ip_address(std::string_view text);
// One spelling per address: an IPv4-mapped IPv6 address (::ffff:10.0.0.5) as IPv4, other
// IPv6 addresses in their shortest form (2001:DB8:0::7 -> 2001:db8::7). Anything that is
// not an address comes back as it was.
std::string canonical_ip(std::string_view text);

// True when `address` is one of `trusted_proxies`, compared as addresses (canonical_ip).
bool is_trusted_proxy(std::string_view address, const std::vector<std::string>& trusted_proxies);

// The group a client is counted in by the limits per address (sign-in failures,
// connections): an IPv4 address alone, an IPv6 address by its /64, since one subscriber
// usually holds a whole /64 and would otherwise get a fresh limit for every address in it.
// Canonical first, so ::ffff:10.0.0.5 is 10.0.0.5. Anything that is not an address is its
// own group (at most 128 bytes of it).
std::string address_group(std::string_view address);

}  // namespace rapidesk::server
