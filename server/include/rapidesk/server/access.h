// Per-record authorisation for sync and the read API. Field staff and agents see and edit
// the requests they own, created, collaborate on, or that belong to their team (and those
// requests' subtasks, activity entries, attachments and conflicts); coordinators and admins
// see everything. Customers and the knowledge base are shared by everyone.
#pragma once

#include <string>
#include <string_view>

#include "rapidesk/server/auth.h"
#include "rapidesk/shared/string_map.h"
#include "rapidesk/sync/replica_store.h"

namespace rapidesk::server {

// "entity/row": the key of a row in the server's side indexes. Built in place for the usual
// ids (UUIDs), so that looking a row up, once or more per merged entry under the merge
// lock, allocates nothing. Refers to itself: neither copied nor moved; use it while it lives.
class RowKey {
 public:
  RowKey(std::string_view entity, std::string_view row);
  RowKey(const RowKey&) = delete;
  RowKey& operator=(const RowKey&) = delete;
  operator std::string_view() const { return view_; }

 private:
  char inline_[80];
  std::string long_;  // for keys longer than inline_
  std::string_view view_;
};

// Who created each row (author of its first accepted op), kept beside the merged store.
// Not thread-safe: guarded by the sync service's merge lock.
class RowCreators {
 public:
  void note(std::string_view entity, std::string_view row, std::string_view author);
  const std::string* creator(std::string_view entity, std::string_view row) const;

 private:
  StringMap<std::string> creators_;  // "entity/row" -> user
};

bool sees_everything(const AuthContext& who);

// May `who` see the row? Rows not (yet) in the store are not visible.
bool may_see(const sync::ReplicaStore& store, const RowCreators& creators, const AuthContext& who,
             std::string_view entity, std::string_view row);

// The request a row belongs to ("request" rows: themselves; children: their request_id;
// conflicts: the row they are about). Empty when it belongs to none (customer, knowledge).
std::string owning_request(const sync::ReplicaStore& store, std::string_view entity, std::string_view row);

}  // namespace rapidesk::server
