#include "rapidesk/server/access.h"

#include <algorithm>
#include <cstring>

namespace rapidesk::server {

RowKey::RowKey(std::string_view entity, std::string_view row) {
  const std::size_t size = entity.size() + 1 + row.size();
  char* out = inline_;
  if (size > sizeof inline_) {
    long_.resize(size);
    out = long_.data();
  }
  std::memcpy(out, entity.data(), entity.size());
  out[entity.size()] = '/';
  if (!row.empty()) std::memcpy(out + entity.size() + 1, row.data(), row.size());
  view_ = std::string_view(out, size);
}

namespace {

std::string read_string(const sync::ReplicaStore& store, std::string_view entity, std::string_view row,
                        std::string_view field) {
  auto v = store.read(entity, row, field);
  return v && v->value.is_string() ? v->value.as_string() : std::string();
}

bool sees_request(const sync::ReplicaStore& store, const RowCreators& creators, const AuthContext& who,
                  std::string_view request) {
  if (read_string(store, "request", request, "owner") == who.user) return true;
  const std::string team = read_string(store, "request", request, "team");
  if (!team.empty() && team == who.team) return true;
  const auto collaborators = store.read_set("request", request, "collaborators");
  if (std::find(collaborators.begin(), collaborators.end(), who.user) != collaborators.end()) return true;
  const std::string* creator = creators.creator("request", request);
  return creator && *creator == who.user;
}

}  // namespace

void RowCreators::note(std::string_view entity, std::string_view row, std::string_view author) {
  creators_.try_emplace(RowKey(entity, row), author);  // a string is made only for a new row
}

const std::string* RowCreators::creator(std::string_view entity, std::string_view row) const {
  return creators_.find(RowKey(entity, row));
}

bool sees_everything(const AuthContext& who) { return who.role == Role::kCoordinator || who.role == Role::kAdmin; }

std::string owning_request(const sync::ReplicaStore& store, std::string_view entity, std::string_view row) {
  if (entity == "request") return std::string(row);
  if (entity == "conflict") {
    auto c = store.conflict(row);
    if (!c) return {};
    return owning_request(store, c->entity, c->row);
  }
  if (entity == "subtask" || entity == "activity" || entity == "attachment") {
    return read_string(store, entity, row, "request_id");
  }
  return {};
}

bool may_see(const sync::ReplicaStore& store, const RowCreators& creators, const AuthContext& who,
             std::string_view entity, std::string_view row) {
  if (sees_everything(who)) return true;
  if (entity == "customer" || entity == "knowledge") return true;
  if (entity == "subtask" && read_string(store, entity, row, "owner") == who.user) return true;
  if (entity != "request") {
    const std::string* creator = creators.creator(entity, row);
    if (creator && *creator == who.user) return true;
  }
  const std::string request = owning_request(store, entity, row);
  return !request.empty() && sees_request(store, creators, who, request);
}

}  // namespace rapidesk::server
