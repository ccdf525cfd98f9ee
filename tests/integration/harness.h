// Test harness for the integration suites: temp dirs, child processes, a tiny blocking
// HTTP/WebSocket client on POSIX sockets, and a fixture running the real rapidesk-server.
#pragma once

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "../support/test_certificate.h"


namespace rapidesk_it {

using Clock = std::chrono::steady_clock;
using rapidesk_test::write_test_certificate;
using namespace std::chrono_literals;

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("rapidesk-it-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A child process with stdin fed from a string, stdout on a pipe, stderr to a file.
struct Child {
  pid_t pid = -1;
  int out_fd = -1;
};

inline Child spawn(const std::vector<std::string>& args, const std::string& stdin_text, const std::filesystem::path& err_file) {
  int in_pipe[2];
  int out_pipe[2];
  if (pipe(in_pipe) != 0 || pipe(out_pipe) != 0) return {};
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(in_pipe[0], STDIN_FILENO);
    dup2(out_pipe[1], STDOUT_FILENO);
    const int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (err >= 0) dup2(err, STDERR_FILENO);
    close(in_pipe[1]);
    close(out_pipe[0]);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  if (!stdin_text.empty()) {
    [[maybe_unused]] auto n = write(in_pipe[1], stdin_text.data(), stdin_text.size());
  }
  close(in_pipe[1]);
  return {pid, out_pipe[0]};
}

// Waits for the child to exit, at most `timeout`. Returns its exit code, or -1 (and kills it).
inline int wait_exit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (Clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(10ms);
  }
}

inline std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

struct CliResult {
  int code;
  std::string out;
};

inline CliResult run_cli(const std::filesystem::path& data, std::vector<std::string> args, const std::string& stdin_text,
                  const std::filesystem::path& err_file) {
  std::vector<std::string> argv = {RAPIDESK_SERVER_BIN, "--data", data.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  Child c = spawn(argv, stdin_text, err_file);
  std::string out = read_all(c.out_fd);
  return {wait_exit(c.pid, 30s), out};
}

// ---- a tiny blocking HTTP/WebSocket client on POSIX sockets --------------------------------

class Connection {
 public:
  explicit Connection(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~Connection() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (tls_ != nullptr) SSL_CTX_free(tls_);
    if (fd_ >= 0) close(fd_);
  }

  // Switches to TLS (any certificate accepted: the test made a self-signed one).
  bool start_tls() {
    tls_ = SSL_CTX_new(TLS_client_method());
    ssl_ = SSL_new(tls_);
    SSL_set_fd(ssl_, fd_);
    SSL_set_tlsext_host_name(ssl_, "localhost");
    return SSL_connect(ssl_) == 1;
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool connected() const { return connected_; }

  bool send_all(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ssl_ != nullptr ? SSL_write(ssl_, data.data(), static_cast<int>(data.size()))
                                        : ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Appends what arrives within `timeout` to the buffer; false on timeout, EOF or error.
  bool fill(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    const bool buffered = ssl_ != nullptr && SSL_pending(ssl_) > 0;
    if (!buffered && poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
    char buf[65536];
    const ssize_t n = ssl_ != nullptr ? SSL_read(ssl_, buf, sizeof buf) : ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    buffer_.append(buf, static_cast<size_t>(n));
    return true;
  }

  // True if the peer closed (EOF or reset) within `timeout`.
  bool closed_within(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!closed_ && Clock::now() < deadline) {
      fill(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()) + 1ms);
    }
    return closed_;
  }

  std::string& buffer() { return buffer_; }

 private:
  int fd_ = -1;
  SSL_CTX* tls_ = nullptr;
  SSL* ssl_ = nullptr;
  bool connected_ = false;
  bool closed_ = false;
  std::string buffer_;
};

struct Response {
  int status = 0;  // 0: no (complete) response
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
  std::string error_code() const {
    auto j = json();
    return j.is_object() && j.contains("error") ? j["error"]["code"].get<std::string>() : "<none>";
  }
};

// Reads one response (Content-Length framed; the server always sends it).
inline Response read_response(Connection& c, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = Clock::now() + timeout;
  auto remaining = [&] { return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()); };
  Response r;
  size_t header_end;
  while ((header_end = c.buffer().find("\r\n\r\n")) == std::string::npos) {
    if (remaining().count() <= 0 || !c.fill(remaining())) return r;
  }
  std::istringstream head(c.buffer().substr(0, header_end));
  std::string line;
  std::getline(head, line);
  if (line.size() < 12) return r;
  const int status = std::stoi(line.substr(9, 3));
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    r.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
  }
  const size_t length = r.headers.count("content-length") ? std::stoul(r.headers["content-length"]) : 0;
  while (c.buffer().size() < header_end + 4 + length) {
    if (remaining().count() <= 0 || !c.fill(remaining())) return r;
  }
  r.body = c.buffer().substr(header_end + 4, length);
  c.buffer().erase(0, header_end + 4 + length);
  r.status = status;
  return r;
}

inline std::string request_text(const std::string& method, const std::string& target, const std::string& body,
                         const std::vector<std::string>& headers) {
  std::string text = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& h : headers) text += h + "\r\n";
  if (!body.empty() || method == "POST") text += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  return text + "\r\n" + body;
}

inline Response http(int port, const std::string& method, const std::string& target, const std::string& body = {},
              const std::vector<std::string>& headers = {}) {
  Connection c(port);
  if (!c.connected() || !c.send_all(request_text(method, target, body, headers))) return {};
  return read_response(c);
}

// WebSocket: client frames are masked (RFC 6455 5.3); server frames are not.
inline std::string ws_frame(uint8_t opcode, std::string_view payload) {
  std::string f;
  f += static_cast<char>(0x80 | opcode);
  if (payload.size() < 126) {
    f += static_cast<char>(0x80 | payload.size());
  } else {
    f += static_cast<char>(0x80 | 126);
    f += static_cast<char>((payload.size() >> 8) & 0xff);
    f += static_cast<char>(payload.size() & 0xff);
  }
  const char mask[4] = {0x12, 0x34, 0x56, 0x78};
  f.append(mask, 4);
  for (size_t i = 0; i < payload.size(); ++i) f += static_cast<char>(payload[i] ^ mask[i % 4]);
  return f;
}

// The next text message, answering pings; nullopt on timeout or close.
inline std::optional<std::string> ws_read_text(Connection& c, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    std::string& b = c.buffer();
    if (b.size() >= 2) {
      const uint8_t opcode = static_cast<uint8_t>(b[0]) & 0x0f;
      size_t len = static_cast<uint8_t>(b[1]) & 0x7f;
      size_t offset = 2;
      if (len == 126 && b.size() >= 4) {
        len = (static_cast<uint8_t>(b[2]) << 8) | static_cast<uint8_t>(b[3]);
        offset = 4;
      }
      if (len < 127 && b.size() >= offset + len) {
        std::string payload = b.substr(offset, len);
        b.erase(0, offset + len);
        if (opcode == 0x1) return payload;
        if (opcode == 0x8) {  // answer the close, as a polite client does
          c.send_all(ws_frame(0x8, payload.substr(0, 2)));
          return std::nullopt;
        }
        if (opcode == 0x9) c.send_all(ws_frame(0xA, payload));
        continue;
      }
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0 || !c.fill(left)) return std::nullopt;
  }
}

// Opens the stream; returns the handshake response (101 on success).
inline Response ws_connect(Connection& c, const std::string& target, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> headers = {"Upgrade: websocket", "Connection: Upgrade",
                                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"};
  headers.insert(headers.end(), extra.begin(), extra.end());
  std::string text = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& h : headers) text += h + "\r\n";
  c.send_all(text + "\r\n");
  // A 101 has no Content-Length: read up to the blank line only.
  Response r;
  const auto deadline = Clock::now() + 5s;
  size_t end;
  while ((end = c.buffer().find("\r\n\r\n")) == std::string::npos) {
    if (Clock::now() > deadline || !c.fill(1s)) return r;
  }
  r.status = std::stoi(c.buffer().substr(9, 3));
  if (r.status == 101) {
    c.buffer().erase(0, end + 4);
    return r;
  }
  return read_response(c);
}

// ---- the server under test -----------------------------------------------------------------

class ServerProcess {
 public:
  ServerProcess(const std::filesystem::path& data, const std::filesystem::path& log,
                std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {RAPIDESK_SERVER_BIN, "--data", data.string(), "--listen", "127.0.0.1:0",
                                     "--test-hooks"};
    args.insert(args.end(), extra.begin(), extra.end());
    Child c = spawn(args, "", log);
    pid_ = c.pid;
    out_fd_ = c.out_fd;
    // The first stdout line says where it listens.
    std::string line;
    const auto deadline = Clock::now() + 20s;
    while (line.find('\n') == std::string::npos && Clock::now() < deadline) {
      pollfd p{out_fd_, POLLIN, 0};
      if (poll(&p, 1, 200) <= 0) continue;
      char buf[256];
      const ssize_t n = read(out_fd_, buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<size_t>(n));
    }
    const std::string prefix = "listening on 127.0.0.1:";
    const size_t at = line.find(prefix);
    if (at != std::string::npos) port_ = std::stoi(line.substr(at + prefix.size()));
  }
  ~ServerProcess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_fd_ >= 0) close(out_fd_);
  }

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  int terminate_and_wait(std::chrono::milliseconds timeout) {
    kill(pid_, SIGTERM);
    const int code = wait_exit(pid_, timeout);
    exited_ = true;
    return code;
  }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int port_ = 0;
  bool exited_ = false;
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.path() / "data";
    log_ = dir_.path() / "server.log";
  }
  void TearDown() override {
    if (HasFailure()) {
      std::ifstream in(log_);
      std::cerr << "---- server log ----\n" << in.rdbuf() << "\n--------------------\n";
    }
  }
  void add_user(const std::string& name, const std::string& password, const std::string& role = "agent",
                const std::string& team = "NORTH") {
    CliResult r = run_cli(data_, {"user", "add", name, "--role", role, "--team", team, "--password-stdin"},
                          password + "\n", log_);
    ASSERT_EQ(r.code, 0) << r.out;
  }
  void start(std::vector<std::string> extra = {}) {
    server_ = std::make_unique<ServerProcess>(data_, log_, std::move(extra));
    ASSERT_GT(server_->port(), 0) << "the server did not print its port";
  }
  int port() const { return server_->port(); }
  std::string login(const std::string& user, const std::string& password) {
    Response r = http(port(), "POST", "/api/v1/auth/login",
                      nlohmann::json{{"username", user}, {"password", password}, {"device", "it-device"}}.dump());
    if (r.status != 200) return {};
    return r.json()["token"].get<std::string>();
  }

  TempDir dir_;
  std::filesystem::path data_;
  std::filesystem::path log_;
  std::unique_ptr<ServerProcess> server_;
};


}  // namespace rapidesk_it
