#include "profiles.h"

#include "rapidesk/client/replica_reader.h"
#include "rapidesk/client/server_api.h"
#include "rapidesk/client/sync_worker.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <unordered_map>

namespace rapidesk::demo {

Result<std::unique_ptr<client::LocalReplica>> open_signed_in(const std::filesystem::path& file,
                                                             const client::ServerAddress& server, const DemoUser& user,
                                                             const std::string& password,
                                                             client::LocalReplicaOptions options) {
  auto replica = client::LocalReplica::open(file, std::move(options));
  if (!replica) return replica.status();
  if (Status s = (*replica)->set_server_url(server.url()); !s) return s;
  client::ProfileIdentity who = (*replica)->identity();
  client::ServerApi api(server);
  auto login = api.login(user.name, password, who.device);
  if (!login) {
    if (login.status().code() != ErrorCode::kUnauthorized) return login.status();
    return Status(ErrorCode::kUnauthorized,
                  format_text(Text{"The server refused {} with the demo password; load the demo users first: "
                                   "rapidesk-server --data DIR demo load assets/demo/demo.json",
                                   "服务器拒绝了 {} 的演示密码；请先导入演示用户：rapidesk-server --data 目录 demo load "
                                   "assets/demo/demo.json"},
                              {same_text(user.name)}));
  }
  if (login->user.role != user.role) {
    return Status::conflict(format_text(Text{"On this server {} is {}, not {} as in the demo data; use a server with "
                                             "the demo users as loaded by `demo load`.",
                                             "在此服务器上 {} 的角色是 {}，而不是演示数据中的 {}；请使用通过 `demo load` "
                                             "导入演示用户的服务器。"},
                                        {same_text(user.name), same_text(login->user.role), same_text(user.role)}));
  }
  who = client::identity_after_login(std::move(who), *login);
  if (Status s = (*replica)->set_sign_in(who); !s) return s;
  return replica;
}

Result<SyncReport> sync_profile(client::LocalReplica& replica, Language language) {
  auto reader = client::ReplicaReader::open(replica.file());
  if (!reader) return reader.status();
  auto before = (*reader)->rejections();
  if (!before) return before.status();

  SyncReport report;
  report.sent = replica.sync_state().unsent_ops;
  client::SyncWorkerOptions options;
  options.live_stream = false;
  client::SyncWorker worker(replica, options);
  if (Status s = worker.sync_once(); !s) return s;

  auto after = (*reader)->rejections();
  if (!after) return after.status();
  // Newest first: the ones this round added lead the list.
  report.rejected = after->size() - std::min(after->size(), before->size());
  for (std::size_t i = 0; i < report.rejected && report.reasons.size() < 5; ++i) {
    const auto& r = (*after)[i];
    auto text = [&](const char* key) { return r.contains(key) && r[key].is_string() ? r[key].get<std::string>() : std::string(); };
    report.reasons.push_back(text("entity") + "." + text("field") + ": " +
                             text(language == Language::kChinese ? "message_zh" : "message"));
  }
  auto conflicts = (*reader)->conflicts("", true);
  if (!conflicts) return conflicts.status();
  report.conflicts = conflicts->size();
  return report;
}

namespace {

// One request's queued ops (or the customer rows'), oldest first, in one profile.
struct History {
  std::size_t profile = 0;
  std::int64_t first_ms = 0;
  std::vector<sync::FieldOp> ops;
};

// The profile's unsent ops grouped by the request they belong to, in queue order.
std::vector<History> histories_of(client::LocalReplica& replica, std::size_t profile) {
  const std::vector<sync::FieldOp> ops = replica.next_push(std::numeric_limits<std::size_t>::max());
  std::unordered_map<std::string, std::string> request_of;  // child row → its request
  for (const sync::FieldOp& op : ops) {
    if (op.field == "request_id" && op.value.is_string()) request_of[op.row] = op.value.as_string();
  }
  std::vector<History> out;
  std::unordered_map<std::string, std::size_t> index;
  for (const sync::FieldOp& op : ops) {
    std::string key = op.entity == "request" ? op.row : op.entity;  // customers and the like: one group
    if (auto it = request_of.find(op.row); it != request_of.end()) key = it->second;
    auto [at, added] = index.try_emplace(key, out.size());
    if (added) out.push_back(History{profile, op.hlc.physical_ms, {}});
    out[at->second].ops.push_back(op);
  }
  return out;
}

}  // namespace

Result<UploadReport> upload_by_request(const std::vector<client::LocalReplica*>& profiles, Language language,
                                       const std::function<void(std::size_t, std::size_t)>& progress) {
  constexpr std::size_t kMaxOpsPerPush = 1000;  // sync::CodecLimits::max_ops
  UploadReport report;
  std::vector<History> all;
  std::vector<std::unique_ptr<client::ServerApi>> apis;
  for (std::size_t p = 0; p < profiles.size(); ++p) {
    const client::ProfileIdentity who = profiles[p]->identity();
    auto address = client::ServerAddress::parse(who.server_url);
    if (!address) return address.status();
    apis.push_back(std::make_unique<client::ServerApi>(*address));
    apis.back()->set_token(who.token);
    for (History& h : histories_of(*profiles[p], p)) all.push_back(std::move(h));
  }
  std::stable_sort(all.begin(), all.end(), [](const History& a, const History& b) { return a.first_ms < b.first_ms; });
  const auto requests = static_cast<std::size_t>(
      std::count_if(all.begin(), all.end(), [](const History& h) { return h.ops.front().entity != "customer"; }));

  for (std::size_t i = 0; i < all.size();) {
    // Whole histories of one profile, as many as fit in a push.
    const std::size_t profile = all[i].profile;
    std::vector<sync::FieldOp> batch;
    std::size_t histories = 0;
    while (i < all.size() && all[i].profile == profile &&
           (batch.empty() || batch.size() + all[i].ops.size() <= kMaxOpsPerPush)) {
      batch.insert(batch.end(), all[i].ops.begin(), all[i].ops.end());
      if (all[i].ops.front().entity != "customer") ++histories;
      ++i;
    }
    client::LocalReplica& replica = *profiles[profile];
    auto result = apis[profile]->push(replica.identity().device, batch);
    if (!result) return result.status();
    if (Status s = replica.on_push_result(*result); !s) return s;
    ++report.pushes;
    report.ops += batch.size();
    report.requests += histories;
    for (const sync::OpResult& r : result->results) {
      if (r.outcome == sync::Outcome::kAppliedWithConflict || r.outcome == sync::Outcome::kConflictRecorded) {
        ++report.conflicts;
      }
      if (sync::is_acknowledged(r.outcome)) continue;
      ++report.rejected;
      if (report.reasons.size() < 10) {
        std::string what = r.op;
        for (const sync::FieldOp& op : batch) {
          if (op.op == r.op) what = op.entity + "." + op.field;
        }
        report.reasons.push_back(replica.identity().user + ": " + what + ": " + r.status.message().in(language));
      }
    }
    if (progress) progress(report.requests, requests);
  }
  return report;
}

}  // namespace rapidesk::demo
