// A synchronous HTTP/1.1 client for rapidesk-server: one keep-alive connection reused
// across calls, timeouts on everything, errors as values.
//
// Every request carries `X-Rapidesk-Protocol: <version>` and, when a token is set,
// `Authorization: Bearer <token>`. Outcomes:
//   2xx                  → the HttpResponse;
//   4xx/5xx              → status_from_http_error(status, body) (http_error.h);
//   no answer            → ErrorCode::kUnavailable, "cannot reach the server at URL: why"
//                          (refused, DNS, timeout, reset, TLS failure, not HTTP);
//   a 2xx from a server that declares another protocol version → kUpgradeRequired.
// A kept connection the server has meanwhile closed (idle timeout, restart) is detected
// on use and the request is sent once more on a fresh connection. Every API call the
// client makes may be repeated safely (push is idempotent by op id), which is what makes
// this retry sound.
//
// https: TLS 1.2+ via OpenSSL, the system's trusted CAs (or HttpOptions::ca_file), SNI and
// host name verification.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rapidesk/client/server_address.h"
#include "rapidesk/shared/status.h"
#include "rapidesk/sync/protocol.h"

namespace rapidesk::client {

struct HttpOptions {
  // Name lookup + TCP connect + TLS handshake.
  std::chrono::milliseconds connect_timeout{5'000};
  // Sending one request and receiving its whole answer.
  std::chrono::milliseconds request_timeout{30'000};
  // PEM file of CA certificates to trust instead of the system's (a private CA or a
  // self-signed server certificate). Empty: the system's default verify paths.
  std::string ca_file;
  // Answers larger than this fail with kTooLarge (a pull page of 1000 ops is ~1 MB).
  std::size_t max_response_bytes = 64 * 1024 * 1024;
  // Sent as X-Rapidesk-Protocol. Leave it: only tests set another value.
  int protocol_version = sync::kProtocolVersion;
  std::string user_agent = "rapidesk-client/0.1";
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // The first header of that name (case-insensitive), or nullopt.
  std::optional<std::string> header(std::string_view name) const;
};

// Details of the last call that failed, beyond its Status.
struct HttpFailure {
  int http_status = 0;  // 0: no answer (network failure)
  std::optional<std::chrono::seconds> retry_after;  // from Retry-After (429)
};

enum class HttpMethod { kGet, kPost, kPut, kDelete };

// Thread-safe: calls are serialised by an internal mutex (one connection, one request at a
// time); set_token() and cancel() may be called from any thread at any time.
class HttpClient {
 public:
  explicit HttpClient(ServerAddress address, HttpOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // The bearer token sent from the next request on; empty: none.
  void set_token(std::string token);
  std::string token() const;
  // A header sent with every later request (replacing one of that name); an empty value
  // stops sending it. REQUIRES: name and value hold no CR or LF.
  void set_header(std::string name, std::string value);

  // `target` is an API path with an optional query, e.g. "/api/v1/sync/pull?cursor=3";
  // the address's base path is put in front. A target that does not start with '/' or
  // holds spaces or control characters is refused (kInvalid) without sending anything.
  Result<HttpResponse> request(HttpMethod method, std::string_view target, std::string body = {},
                               std::string_view content_type = "application/json");
  Result<HttpResponse> get(std::string_view target) { return request(HttpMethod::kGet, target); }
  Result<HttpResponse> post(std::string_view target, std::string body) {
    return request(HttpMethod::kPost, target, std::move(body));
  }

  // Ends the call in flight, if any, promptly: it fails with kUnavailable ("cancelled").
  // A call that starts later is not affected.
  void cancel();
  // Closes the kept connection (the next call opens a new one).
  void close();

  HttpFailure last_failure() const;
  // TCP connections opened so far (keep-alive reuse keeps this at 1 on a healthy link).
  std::uint64_t connections_opened() const;
  const ServerAddress& address() const;
  const HttpOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rapidesk::client
