// The demo users' profiles: signing in (as `rapidesk-cli login` does, so the desktop client
// opens a profile already signed in) and syncing with a check that the server took
// everything.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "demo_data.h"
#include "rapidesk/client/local_replica.h"
#include "rapidesk/client/server_address.h"

namespace rapidesk::demo {

// Opens (creating) the profile at `file`, signs `user` in with `password` and stores the
// server, the token and who the user is. kConflict when the server gives the user another
// role than the demo data does (the plan's edits rely on each role's rights); kUnauthorized
// with a hint to load the demo users when the password is refused.
Result<std::unique_ptr<client::LocalReplica>> open_signed_in(const std::filesystem::path& file,
                                                             const client::ServerAddress& server, const DemoUser& user,
                                                             const std::string& password,
                                                             client::LocalReplicaOptions options = {});

// What one sync round did to a profile.
struct SyncReport {
  std::size_t sent = 0;       // ops that were waiting to be sent
  std::size_t rejected = 0;   // ops the server refused in this round
  std::size_t conflicts = 0;  // open conflict records in the profile afterwards
  std::vector<std::string> reasons;  // the first refusals: "entity.field: message"
};

// One SyncWorker::sync_once round (push, then pull until caught up). `language` is that of
// the refusal reasons.
Result<SyncReport> sync_profile(client::LocalReplica& replica, Language language);

// What upload_by_request did.
struct UploadReport {
  std::size_t requests = 0;   // request histories sent
  std::size_t pushes = 0;
  std::size_t ops = 0;
  std::size_t rejected = 0;   // ops refused
  std::size_t conflicts = 0;  // ops that lost to, or overwrote, a concurrent edit
  std::vector<std::string> reasons;  // the first refusals: "user: entity.field: message"
};

// Sends the queued edits of every profile so that each request's whole history arrives in
// one push, requests in the order they were first recorded (across the profiles), several
// whole requests of one profile per push. The server runs its SLA clocks after every push:
// a history weeks long split over two pushes would show it, in between, an open request
// far past its due times, and it would record breaches and escalations that never happened.
// The pushes are acknowledged in the profiles as SyncWorker's are; a sync round afterwards
// only pulls. Called again after an interruption, it sends what is still unsent.
// `progress(requests sent, requests in all)`.
Result<UploadReport> upload_by_request(const std::vector<client::LocalReplica*>& profiles, Language language,
                                       const std::function<void(std::size_t, std::size_t)>& progress);

}  // namespace rapidesk::demo
