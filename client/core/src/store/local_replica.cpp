// LocalReplica: opening a profile, its identity and meta values, loading the replica.
// Edits are in replica_edits.cpp, the sync plumbing in replica_sync.cpp.
#include "rapidesk/client/local_replica.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <utility>

#include "rapidesk/client/search_text.h"
#include "rapidesk/sqlite/migrations.h"
#include "store/profile_schema.h"
#include "store/replica_codec.h"
#include "store/view_writer.h"

namespace rapidesk::client {

namespace {

std::string hex16(std::uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) s[static_cast<std::size_t>(i)] = kDigits[v & 15];
  return s;
}

std::uint64_t fingerprint(std::string_view text) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a: stable across builds, unlike std::hash
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return h;
}

// Two programs writing one profile (the desktop app and rapidesk-cli) would each count op
// ids from the same place, and the server takes a reused id for a replay: the second edit
// would be dropped without a word. Whoever opens it first holds it; the lock goes with the
// process, also when it is killed. Returns the locked descriptor.
Result<int> lock_profile(const std::filesystem::path& file) {
  // Named after the real file: a second path to it (a link) must find the same lock.
  std::error_code ec;
  const std::filesystem::path real = std::filesystem::weakly_canonical(file, ec);
  const std::string lock_file = (ec ? file : real).string() + ".lock";
  int fd = ::open(lock_file.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) fd = ::open(lock_file.c_str(), O_RDONLY | O_CLOEXEC);  // left by another account: flock needs no write
  if (fd < 0) {
    return Status::io(format_text(Text{"cannot create the profile lock {}: {}", "无法创建配置文件锁 {}：{}"},
                                  {same_text(lock_file), same_text(std::strerror(errno))}));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(fd);
    if (error != EWOULDBLOCK) {
      return Status::io(format_text(Text{"cannot lock the profile {}: {}", "无法锁定配置文件 {}：{}"},
                                    {same_text(lock_file), same_text(std::strerror(error))}));
    }
    return Status(ErrorCode::kConflict,
                  format_text(Text{"The profile {} is open in another Rapidesk program (the desktop app or "
                                   "rapidesk-cli); close it there first.",
                                   "配置文件 {} 已在另一个 Rapidesk 程序（桌面应用或 rapidesk-cli）中打开，请先在那里关闭。"},
                              {same_text(file.string())}));
  }
  return fd;
}

}  // namespace

Result<std::unique_ptr<LocalReplica>> LocalReplica::open(const std::filesystem::path& file,
                                                         LocalReplicaOptions options) {
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  if (!std::filesystem::exists(file)) {
    // The profile holds the sign-in token: readable by its owner only.
    const int fd = ::open(file.c_str(), O_CREAT | O_WRONLY, 0600);
    if (fd < 0) {
      return Status::io(format_text(Text{"cannot create the local database {}", "无法创建本地数据库 {}"},
                                    {same_text(file.string())}));
    }
    ::close(fd);
  }
  // Only a replica that can edit and sync counts ops; queries (load_state false) read
  // alongside it, as a second program's list or search does while the app is open.
  struct Unlock {
    int fd = -1;
    ~Unlock() {
      if (fd >= 0) ::close(fd);
    }
  } lock;  // until the replica holds it
  if (options.load_state) {
    auto locked = lock_profile(file);
    if (!locked) return locked.status();
    lock.fd = *locked;
  }
  auto db = sqlite::Database::open(file);
  if (!db) return db.status();
  if (Status s = register_search_tokenizer((*db)->handle()); !s) return s;
  // A pulled batch touches thousands of requests: their view rows, seven list indexes and the
  // search index. With SQLite's default 2 MiB cache the transaction spills pages mid-way
  // and reads them back; 64 MiB holds a batch. Checkpoints every 32 MiB of WAL rather than
  // 4 MiB copy a page rewritten by consecutive batches into the file once, not each time.
  if (Status s = (*db)->exec("PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 8192", "sizing the cache"); !s) return s;
  if (auto v = sqlite::migrate(**db, store::profile_migrations(), "rapidesk client"); !v) return v.status();
  if (!options.clock) options.clock = sync::system_physical_clock();
  if (!options.random) {
    auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
    options.random = [engine] { return (*engine)(); };
  }
  std::unique_ptr<LocalReplica> r(new LocalReplica(file, std::move(*db), std::move(options)));
  r->writer_lock_ = std::exchange(lock.fd, -1);
  if (Status s = r->load_identity(); !s) return s;
  // Views of another layout, or left unfinished by an initial sync that stopped midway
  // (views_layout is then empty), are derived again: by a query only while it can take the
  // profile's lock, since a writer still syncing derives them itself when it catches up,
  // and a query's older views committed after those would stand as current.
  bool views_stale = r->meta("views_layout") != views_layout();
  if (views_stale && r->writer_lock_ < 0) {
    auto locked = lock_profile(file);
    if (locked) r->writer_lock_ = *locked;
    else views_stale = false;  // read as they are; the writer derives them
  }
  if (views_stale || r->options_.load_state) {
    if (Status s = r->load_state(); !s) return s;
  }
  r->views_ = std::make_unique<store::ViewWriter>(*r->db_);
  if (views_stale) {
    r->views_deferred_ = true;
    if (Status s = r->rebuild_deferred_views(); !s) return s;
  }
  if (!r->options_.load_state) r->replica_.reset();
  return r;
}

const std::string& LocalReplica::views_layout() {
  static const std::string layout = std::to_string(fingerprint(store::view_tables_ddl()));
  return layout;
}

Status LocalReplica::rebuild_deferred_views() {
  if (!views_deferred_) return Status::ok();
  sqlite::Transaction tx(*db_);
  if (!tx.status()) return tx.status();
  if (Status s = views_->rebuild_all(replica_->visible()); !s) return s;
  if (Status s = set_meta("views_layout", views_layout()); !s) return s;
  if (Status s = tx.commit(); !s) return s;
  views_deferred_ = false;
  return Status::ok();
}

Status LocalReplica::settle_views() {
  std::lock_guard lock(mutex_);
  if (!replica_) return Status::ok();
  return rebuild_deferred_views();
}

LocalReplica::LocalReplica(std::filesystem::path file, std::unique_ptr<sqlite::Database> db,
                           LocalReplicaOptions options)
    : file_(std::move(file)), db_(std::move(db)), options_(std::move(options)) {}

LocalReplica::~LocalReplica() {
  // The profile is let go only once this process has closed it (its statements first).
  views_.reset();
  db_.reset();
  if (writer_lock_ >= 0) ::close(writer_lock_);
}

Result<std::string> LocalReplica::read_meta(std::string_view key) const {
  auto stmt = db_->cached("SELECT value FROM meta WHERE key = ?1");
  if (!stmt) return stmt.status();
  (*stmt)->bind(1, key);
  auto row = (*stmt)->step();
  std::string value = row && *row ? (*stmt)->text(0) : std::string();
  (*stmt)->reset();
  if (!row) return row.status();
  return value;
}

std::string LocalReplica::meta(std::string_view key) const {
  auto value = read_meta(key);
  return value ? std::move(*value) : std::string();
}

Status LocalReplica::set_meta(std::string_view key, std::string_view value) {
  auto stmt = db_->cached("INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2");
  if (!stmt) return stmt.status();
  return (*stmt)->bind(1, key).bind(2, value).run();
}

Status LocalReplica::load_identity() {
  // A read that failed is not a missing value: a new device id would disown every queued op
  // (the server refuses stamps of another device), a new op counter would reuse op ids.
  auto device = read_meta("device");
  if (!device) return device.status();
  identity_.device = std::move(*device);
  if (identity_.device.empty()) {
    identity_.device = "d-" + hex16(options_.random());
    if (Status s = set_meta("device", identity_.device); !s) return s;
  }
  // Read as the rest of the identity, but a failed read must not leave the profile looking
  // unowned: set_sign_in would then let another person take over someone's queued edits.
  auto user = read_meta("user");
  if (!user) return user.status();
  identity_.user = std::move(*user);
  identity_.display_name = meta("display_name");
  identity_.role = meta("role");
  identity_.team = meta("team");
  identity_.server_url = meta("server_url");
  identity_.token = meta("token");
  identity_.token_expires_at = meta("token_expires_at");
  return Status::ok();
}

Status LocalReplica::load_state() {
  sync::ClientOptions co;
  co.device = identity_.device;
  co.user = identity_.user;
  auto next = read_meta("next_op_sequence");
  if (!next) return next.status();
  co.next_op_sequence = next->empty() ? 1 : std::stoull(*next);
  auto replica = std::make_unique<sync::ClientReplica>(co, options_.clock, options_.random);
  // The pulled log is read and applied about kChunk entries at a time: holding all of it as
  // text and then as decoded entries would take gigabytes at 100k requests.
  constexpr std::size_t kChunk = 5000;
  std::vector<std::string> stored;
  std::size_t chunk_entries = 0;
  std::size_t applied = 0;  // records
  {
    auto count = db_->prepare("SELECT COALESCE(SUM(entries), 0) FROM pulled");
    if (!count) return count.status();
    auto row = count->step();
    if (!row) return row.status();
    replica->reserve_confirmed(static_cast<std::size_t>(count->integer(0)));
  }
  auto pulled = db_->prepare("SELECT entry, entries FROM pulled ORDER BY pos");
  if (!pulled) return pulled.status();
  for (bool done = false; !done;) {
    auto row = pulled->step();
    if (!row) return row.status();
    done = !*row;
    if (!done) {
      stored.push_back(pulled->text(0));
      chunk_entries += static_cast<std::size_t>(std::max<std::int64_t>(pulled->integer(1), 1));
    }
    if (chunk_entries >= kChunk || (done && !stored.empty())) {
      auto confirmed = store::decode_stored(stored, applied);
      if (!confirmed) return confirmed.status();
      replica->restore_confirmed(*confirmed);
      applied += stored.size();
      stored.clear();
      chunk_entries = 0;
    }
  }
  std::vector<bool> acked;
  std::vector<std::uint64_t> ack_cursor;
  auto outbox = db_->prepare("SELECT op, acked, ack_cursor FROM outbox ORDER BY pos");
  if (!outbox) return outbox.status();
  for (;;) {
    auto row = outbox->step();
    if (!row) return row.status();
    if (!*row) break;
    stored.push_back(outbox->text(0));
    acked.push_back(outbox->integer(1) != 0);
    ack_cursor.push_back(static_cast<std::uint64_t>(outbox->integer(2)));
  }
  auto queued = store::decode_stored(stored);
  if (!queued) return queued.status();
  std::vector<sync::PendingOp> pending;
  pending.reserve(queued->size());
  for (std::size_t i = 0; i < queued->size(); ++i) {
    pending.push_back(sync::PendingOp{std::move((*queued)[i].op), acked[i], ack_cursor[i]});
  }
  std::optional<sync::Stamp> last;
  auto stamp = read_meta("last_stamp");
  if (!stamp) return stamp.status();
  if (!stamp->empty()) {
    if (auto parsed = sync::parse_stamp(*stamp)) last = *parsed;
  }
  auto cursor = read_meta("cursor");
  if (!cursor) return cursor.status();
  replica->restore({}, cursor->empty() ? 0 : std::stoull(*cursor), pending, last);
  // A clock found ahead of the server's (restamp_clock_drift): stamps keep following the
  // server's time, and a restored stamp from the wrong clock does not hold them ahead.
  auto correction = read_meta("clock_correction_ms");
  if (!correction) return correction.status();
  if (!correction->empty()) {
    std::int64_t ahead = std::stoll(*correction);
    // The date was fixed since (the corrected time would fall behind what the server has
    // accepted, which other devices may stamp up to the allowed drift ahead): it is over.
    const std::int64_t accepted_floor = replica->accepted().physical_ms - replica->clock().max_drift_ms();
    if (options_.clock() - ahead < accepted_floor - kClockToleranceMs) ahead = 0;
    replica->correct_clock(ahead);
  }
  replica_ = std::move(replica);
  return Status::ok();
}

ProfileIdentity LocalReplica::identity() const {
  std::lock_guard lock(mutex_);
  return identity_;
}

Status LocalReplica::set_sign_in(const ProfileIdentity& who) {
  std::lock_guard lock(mutex_);
  if (!identity_.user.empty() && identity_.user != who.user) {
    return Status::conflict(format_text(
        Text{"This profile belongs to {}; use another profile (--db) for {}.", "此配置属于 {}；请为 {} 使用另一个配置（--db）。"},
        {same_text(identity_.user), same_text(who.user)}));
  }
  sqlite::Transaction tx(*db_);
  if (!tx.status()) return tx.status();
  for (auto [key, value] : {std::pair<std::string_view, const std::string*>{"user", &who.user},
                            {"display_name", &who.display_name},
                            {"role", &who.role},
                            {"team", &who.team},
                            {"server_url", &who.server_url},
                            {"token", &who.token},
                            {"token_expires_at", &who.token_expires_at}}) {
    if (Status s = set_meta(key, *value); !s) return s;
  }
  if (Status s = tx.commit(); !s) return s;
  const bool first = identity_.user.empty();
  const std::string device = identity_.device;
  identity_ = who;
  identity_.device = device;
  // The replica stamps edits with the user's name: reload it once the name is known.
  if (first && replica_) return load_state();
  return Status::ok();
}

Status LocalReplica::set_server_url(std::string_view url) {
  std::lock_guard lock(mutex_);
  if (Status s = set_meta("server_url", url); !s) return s;
  identity_.server_url = std::string(url);
  return Status::ok();
}

std::string LocalReplica::server_log() const {
  std::lock_guard lock(mutex_);
  return meta("server_log");
}

Status LocalReplica::set_server_log(std::string_view log_id) {
  std::lock_guard lock(mutex_);
  return set_meta("server_log", log_id);
}

Status LocalReplica::forget_token() {
  std::lock_guard lock(mutex_);
  if (Status s = set_meta("token", ""); !s) return s;
  identity_.token.clear();
  return Status::ok();
}

Status LocalReplica::go_back_to_file(Status failed) {
  if (Status reload = load_state(); !reload) {
    replica_.reset();
    lost_ = Status(reload.code(),
                   format_text(Text{"A change could not be applied ({}) and the local copy could not be read back ({}). "
                                    "Close Rapidesk and open it again; what was saved before is kept.",
                                    "有一项更改未能应用（{}），本地副本也无法重新读取（{}）。请关闭 Rapidesk 后重新打开；"
                                    "之前已保存的内容都在。"},
                               {failed.message(), reload.message()}));
    return *lost_;
  }
  return failed;
}

Status LocalReplica::require_user() const {
  if (lost_) return *lost_;
  if (!replica_) {
    return Status(ErrorCode::kInternal, Text{"The local copy was opened for reading only.", "本地副本以只读方式打开。"});
  }
  if (identity_.user.empty()) {
    return Status(ErrorCode::kUnauthorized, Text{"Sign in first (rapidesk-cli login USER): edits carry your name.",
                                     "请先登录（rapidesk-cli login 用户名）：每次修改都记录您的名字。"});
  }
  return Status::ok();
}

Status LocalReplica::save_draft(std::string_view name, std::string_view body) {
  std::lock_guard lock(mutex_);
  auto stmt = db_->prepare(
      "INSERT INTO drafts (name, body, saved_at) VALUES (?1, ?2, ?3)"
      " ON CONFLICT(name) DO UPDATE SET body = ?2, saved_at = ?3");
  if (!stmt) return stmt.status();
  return stmt->bind(1, name).bind(2, body).bind(3, options_.clock()).run();
}

std::optional<std::string> LocalReplica::load_draft(std::string_view name) const {
  std::lock_guard lock(mutex_);
  auto stmt = db_->prepare("SELECT body FROM drafts WHERE name = ?1");
  if (!stmt) return std::nullopt;
  stmt->bind(1, name);
  auto row = stmt->step();
  if (!row || !*row) return std::nullopt;
  return stmt->text(0);
}

Status LocalReplica::clear_draft(std::string_view name) {
  std::lock_guard lock(mutex_);
  auto stmt = db_->prepare("DELETE FROM drafts WHERE name = ?1");
  if (!stmt) return stmt.status();
  return stmt->bind(1, name).run();
}

Status LocalReplica::rebuild_views() {
  std::lock_guard lock(mutex_);
  if (!replica_) return require_user();
  sqlite::Transaction tx(*db_);
  if (!tx.status()) return tx.status();
  if (Status s = views_->rebuild_all(replica_->visible()); !s) return s;
  return tx.commit();
}

}  // namespace rapidesk::client
