#include "rapidesk/client/server_address.h"

#include <algorithm>
#include <cctype>

namespace rapidesk::client {

namespace {

constexpr std::size_t kMaxUrlBytes = 2048;
constexpr std::size_t kMaxHostBytes = 253;  // the DNS limit

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Status bad_url(std::string_view url, const Text& why) {
  const std::string shown(url.substr(0, 200));
  return Status::invalid(format_text(Text{"invalid server address \"{}\": {}", "服务器地址“{}”无效：{}"},
                                     {same_text(shown), why}),
                         "server");
}

// A DNS name or IPv4 literal: letters, digits, '-', '.', '_' (seen in internal names).
bool is_valid_reg_name(std::string_view host) {
  if (host.empty() || host.size() > kMaxHostBytes) return false;
  if (host.front() == '.' || host.front() == '-') return false;
  return std::all_of(host.begin(), host.end(), [](char c) { return is_alnum(c) || c == '-' || c == '.' || c == '_'; });
}

bool is_valid_ipv6_literal(std::string_view host) {
  if (host.size() < 2 || host.size() > 45) return false;
  return std::all_of(host.begin(), host.end(), [](char c) { return is_hex(c) || c == ':' || c == '.'; }) &&
         host.find(':') != std::string_view::npos;
}

// RFC 3986 path characters: unreserved, sub-delims, ':', '@', '/', and %XX escapes.
bool is_valid_path(std::string_view path) {
  for (std::size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == '%') {
      if (i + 2 >= path.size() || !is_hex(path[i + 1]) || !is_hex(path[i + 2])) return false;
      i += 2;
      continue;
    }
    if (is_alnum(c)) continue;
    if (std::string_view("-._~!$&'()*+,;=:@/").find(c) == std::string_view::npos) return false;
  }
  return true;
}

}  // namespace

Result<ServerAddress> ServerAddress::parse(std::string_view url) {
  while (!url.empty() && (url.front() == ' ' || url.front() == '\t')) url.remove_prefix(1);
  while (!url.empty() && (url.back() == ' ' || url.back() == '\t')) url.remove_suffix(1);
  if (url.empty()) return Status::invalid(Text{"the server address is empty", "服务器地址为空"}, "server");
  if (url.size() > kMaxUrlBytes) {
    return bad_url(url, Text{"longer than 2048 characters", "超过 2048 个字符"});
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return bad_url(url, Text{"it contains spaces or control characters", "包含空格或控制字符"});
    }
  }

  ServerAddress address;
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return bad_url(url, Text{"it must start with http:// or https:// (for example http://127.0.0.1:8080)",
                             "必须以 http:// 或 https:// 开头（例如 http://127.0.0.1:8080）"});
  }
  const std::string scheme = lower(url.substr(0, scheme_end));
  if (scheme == "https") {
    address.tls = true;
  } else if (scheme != "http") {
    return bad_url(url, format_text(Text{"unsupported scheme \"{}\"; use http:// or https://",
                                         "不支持的协议“{}”，请使用 http:// 或 https://"},
                                    {same_text(scheme.substr(0, 20))}));
  }
  std::string_view rest = url.substr(scheme_end + 3);
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return bad_url(url, Text{"a query (?) or fragment (#) is not allowed", "不允许包含查询（?）或片段（#）"});
  }
  const std::size_t authority_end = rest.find('/');
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view path = authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return bad_url(url, Text{"user names or passwords in the address are not supported; sign in instead",
                             "地址中不支持用户名或密码，请通过登录提供"});
  }

  std::string_view host;
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad_url(url, Text{"missing ']' after the IPv6 address", "IPv6 地址缺少“]”"});
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad_url(url, Text{"unexpected text after the IPv6 address", "IPv6 地址后有多余内容"});
      has_port = true;
      port_text = after.substr(1);
    }
    if (!is_valid_ipv6_literal(host)) return bad_url(url, Text{"malformed IPv6 address", "IPv6 地址格式错误"});
  } else {
    const std::size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
    if (host.empty()) return bad_url(url, Text{"the host name is missing", "缺少主机名"});
    if (!is_valid_reg_name(host)) {
      return bad_url(url, Text{"the host name may hold only letters, digits, '-', '.' and '_'",
                               "主机名只能包含字母、数字、“-”、“.”和“_”"});
    }
  }

  if (has_port) {
    unsigned long port = 0;
    const bool digits = !port_text.empty() && port_text.size() <= 5 &&
                        std::all_of(port_text.begin(), port_text.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (digits) port = std::stoul(std::string(port_text));
    if (!digits || port < 1 || port > 65535) {
      return bad_url(url, Text{"the port must be a number from 1 to 65535", "端口必须是 1 到 65535 之间的数字"});
    }
    address.port = static_cast<std::uint16_t>(port);
  } else {
    address.port = address.tls ? 443 : 80;
  }

  if (!is_valid_path(path)) {
    return bad_url(url, Text{"the path holds characters that must be %-escaped", "路径包含必须用 % 转义的字符"});
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  address.host = lower(host);
  address.base_path = std::string(path);
  return address;
}

std::string ServerAddress::host_header() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  // Built by appending: `"literal" + std::string&&` trips a GCC 12 -Wrestrict false positive.
  std::string out;
  if (ipv6) out += '[';
  out += host;
  if (ipv6) out += ']';
  if (port != (tls ? 443 : 80)) {
    out += ':';
    out += std::to_string(port);
  }
  return out;
}

std::string ServerAddress::url() const {
  std::string out = tls ? "https://" : "http://";
  out += host_header();
  out += base_path;
  return out;
}

std::string ServerAddress::target(std::string_view path) const { return base_path + std::string(path); }

}  // namespace rapidesk::client
