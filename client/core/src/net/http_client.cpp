#include "rapidesk/client/http_client.h"

#include <atomic>
#include <mutex>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "net/transport.h"
#include "rapidesk/client/http_error.h"

namespace rapidesk::client {

namespace http = boost::beast::http;
using namespace net;

namespace {

constexpr std::size_t kMaxTargetBytes = 8192;
constexpr std::uint32_t kMaxResponseHeaderBytes = 64 * 1024;
// Beast reads at most the buffer's free room at a time, and the parser takes each read's
// bytes straight out of it, so a buffer left to grow by itself stays at about 1 KiB: a pull
// page of 300 KB came in 500 reads, each with its own timer and wake-up (a third of a
// million system calls in a first sync of 20k requests). Room for Beast's largest read.
constexpr std::size_t kReadRoomBytes = 64 * 1024;

bool is_valid_target(std::string_view target) {
  if (target.empty() || target.front() != '/' || target.size() > kMaxTargetBytes) return false;
  for (char c : target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  return true;
}

bool is_valid_token(std::string_view token) {
  for (char c : token) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) return false;
  }
  return true;
}

// Errors that, before any byte of the answer, mean the kept connection was already closed
// by the server (idle timeout, restart): the request is worth one more try on a fresh one.
bool is_stale_connection_error(beast::error_code ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::connection_aborted || ec == http::error::end_of_stream ||
         ec == asio::ssl::error::stream_truncated;
}

http::verb verb_of(HttpMethod method) {
  switch (method) {
    case HttpMethod::kGet: return http::verb::get;
    case HttpMethod::kPost: return http::verb::post;
    case HttpMethod::kPut: return http::verb::put;
    case HttpMethod::kDelete: return http::verb::delete_;
  }
  return http::verb::get;
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value) {
  if (value.empty() || value.size() > 9) return std::nullopt;  // HTTP dates are not used by our server
  long long seconds = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    seconds = seconds * 10 + (c - '0');
  }
  return std::chrono::seconds(seconds);
}

bool iequals(std::string_view a, std::string_view b) { return beast::iequals(a, b); }

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

struct Exchange {
  Status status;       // ok: `response` holds the answer
  bool stale = false;  // failed on a kept connection before any byte of the answer
  Response response;
};

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return std::nullopt;
}

struct HttpClient::Impl {
  Impl(ServerAddress a, HttpOptions o) : address(std::move(a)), options(std::move(o)) {}

  // Constant after construction.
  const ServerAddress address;
  const HttpOptions options;

  mutable std::mutex token_mutex;
  std::string token;  // guarded by token_mutex
  std::vector<std::pair<std::string, std::string>> headers;  // set_header; guarded by token_mutex

  mutable std::mutex failure_mutex;
  HttpFailure last_failure;  // guarded by failure_mutex

  std::atomic<std::uint64_t> connections_opened{0};
  std::atomic<std::uint64_t> current_call{0};  // id of the call in flight, 0 when idle

  // Guarded by call_mutex; run only by the thread holding it (and handlers inside run()).
  std::mutex call_mutex;
  asio::io_context ioc;  // declared before the streams: they must go first
  std::shared_ptr<asio::ssl::context> tls_context;
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<TlsStream> tls;
  beast::flat_buffer buffer;
  bool connected = false;
  bool aborted = false;
  std::uint64_t next_call_id = 1;

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

  void drop_connection() {
    if (plain || tls) {
      beast::error_code ec;
      lowest().socket().close(ec);
    }
    connected = false;
  }

  // Runs on the io_context (posted by cancel()).
  void abort_call(std::uint64_t id) {
    if (current_call.load() != id) return;  // that call is over; never touch a later one
    aborted = true;
    drop_connection();
  }

  asio::awaitable<Status> connect() {
    buffer.clear();
    const Deadline deadline = std::chrono::steady_clock::now() + options.connect_timeout;
    if (address.tls) {
      plain.reset();
      tls = std::make_unique<TlsStream>(ioc, *tls_context);
      co_return co_await open_tls(*tls, address, deadline, options.connect_timeout);
    }
    tls.reset();
    plain = std::make_unique<beast::tcp_stream>(ioc);
    co_return co_await open_tcp(*plain, address, deadline, options.connect_timeout);
  }

  template <class Stream>
  asio::awaitable<Exchange> exchange_on(Stream& stream, const Request& request) {
    Exchange out;
    beast::get_lowest_layer(stream).expires_after(options.request_timeout);
    http::response_parser<http::string_body> parser;
    parser.body_limit(options.max_response_bytes);
    parser.header_limit(kMaxResponseHeaderBytes);
    buffer.reserve(kReadRoomBytes);
    auto [ec, written] = co_await http::async_write(stream, request, kAwaitable);
    if (!ec) std::tie(ec, std::ignore) = co_await http::async_read(stream, buffer, parser, kAwaitable);
    beast::get_lowest_layer(stream).expires_never();
    if (!ec) {
      out.response = parser.release();
      co_return out;
    }
    out.stale = !parser.got_some() && is_stale_connection_error(ec);
    if (ec == http::error::body_limit) {
      out.status = Status(ErrorCode::kTooLarge,
                          format_text(Text{"the server's answer is larger than the client accepts ({} bytes)",
                                           "服务器的应答超过客户端允许的大小（{} 字节）"},
                                      {same_text(std::to_string(options.max_response_bytes))}));
    } else {
      out.status = network_failure(address, ec, Phase::kExchange, options.request_timeout);
    }
    co_return out;
  }

  asio::awaitable<Exchange> exchange(const Request& request) {
    if (!connected) {
      Status s = co_await connect();
      if (!s || aborted) {  // a cancel during a name lookup lands only once it completes
        Exchange failed;
        failed.status = s ? network_failure(address, Text{"cancelled", "已取消"}) : s;
        co_return failed;
      }
      connected = true;
      connections_opened.fetch_add(1);
    }
    if (tls) co_return co_await exchange_on(*tls, request);
    co_return co_await exchange_on(*plain, request);
  }

  // Runs one exchange to completion on this thread.
  Exchange run(const Request& request) {
    std::optional<Exchange> out;
    asio::co_spawn(ioc, exchange(request), [&out](std::exception_ptr error, Exchange result) {
      if (!error) out = std::move(result);
    });
    ioc.restart();
    ioc.run();
    if (!out) {
      Exchange failed;
      failed.status = Status(ErrorCode::kInternal, Text{"unexpected error in the HTTP client", "HTTP 客户端发生意外错误"});
      return failed;
    }
    return std::move(*out);
  }

  Result<HttpResponse> fail(Status status, int http_status = 0, std::optional<std::chrono::seconds> retry_after = {}) {
    std::lock_guard lock(failure_mutex);
    last_failure = HttpFailure{http_status, retry_after};
    return status;
  }

  Result<HttpResponse> call(HttpMethod method, std::string_view target, std::string body,
                            std::string_view content_type) {
    if (address.tls && !tls_context) {
      auto context = make_tls_context(options.ca_file);
      if (!context) return fail(context.status());
      tls_context = *context;
    }
    std::string bearer;
    std::vector<std::pair<std::string, std::string>> extra;
    {
      std::lock_guard lock(token_mutex);
      bearer = token;
      extra = headers;
    }
    if (!is_valid_token(bearer)) {
      return fail(Status(ErrorCode::kUnauthorized, Text{"the saved sign-in token is malformed; sign in again",
                                                        "保存的登录令牌格式错误，请重新登录"}));
    }

    Request request{verb_of(method), address.target(target), 11};
    request.set(http::field::host, address.host_header());
    request.set(http::field::user_agent, options.user_agent);
    request.set(http::field::accept, "application/json");
    request.set("X-Rapidesk-Protocol", std::to_string(options.protocol_version));
    if (!bearer.empty()) request.set(http::field::authorization, "Bearer " + bearer);
    for (const auto& [name, value] : extra) request.set(name, value);
    if (method != HttpMethod::kGet || !body.empty()) request.set(http::field::content_type, content_type);
    request.body() = std::move(body);
    request.keep_alive(true);
    request.prepare_payload();

    aborted = false;
    current_call.store(next_call_id++);
    Exchange result;
    for (int attempt = 0;; ++attempt) {
      const bool reused = connected;
      result = run(request);
      if (result.status) break;
      drop_connection();
      if (!(reused && result.stale && attempt == 0 && !aborted)) break;
    }
    current_call.store(0);

    if (aborted) return fail(network_failure(address, Text{"cancelled", "已取消"}));
    if (!result.status) return fail(result.status);
    Response& response = result.response;
    if (!response.keep_alive()) drop_connection();

    HttpResponse out;
    out.status = static_cast<int>(response.result_int());
    out.body = std::move(response.body());
    for (const auto& field : response) out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));

    if (out.status >= 400) {
      std::optional<std::chrono::seconds> retry_after;
      if (auto value = out.header("Retry-After")) retry_after = parse_retry_after(*value);
      return fail(status_from_http_error(out.status, out.body), out.status, retry_after);
    }
    if (auto declared = out.header("X-Rapidesk-Protocol"); declared && *declared != std::to_string(options.protocol_version)) {
      drop_connection();
      return fail(Status(ErrorCode::kUpgradeRequired,
                         format_text(Text{"the server at {} speaks sync protocol {} and this client speaks {}; "
                                          "install matching versions of the client and the server",
                                          "服务器 {} 使用同步协议 {}，而本客户端使用 {}；请安装相互匹配的客户端和服务器版本"},
                                     {same_text(address.url()), same_text(declared->substr(0, 16)),
                                      same_text(std::to_string(options.protocol_version))})),
                  out.status);
    }
    return out;
  }
};

HttpClient::HttpClient(ServerAddress address, HttpOptions options)
    : impl_(std::make_unique<Impl>(std::move(address), std::move(options))) {}

HttpClient::~HttpClient() = default;

void HttpClient::set_token(std::string token) {
  std::lock_guard lock(impl_->token_mutex);
  impl_->token = std::move(token);
}

void HttpClient::set_header(std::string name, std::string value) {
  std::lock_guard lock(impl_->token_mutex);
  std::erase_if(impl_->headers, [&](const auto& h) { return h.first == name; });
  if (!value.empty()) impl_->headers.emplace_back(std::move(name), std::move(value));
}

std::string HttpClient::token() const {
  std::lock_guard lock(impl_->token_mutex);
  return impl_->token;
}

Result<HttpResponse> HttpClient::request(HttpMethod method, std::string_view target, std::string body,
                                         std::string_view content_type) {
  if (!is_valid_target(target)) {
    return Status::invalid(format_text(Text{"invalid request path \"{}\": it must start with '/' and hold no spaces",
                                            "请求路径“{}”无效：必须以“/”开头且不含空格"},
                                       {same_text(target.substr(0, 200))}));
  }
  std::lock_guard lock(impl_->call_mutex);
  return impl_->call(method, target, std::move(body), content_type);
}

void HttpClient::cancel() {
  const std::uint64_t id = impl_->current_call.load();
  if (id == 0) return;
  // Sockets belong to the thread running the call: the abort runs there, via the io_context.
  asio::post(impl_->ioc, [impl = impl_.get(), id] { impl->abort_call(id); });
}

void HttpClient::close() {
  std::lock_guard lock(impl_->call_mutex);
  impl_->drop_connection();
}

HttpFailure HttpClient::last_failure() const {
  std::lock_guard lock(impl_->failure_mutex);
  return impl_->last_failure;
}

std::uint64_t HttpClient::connections_opened() const { return impl_->connections_opened.load(); }
const ServerAddress& HttpClient::address() const { return impl_->address; }
const HttpOptions& HttpClient::options() const { return impl_->options; }

}  // namespace rapidesk::client
