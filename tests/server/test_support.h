// Helpers for server tests: temp data dirs, a server state with a controllable clock,
// users, and sign-in.
#pragma once

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "rapidesk/server/handlers.h"
#include "rapidesk/server/password.h"
#include "rapidesk/server/server_state.h"
#include "rapidesk/server/storage.h"

namespace rapidesk::server::testing {

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("rapidesk-test-" + std::to_string(rd()) + "-" + std::to_string(rd()));
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

constexpr Instant kStart = 1'795'000'000'000;  // 2026-11-19, a fixed "now"

// A ServerState on a temp dir whose clock the test moves by hand.
struct Fixture {
  explicit Fixture(ServerConfig config = {}) {
    config.data_dir = dir.path();
    auto storage = open_sqlite_storage(dir.path());
    EXPECT_TRUE(storage.is_ok()) << storage.status().message().en;
    state = std::make_unique<ServerState>(config, std::move(*storage), &log, [this] { return now.load(); });
  }
  // The same on a store of another backend (files still go to the temp dir).
  explicit Fixture(std::unique_ptr<Storage> storage, ServerConfig config = {}) {
    config.data_dir = dir.path();
    state = std::make_unique<ServerState>(config, std::move(storage), &log, [this] { return now.load(); });
  }

  void add_user(const std::string& name, const std::string& password, Role role = Role::kAgent,
                const std::string& team = "NORTH") {
    if (!state->storage->find_team(team)) {
      ASSERT_TRUE(state->storage->add_team({team, team + " team", {}}));
    }
    auto hash = hash_password(password);
    ASSERT_TRUE(hash.is_ok());
    UserRecord u;
    u.name = name;
    u.display_name = name + " display";
    u.role = role;
    u.team = team;
    u.password_hash = *hash;
    u.created_at = now;
    ASSERT_TRUE(state->storage->add_user(u).is_ok());
  }

  HttpResponse request(std::string method, std::string target, std::string body = {},
                       std::map<std::string, std::string, std::less<>> headers = {},
                       std::string remote = "10.0.0.1") {
    HttpRequest r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    r.headers = std::move(headers);
    r.remote_address = std::move(remote);
    return serve_request(std::move(r), *state);
  }

  HttpResponse login(const std::string& user, const std::string& password, const std::string& remote = "10.0.0.1") {
    nlohmann::json body = {{"username", user}, {"password", password}, {"device", "dev-" + user}};
    return request("POST", "/api/v1/auth/login", body.dump(), {}, remote);
  }

  // Signs in and returns the token (empty on failure).
  std::string token_for(const std::string& user, const std::string& password) {
    HttpResponse r = login(user, password);
    if (r.status != 200) return {};
    return nlohmann::json::parse(r.body)["token"].get<std::string>();
  }

  HttpResponse get_with_token(const std::string& target, const std::string& token) {
    return request("GET", target, {}, {{"authorization", "Bearer " + token}});
  }

  TempDir dir;
  std::atomic<Instant> now{kStart};
  std::ostringstream log;  // the server's log lines
  std::unique_ptr<ServerState> state;
};

// For tests of running out of memory, in a child process: lowers the soft address-space
// limit to what the process maps now plus `headroom` bytes. `before` gets the limits to
// restore (the soft limit can go back up; the hard one is left alone). false on failure.
inline bool cap_address_space(std::size_t headroom, rlimit& before) {
  long pages = 0;
  if (std::FILE* file = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(file, "%ld", &pages) != 1) pages = 0;
    std::fclose(file);
  }
  if (pages == 0 || getrlimit(RLIMIT_AS, &before) != 0) return false;
  rlimit capped = before;
  capped.rlim_cur = static_cast<rlim_t>(pages) * static_cast<rlim_t>(sysconf(_SC_PAGESIZE)) + headroom;
  return setrlimit(RLIMIT_AS, &capped) == 0;
}

inline nlohmann::json body_of(const HttpResponse& r) { return nlohmann::json::parse(r.body); }
inline std::string error_code_of(const HttpResponse& r) {
  auto b = nlohmann::json::parse(r.body, nullptr, false);
  if (!b.is_object() || !b.contains("error")) return "<no error>";
  return b["error"]["code"].get<std::string>();
}

}  // namespace rapidesk::server::testing
