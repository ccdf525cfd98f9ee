#include "rapidesk/server/stream_slots.h"

#include <utility>

namespace rapidesk::server {

StreamSlots::Slot::Slot(StreamSlots* owner, std::string user) : owner_(owner), user_(std::move(user)) {}

StreamSlots::Slot::Slot(Slot&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), user_(std::move(other.user_)) {}

StreamSlots::Slot& StreamSlots::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = std::exchange(other.owner_, nullptr);
    user_ = std::move(other.user_);
  }
  return *this;
}

StreamSlots::Slot::~Slot() { release(); }

void StreamSlots::Slot::release() {
  if (owner_ != nullptr) std::exchange(owner_, nullptr)->give_back(user_);
}

StreamSlots::StreamSlots(int per_user) : per_user_(per_user) {}

std::optional<StreamSlots::Slot> StreamSlots::take(const std::string& user) {
  std::lock_guard lock(mutex_);
  int& held = held_[user];
  if (per_user_ > 0 && held >= per_user_) return std::nullopt;
  ++held;
  return Slot(this, user);
}

std::size_t StreamSlots::held_by(const std::string& user) const {
  std::lock_guard lock(mutex_);
  const auto it = held_.find(user);
  return it == held_.end() ? 0 : static_cast<std::size_t>(it->second);
}

void StreamSlots::give_back(const std::string& user) {
  std::lock_guard lock(mutex_);
  const auto it = held_.find(user);
  if (it != held_.end() && --it->second <= 0) held_.erase(it);
}

}  // namespace rapidesk::server
