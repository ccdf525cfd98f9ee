#include "rapidesk/notify/webhook_url.h"

namespace rapidesk::notify {

Result<WebhookUrl> parse_webhook_url(std::string_view url) {
  auto bad = [&](std::string_view why) {
    return Status::invalid(format_text(Text{"Webhook address \"{}\": {}", "Webhook 地址“{}”无效：{}"},
                                       {same_text(url.substr(0, 200)), same_text(why)}),
                           "url");
  };
  WebhookUrl u;
  std::string_view rest;
  if (url.substr(0, 7) == "http://") {
    rest = url.substr(7);
  } else if (url.substr(0, 8) == "https://") {
    u.tls = true;
    rest = url.substr(8);
  } else {
    return bad("must start with http:// or https://");
  }
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  u.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (authority.find('@') != std::string_view::npos) return bad("credentials in the address are not supported");
  const size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    u.port = std::string(authority.substr(colon + 1));
    authority = authority.substr(0, colon);
    if (u.port.empty() || u.port.size() > 5 || u.port.find_first_not_of("0123456789") != std::string::npos) {
      return bad("bad port");
    }
  } else {
    u.port = u.tls ? "443" : "80";
  }
  if (authority.empty()) return bad("no host");
  u.host = std::string(authority);
  return u;
}

std::string loggable_webhook_url(std::string_view url) {
  auto parsed = parse_webhook_url(url);
  if (!parsed) return "(not a valid webhook URL)";
  std::string out = parsed->tls ? "https://" : "http://";
  out += parsed->host;
  if (parsed->port != (parsed->tls ? "443" : "80")) out += ":" + parsed->port;
  const std::string_view target = parsed->target;
  const std::size_t end = target.find_first_of("/?#", 1);
  out += target.substr(0, end);
  if (end != std::string_view::npos && target.substr(end) != "/") out += out.back() == '/' ? "…" : "/…";
  return out;
}

}  // namespace rapidesk::notify
