// A real ServerState (SQLite in a temp dir, the real sync and SLA services) whose clock the
// test moves by hand, plus devices (ClientReplica) that work at their own device times.
// Pushes go through SyncService::push exactly as the HTTP handler calls it.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "rapidesk/server/handlers.h"
#include "rapidesk/server/password.h"
#include "rapidesk/server/server_state.h"
#include "rapidesk/sync/client_replica.h"
#include "test_support.h"

namespace rapidesk::server::testing {

inline Instant at(const std::string& iso) {
  auto t = parse_iso8601(iso);
  EXPECT_TRUE(t.is_ok()) << iso;
  return t ? *t : 0;
}

inline std::string iso(Instant t) { return format_iso8601(t, 480); }

// A device of one user; its clock is set by the test (offline work happens at device time).
struct Device {
  Device(std::string id, std::string user_in)
      : user(std::move(user_in)),
        replica(sync::ClientOptions{std::move(id), user, 1}, [this] { return clock; },
                [rng = std::make_shared<std::mt19937_64>(std::random_device{}())] { return (*rng)(); }) {}
  std::string user;
  Instant clock = 0;
  sync::ClientReplica replica;
};

class SlaHarness {
 public:
  explicit SlaHarness(Instant start, ServerConfig config = {}) : config_(std::move(config)) {
    now_ = start;
    auto hash = hash_password(kPassword);
    EXPECT_TRUE(hash.is_ok());
    hash_ = hash ? *hash : std::string();
    open();
  }

  static constexpr const char* kPassword = "pw-sla-test-1";

  // Builds a ServerState over the data dir and starts sync and SLA (no scheduler thread:
  // tests fire by hand).
  void open() {
    config_.data_dir = dir_.path();
    auto storage = open_sqlite_storage(dir_.path());
    ASSERT_TRUE(storage.is_ok()) << storage.status().message().en;
    state_ = std::make_unique<ServerState>(config_, std::move(*storage), nullptr, [this] { return now_.load(); });
    Status s = state_->start_sync();
    ASSERT_TRUE(s.is_ok()) << s.message().en;
  }
  // A restart: the state goes, a new one is built over the same data dir.
  void reopen() {
    state_.reset();
    open();
  }
  ServerState& state() { return *state_; }
  void set_now(Instant t) { now_ = t; }
  Instant now() const { return now_; }

  void add_team(const std::string& code, const std::string& lead = {}) {
    ASSERT_TRUE(state_->storage->add_team({code, code + " team", std::nullopt}).is_ok());
    if (!lead.empty()) pending_leads_[code] = lead;
  }
  void add_user(const std::string& name, Role role, const std::string& team, std::vector<std::string> skills = {},
                const std::string& display = {}) {
    UserRecord u;
    u.name = name;
    u.display_name = display.empty() ? name : display;
    u.role = role;
    u.team = team;
    u.skills = std::move(skills);
    u.password_hash = hash_;
    u.created_at = now_;
    ASSERT_TRUE(state_->storage->add_user(u).is_ok()) << name;
    auto lead = pending_leads_.find(team);
    if (lead != pending_leads_.end() && lead->second == name) {
      ASSERT_TRUE(state_->storage->update_team({team, team + " team", name}).is_ok());
    }
  }
  AuthContext who(const std::string& name) {
    auto u = state_->storage->find_user(name);
    EXPECT_TRUE(u.is_ok()) << name;
    AuthContext a;
    a.user = name;
    if (u) {
      a.role = u->role;
      a.team = u->team;
    }
    a.device = "dev-" + name;
    return a;
  }

  // Pushes every unsent op of the device; returns the server's answer.
  sync::PushResult push(Device& d) {
    auto ops = d.replica.next_push();
    auto r = state_->sync->push(who(d.user), ops);
    EXPECT_TRUE(r.is_ok()) << (r ? "" : r.status().message().en);
    if (!r) return {};
    d.replica.on_push_result(*r);
    return *r;
  }

  // A new request as the device records it (status new); `fields` override the defaults.
  std::string new_request(Device& d, Instant contacted, std::map<std::string, std::string> fields = {}) {
    std::map<std::string, std::string> all = {{"customer", "华东物流"},
                                              {"title", "扫码枪离线"},
                                              {"category", "consultation"},
                                              {"priority", "medium"},
                                              {"channel", "phone"},
                                              {"description", "扫码枪无法连接系统"},
                                              {"status", "new"},
                                              {"contacted_at", iso(contacted)}};
    for (auto& [k, v] : fields) all[k] = v;
    std::vector<sync::FieldEdit> edits;
    std::vector<std::string> tags;
    for (auto& [k, v] : all) {
      if (k == "tags") {
        tags.push_back(v);
        continue;
      }
      edits.push_back({k, sync::Value::string(v)});
    }
    const std::string row = d.replica.new_row_id();
    auto ops = d.replica.edit("request", row, edits);
    EXPECT_TRUE(ops.is_ok()) << (ops ? "" : ops.status().message().en);
    for (const auto& t : tags) EXPECT_TRUE(d.replica.add_element("request", row, "tags", t).is_ok());
    return row;
  }

  void set(Device& d, const std::string& row, const std::string& field, sync::Value value) {
    auto ops = d.replica.set_field("request", row, field, std::move(value));
    EXPECT_TRUE(ops.is_ok()) << field << ": " << (ops ? "" : ops.status().message().en);
  }

  // A due time re-agreed with the customer: the field group written as one edit.
  void reagree(Device& d, const std::string& row, const std::string& due, const std::string& reason) {
    std::vector<sync::FieldEdit> edits = {{"agreed_due", sync::Value::string(due)},
                                          {"agreed_reason", sync::Value::string(reason)}};
    auto ops = d.replica.edit("request", row, edits);
    EXPECT_TRUE(ops.is_ok()) << (ops ? "" : ops.status().message().en);
  }

  void add_activity(Device& d, const std::string& request, const std::string& kind, Instant when,
                    const std::string& text = "进展") {
    const std::string row = d.replica.new_row_id();
    std::vector<sync::FieldEdit> edits = {{"request_id", sync::Value::string(request)},
                                          {"kind", sync::Value::string(kind)},
                                          {"author", sync::Value::string(d.user)},
                                          {"at", sync::Value::string(iso(when))},
                                          {"text", sync::Value::string(text)}};
    auto ops = d.replica.edit("activity", row, edits);
    EXPECT_TRUE(ops.is_ok()) << (ops ? "" : ops.status().message().en);
  }

  // The request as the read API shows it to a coordinator.
  RequestFields fields(const std::string& id) {
    auto f = state_->sync->get_request(coordinator(), id);
    EXPECT_TRUE(f.has_value()) << id;
    return f ? *f : RequestFields{};
  }

  // Texts of the request's SLA activity entries, oldest first.
  std::vector<std::string> sla_entries(const std::string& request) {
    PullPage page = state_->sync->pull(coordinator(), 0, 1'000'000);
    std::map<std::string, std::map<std::string, std::string>> rows;
    std::vector<std::string> order;
    for (const auto& e : page.entries) {
      if (e.op.entity != "activity") continue;
      auto& row = rows[e.op.row];
      if (row.empty()) order.push_back(e.op.row);
      row[e.op.field] = e.op.value.is_string() ? e.op.value.as_string() : e.op.value.canonical();
    }
    std::vector<std::string> out;
    for (const auto& id : order) {
      auto& row = rows[id];
      if (row["kind"] == "sla" && row["request_id"] == request) out.push_back(row["text"]);
    }
    return out;
  }

  // SLA entries containing `needle`.
  size_t count_entries(const std::string& request, const std::string& needle) {
    size_t n = 0;
    for (const auto& t : sla_entries(request)) n += t.find(needle) != std::string::npos;
    return n;
  }

  // Restarts at the same instant: rebuilt from the log, the clocks must say what the running
  // server said, so nothing is written and nothing fires.
  void expect_quiet_restart() {
    auto fired = state_->sla->fire_due();
    ASSERT_TRUE(fired.is_ok());
    const std::uint64_t before = state_->sync->durable_cursor();
    reopen();
    EXPECT_EQ(state_->sync->durable_cursor(), before) << "the restart rewrote SLA fields";
    auto again = state_->sla->fire_due();
    ASSERT_TRUE(again.is_ok());
    EXPECT_EQ(*again, 0u) << "an event fired twice across the restart";
  }

  // Moves the clock to `t` and fires what is due; returns how many events fired.
  size_t fire_at(Instant t) {
    now_ = t;
    auto r = state_->sla->fire_due();
    EXPECT_TRUE(r.is_ok()) << (r ? "" : r.status().message().en);
    return r ? *r : 0;
  }

  HttpResponse request(const std::string& method, const std::string& target, const std::string& body,
                       const std::string& token) {
    HttpRequest r;
    r.method = method;
    r.target = target;
    r.body = body;
    if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
    r.remote_address = "10.0.0.9";
    return serve_request(std::move(r), *state_);
  }
  std::string token_for(const std::string& user) {
    nlohmann::json body = {{"username", user}, {"password", kPassword}, {"device", "dev-" + user}};
    HttpResponse r = request("POST", "/api/v1/auth/login", body.dump(), {});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? nlohmann::json::parse(r.body)["token"].get<std::string>() : std::string();
  }

  const std::filesystem::path& data_dir() const { return dir_.path(); }

 private:
  AuthContext coordinator() {
    AuthContext a;
    a.user = "audit";
    a.role = Role::kCoordinator;
    return a;
  }

  TempDir dir_;
  ServerConfig config_;
  std::string hash_;
  std::atomic<Instant> now_{0};
  std::map<std::string, std::string> pending_leads_;
  std::unique_ptr<ServerState> state_;
};

}  // namespace rapidesk::server::testing
