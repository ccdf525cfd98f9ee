// Attachment files through the handlers: chunked upload in order, resume after a restart,
// hash and size checks, limits, authorisation by attachment rows, and file names that are
// not hashes (path traversal).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include "rapidesk/server/blob_store.h"
#include "rapidesk/server/tokens.h"
#include "rapidesk/sync/client_replica.h"
#include "rapidesk/sync/codec.h"
#include "test_support.h"

namespace rapidesk::server {
namespace {

using testing::body_of;
using testing::error_code_of;
using testing::Fixture;
using testing::kStart;

constexpr std::size_t kMiB = std::size_t{1} << 20;

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng());
  return out;
}

// hash_token() is the lower-case hex SHA-256 of its argument: what names a blob.
std::string sha256_of(std::string_view bytes) {
  return hash_token(bytes);
}

// A server with four users in three teams, signed in.
struct BlobFixture {
  explicit BlobFixture(ServerConfig config = {}) : f(std::move(config)) {
    f.add_user("north.field", "pw-north-1", Role::kField, "NORTH");
    f.add_user("north.other", "pw-north-2", Role::kField, "NORTH");
    f.add_user("south.field", "pw-south-1", Role::kField, "SOUTH");
    f.add_user("coord", "pw-coord-1", Role::kCoordinator, "HQ");
    north = f.token_for("north.field", "pw-north-1");
    north_other = f.token_for("north.other", "pw-north-2");
    south = f.token_for("south.field", "pw-south-1");
    coord = f.token_for("coord", "pw-coord-1");
  }

  HttpResponse put(const std::string& token, const std::string& sha, std::uint64_t offset, std::uint64_t size,
                   std::string bytes) {
    return f.request("PUT",
                     "/api/v1/blobs/" + sha + "?offset=" + std::to_string(offset) + "&size=" + std::to_string(size),
                     std::move(bytes), {{"authorization", "Bearer " + token}});
  }
  HttpResponse status(const std::string& token, const std::string& sha) {
    return f.get_with_token("/api/v1/blobs/" + sha + "/status", token);
  }
  HttpResponse get(const std::string& token, const std::string& sha, std::uint64_t offset, std::uint64_t length) {
    return f.get_with_token(
        "/api/v1/blobs/" + sha + "?offset=" + std::to_string(offset) + "&length=" + std::to_string(length), token);
  }

  // Uploads `bytes` in chunks of `chunk`; every answer must be 200. Returns the last one.
  HttpResponse upload(const std::string& token, const std::string& bytes, std::size_t chunk = kMiB) {
    const std::string sha = sha256_of(bytes);
    HttpResponse last;
    for (std::size_t offset = 0; offset < bytes.size() || offset == 0; offset += chunk) {
      last = put(token, sha, offset, bytes.size(), bytes.substr(offset, chunk));
      EXPECT_EQ(last.status, 200) << last.body;
      if (bytes.empty()) break;
    }
    return last;
  }

  // Downloads the whole file in chunks of `chunk`; empty if any answer is not 200.
  std::string download(const std::string& token, const std::string& sha, std::size_t chunk = kMiB) {
    std::string out;
    for (;;) {
      HttpResponse r = get(token, sha, out.size(), chunk);
      if (r.status != 200) return {};
      EXPECT_EQ(r.content_type, "application/octet-stream");
      out += r.body;
      if (r.body.size() < chunk) return out;
    }
  }

  // `user` (signed in with `token`) files a request of team `team` with an attachment row
  // naming `sha`, through the sync push endpoint as a client would.
  void attach(const std::string& user, const std::string& token, const std::string& team, const std::string& sha,
              std::uint64_t size) {
    std::string device = "dev-" + user;
    std::replace(device.begin(), device.end(), '.', '-');  // stamps allow no '.' in device ids
    sync::ClientReplica replica(
        sync::ClientOptions{device, user, 1}, [] { return kStart; },
        // Seeded per user: two users' rows must not share ids.
        [state = std::make_shared<std::mt19937_64>(std::hash<std::string>{}(user))] { return (*state)(); });
    const std::string request = replica.new_row_id();
    std::vector<sync::FieldEdit> intake = {{"customer", sync::Value::string("宁波港口服务")},
                                           {"title", sync::Value::string("扫码枪无法连接")},
                                           {"category", sync::Value::string("tech_support")},
                                           {"channel", sync::Value::string("visit")},
                                           {"team", sync::Value::string(team)}};
    auto filed = replica.edit("request", request, intake);
    ASSERT_TRUE(filed) << filed.status().message().en;
    const std::string row = replica.new_row_id();
    std::vector<sync::FieldEdit> attachment = {{"request_id", sync::Value::string(request)},
                                               {"file_name", sync::Value::string("现场照片.jpg")},
                                               {"mime_type", sync::Value::string("image/jpeg")},
                                               {"size_bytes", sync::Value::integer(static_cast<std::int64_t>(size))},
                                               {"sha256", sync::Value::string(sha)},
                                               {"added_by", sync::Value::string(user)},
                                               {"added_at", sync::Value::string(format_iso8601(kStart))}};
    auto ops = replica.edit("attachment", row, attachment);
    ASSERT_TRUE(ops) << ops.status().message().en;
    HttpResponse r = f.request("POST", "/api/v1/sync/push", sync::encode_push(device, replica.next_push()),
                               {{"authorization", "Bearer " + token}});
    ASSERT_EQ(r.status, 200) << r.body;
    auto decoded = sync::decode_push_result(r.body);
    ASSERT_TRUE(decoded.ok());
    for (const auto& result : decoded.result.results) {
      ASSERT_NE(result.outcome, sync::Outcome::kRejected) << result.op << ": " << result.status.message().en;
    }
  }

  std::filesystem::path blob_file(const std::string& sha) const {
    return f.dir.path() / "blobs" / sha.substr(0, 2) / sha.substr(2);
  }
  std::size_t partial_files() const {
    std::size_t n = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(f.dir.path() / "blobs" / "tmp", ec)) {
      n += e.path().extension() == ".part";
    }
    return n;
  }

  Fixture f;
  std::string north, north_other, south, coord;
};

std::uint64_t metric(const std::string& text, const std::string& name) {
  const size_t at = text.find("\n" + name + " ");
  if (at == std::string::npos) return ~std::uint64_t{0};
  return std::stoull(text.substr(at + name.size() + 2));
}

TEST(Blobs, ChunksInOrderBecomeAStoredFileReadBackInChunks) {
  BlobFixture b;
  const std::string bytes = random_bytes(2 * kMiB + 12'345, 1);
  const std::string sha = sha256_of(bytes);

  HttpResponse first = b.put(b.north, sha, 0, bytes.size(), bytes.substr(0, kMiB));
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(body_of(first),
            (nlohmann::json{{"sha256", sha}, {"size", bytes.size()}, {"received", kMiB}, {"complete", false}}));
  EXPECT_FALSE(std::filesystem::exists(b.blob_file(sha))) << "published before the last byte";
  HttpResponse second = b.put(b.north, sha, kMiB, bytes.size(), bytes.substr(kMiB, kMiB));
  EXPECT_EQ(body_of(second)["received"], 2 * kMiB);
  HttpResponse last = b.put(b.north, sha, 2 * kMiB, bytes.size(), bytes.substr(2 * kMiB));
  ASSERT_EQ(last.status, 200) << last.body;
  EXPECT_EQ(body_of(last),
            (nlohmann::json{{"sha256", sha}, {"size", bytes.size()}, {"received", bytes.size()}, {"complete", true}}));

  EXPECT_EQ(std::filesystem::file_size(b.blob_file(sha)), bytes.size());
  EXPECT_EQ(b.partial_files(), 0u);
  EXPECT_EQ(body_of(b.status(b.north, sha))["complete"], true);
  HttpResponse middle = b.get(b.north, sha, 1000, 5000);
  ASSERT_EQ(middle.status, 200);
  EXPECT_TRUE(middle.body == bytes.substr(1000, 5000));
  EXPECT_TRUE(b.download(b.north, sha, 700'000) == bytes);

  const std::string metrics = b.f.request("GET", "/metrics").body;
  EXPECT_EQ(metric(metrics, "rapidesk_blob_bytes_uploaded_total"), bytes.size());
  EXPECT_EQ(metric(metrics, "rapidesk_blob_bytes_downloaded_total"), 5000 + bytes.size());
}

TEST(Blobs, ChunkOutOfOrderIs409WithWhatWasReceived) {
  BlobFixture b;
  const std::string bytes = random_bytes(3 * 1000, 2);
  const std::string sha = sha256_of(bytes);

  HttpResponse early = b.put(b.north, sha, 1000, bytes.size(), bytes.substr(1000, 1000));
  EXPECT_EQ(early.status, 409);
  EXPECT_EQ(body_of(early)["received"], 0);
  EXPECT_EQ(error_code_of(early), "conflict");
  EXPECT_EQ(b.status(b.north, sha).status, 404) << "a refused first chunk started nothing";

  ASSERT_EQ(b.put(b.north, sha, 0, bytes.size(), bytes.substr(0, 1000)).status, 200);
  HttpResponse skip = b.put(b.north, sha, 2000, bytes.size(), bytes.substr(2000));
  EXPECT_EQ(skip.status, 409);
  EXPECT_EQ(body_of(skip)["received"], 1000);
  // A repeated chunk (its answer lost) is refused too, and says where to go on.
  HttpResponse again = b.put(b.north, sha, 0, bytes.size(), bytes.substr(0, 1000));
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(body_of(again)["received"], 1000);
  EXPECT_FALSE(body_of(again)["error"]["message_zh"].get<std::string>().empty());

  ASSERT_EQ(b.put(b.north, sha, 1000, bytes.size(), bytes.substr(1000, 1000)).status, 200);
  HttpResponse done = b.put(b.north, sha, 2000, bytes.size(), bytes.substr(2000));
  EXPECT_EQ(body_of(done)["complete"], true);
  EXPECT_TRUE(b.download(b.north, sha) == bytes);
  // The last chunk sent again (its answer lost): the file is there, nothing to do.
  HttpResponse retry = b.put(b.north, sha, 2000, bytes.size(), bytes.substr(2000));
  EXPECT_EQ(retry.status, 200);
  EXPECT_EQ(body_of(retry)["complete"], true);
}

TEST(Blobs, UploadResumesAfterARestart) {
  BlobFixture b;
  const std::string bytes = random_bytes(2 * kMiB + 10, 3);
  const std::string sha = sha256_of(bytes);
  ASSERT_EQ(b.put(b.north, sha, 0, bytes.size(), bytes.substr(0, kMiB)).status, 200);

  // A new server process on the same data directory.
  ServerConfig config = b.f.state->config;
  b.f.state.reset();
  auto storage = open_sqlite_storage(b.f.dir.path());
  ASSERT_TRUE(storage);
  b.f.state = std::make_unique<ServerState>(config, std::move(*storage), nullptr, [] { return kStart; });
  ASSERT_TRUE(b.f.state->start_sync());

  HttpResponse status = b.status(b.north, sha);
  ASSERT_EQ(status.status, 200) << status.body;
  EXPECT_EQ(body_of(status),
            (nlohmann::json{{"sha256", sha}, {"size", bytes.size()}, {"received", kMiB}, {"complete", false}}));
  EXPECT_EQ(b.status(b.north_other, sha).status, 404) << "an upload is its uploader's only";
  ASSERT_EQ(b.put(b.north, sha, kMiB, bytes.size(), bytes.substr(kMiB, kMiB)).status, 200);
  EXPECT_EQ(body_of(b.put(b.north, sha, 2 * kMiB, bytes.size(), bytes.substr(2 * kMiB)))["complete"], true);
  EXPECT_TRUE(b.download(b.north, sha) == bytes);
}

TEST(Blobs, HashMismatchIs400AndDiscardsTheUpload) {
  BlobFixture b;
  const std::string bytes = random_bytes(5000, 4);
  const std::string claimed = sha256_of("something else");
  ASSERT_EQ(b.put(b.north, claimed, 0, bytes.size(), bytes.substr(0, 3000)).status, 200);
  HttpResponse last = b.put(b.north, claimed, 3000, bytes.size(), bytes.substr(3000));
  EXPECT_EQ(last.status, 400);
  EXPECT_EQ(error_code_of(last), "invalid");
  EXPECT_NE(body_of(last)["error"]["message"].get<std::string>().find("do not match"), std::string::npos);
  EXPECT_EQ(b.status(b.north, claimed).status, 404);
  EXPECT_EQ(b.partial_files(), 0u);
  EXPECT_FALSE(std::filesystem::exists(b.blob_file(claimed)));
  // The right bytes under their own name still go through from the start.
  EXPECT_EQ(body_of(b.upload(b.north, bytes))["complete"], true);
}

TEST(Blobs, SizeLimitsAre413) {
  ServerConfig config;
  config.max_attachment_bytes = 3 * kMiB;
  config.max_body_bytes = 4096;  // JSON bodies only; chunks have their own allowance
  BlobFixture b(config);
  const std::string sha = sha256_of("x");

  HttpResponse big = b.put(b.north, sha, 0, 3 * kMiB + 1, "x");
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(error_code_of(big), "too_large");
  HttpResponse fat_chunk = b.put(b.north, sha, 0, 3 * kMiB, std::string(kMiB + 1, 'x'));
  EXPECT_EQ(fat_chunk.status, 413);
  EXPECT_EQ(b.partial_files(), 0u);

  // A whole 1 MiB chunk passes although max_body_bytes is 4 KiB; other routes keep the limit.
  const std::string bytes = random_bytes(3 * kMiB, 5);
  EXPECT_EQ(body_of(b.upload(b.north, bytes))["complete"], true);
  EXPECT_EQ(b.f.request("POST", "/api/v1/auth/login", std::string(5000, ' ')).status, 413);
}

// Attachments never take the space the database needs: an upload whose remaining bytes
// would leave less than attachment_disk_reserve_bytes free is refused with 503, writing
// nothing; one that fits goes through. Measured against this machine's real free space.
TEST(Blobs, UploadsLeaveTheDiskReserveFree) {
  {
    ServerConfig config;
    config.attachment_disk_reserve_bytes = std::uint64_t{1} << 50;  // more than any disk holds
    BlobFixture b(config);
    const std::string bytes = random_bytes(3000, 9);
    HttpResponse refused = b.put(b.north, sha256_of(bytes), 0, bytes.size(), bytes);
    EXPECT_EQ(refused.status, 503);
    EXPECT_EQ(error_code_of(refused), "unavailable");
    EXPECT_NE(body_of(refused)["error"]["message"].get<std::string>().find("disk is nearly full"), std::string::npos);
    EXPECT_EQ(b.partial_files(), 0u);
    EXPECT_EQ(b.status(b.north, sha256_of(bytes)).status, 404);
  }
  std::error_code ec;
  const auto space = std::filesystem::space(std::filesystem::temp_directory_path(), ec);
  if (ec || space.available < (std::uint64_t{2} << 30)) GTEST_SKIP() << "needs 2 GiB free to measure against";
  ServerConfig config;
  config.max_attachment_bytes = std::uint64_t{64} << 30;
  // 512 MiB above the reserve: a file of 4 GiB does not fit, one of 1 MiB does (unless
  // something else writes half a gibibyte meanwhile).
  config.attachment_disk_reserve_bytes = space.available - (std::uint64_t{512} << 20);
  BlobFixture b(config);
  HttpResponse big = b.put(b.north, sha256_of("big"), 0, std::uint64_t{4} << 30, std::string(kMiB, 'x'));
  EXPECT_EQ(big.status, 503);
  EXPECT_EQ(b.partial_files(), 0u);
  EXPECT_EQ(body_of(b.upload(b.north, random_bytes(kMiB, 10)))["complete"], true);
}

TEST(Blobs, ReadingFollowsTheAttachmentRows) {
  BlobFixture b;
  const std::string bytes = random_bytes(4000, 6);
  const std::string sha = sha256_of(bytes);
  EXPECT_EQ(body_of(b.upload(b.north, bytes))["complete"], true);

  // Before any attachment row names it: the uploader only.
  EXPECT_TRUE(b.download(b.north, sha) == bytes);
  EXPECT_EQ(b.get(b.north_other, sha, 0, 100).status, 404);
  EXPECT_EQ(b.get(b.coord, sha, 0, 100).status, 404);

  b.attach("north.field", b.north, "NORTH", sha, bytes.size());
  EXPECT_TRUE(b.download(b.north_other, sha) == bytes) << "same team";
  EXPECT_TRUE(b.download(b.coord, sha) == bytes) << "coordinators see all";
  EXPECT_EQ(body_of(b.status(b.coord, sha))["complete"], true);

  // A row alone grants nothing: another team's user who saw the hash names it in a row of a
  // request of their own, and still may not read the file (before, the row sufficed).
  b.attach("south.field", b.south, "SOUTH", sha, bytes.size());
  EXPECT_EQ(b.get(b.south, sha, 0, 100).status, 404);

  // Another team's field user: the same 404 as for a file that does not exist.
  HttpResponse south = b.get(b.south, sha, 0, 100);
  HttpResponse unknown = b.get(b.south, sha256_of("no such file"), 0, 100);
  EXPECT_EQ(south.status, 404);
  EXPECT_EQ(error_code_of(south), "not_found");
  EXPECT_EQ(b.status(b.south, sha).status, 404);
  EXPECT_EQ(body_of(south)["error"]["message"].get<std::string>().substr(0, 19),
            body_of(unknown)["error"]["message"].get<std::string>().substr(0, 19));

  // Nor does uploading tell them: the first chunk is taken like any other...
  HttpResponse probe = b.put(b.south, sha, 0, bytes.size(), bytes.substr(0, 1000));
  EXPECT_EQ(probe.status, 200);
  EXPECT_EQ(body_of(probe)["complete"], false);
  // ...and having sent every byte, they hold the file and may read it back.
  HttpResponse rest = b.put(b.south, sha, 1000, bytes.size(), bytes.substr(1000));
  EXPECT_EQ(body_of(rest)["complete"], true);
  EXPECT_TRUE(b.download(b.south, sha) == bytes);
}

TEST(Blobs, AReaderWhoAttachesTheFileAgainHandsItOn) {
  BlobFixture b;
  const std::string bytes = random_bytes(3000, 9);
  const std::string sha = sha256_of(bytes);
  ASSERT_EQ(body_of(b.upload(b.north, bytes))["complete"], true);
  b.attach("north.field", b.north, "NORTH", sha, bytes.size());
  // The coordinator reads it through north's row and puts it on a SOUTH request too.
  ASSERT_TRUE(b.download(b.coord, sha) == bytes);
  b.attach("coord", b.coord, "SOUTH", sha, bytes.size());
  EXPECT_EQ(b.get(b.south, sha, 0, 100).status, 404) << "reading it made the coordinator no holder";
  // Their client asks before pushing such a row (the file is complete: nothing to send), and
  // from then on they hold it, so their row hands it on.
  EXPECT_EQ(body_of(b.status(b.coord, sha))["complete"], true);
  EXPECT_TRUE(b.download(b.south, sha) == bytes);
}

TEST(Blobs, OnlyHashNamesReachTheStore) {
  BlobFixture b;
  const std::string auth = "Bearer " + b.north;
  const std::vector<std::string> names = {"..%2F..%2Frapidesk.db",
                                          "%2E%2E",
                                          "..",
                                          "tmp",
                                          std::string(64, 'A'),
                                          std::string(63, 'a'),
                                          std::string(65, 'a'),
                                          std::string(63, 'a') + "g",
                                          std::string(62, 'a') + "%2F" + "a",
                                          std::string(63, 'a') + "%00"};
  for (const std::string& name : names) {
    for (const std::string method : {"GET", "PUT", "DELETE"}) {
      HttpResponse r =
          b.f.request(method, "/api/v1/blobs/" + name + "?offset=0&size=1", "x", {{"authorization", auth}});
      EXPECT_EQ(r.status, 400) << method << " " << name << ": " << r.body;
      EXPECT_EQ(error_code_of(r), "invalid") << name;
    }
    EXPECT_EQ(b.f.get_with_token("/api/v1/blobs/" + name + "/status", b.north).status, 400) << name;
  }
  // Raw "../" segments do not match a route at all.
  EXPECT_EQ(b.f.get_with_token("/api/v1/blobs/../../rapidesk.db", b.north).status, 404);
  EXPECT_TRUE(std::filesystem::exists(b.f.dir.path() / "rapidesk.db"));
  EXPECT_EQ(b.partial_files(), 0u);
}

TEST(Blobs, EveryEndpointNeedsAToken) {
  BlobFixture b;
  const std::string sha = sha256_of("x");
  EXPECT_EQ(b.f.request("PUT", "/api/v1/blobs/" + sha + "?offset=0&size=1", "x").status, 401);
  EXPECT_EQ(b.f.request("GET", "/api/v1/blobs/" + sha).status, 401);
  EXPECT_EQ(b.f.request("GET", "/api/v1/blobs/" + sha + "/status").status, 401);
  EXPECT_EQ(b.f.request("DELETE", "/api/v1/blobs/" + sha).status, 401);
  // A disabled user's token stops working.
  ASSERT_TRUE(b.f.state->storage->set_user_active("north.field", false));
  EXPECT_EQ(b.put(b.north, sha, 0, 1, "x").status, 401);
}

TEST(Blobs, UnfinishedUploadsPerUserAreCapped) {
  ServerConfig config;
  config.max_uploads_per_user = 2;
  BlobFixture b(config);
  const std::string a = sha256_of("file a"), c = sha256_of("file c"), d = sha256_of("file d");
  ASSERT_EQ(b.put(b.north, a, 0, 100, "a").status, 200);
  ASSERT_EQ(b.put(b.north, c, 0, 100, "c").status, 200);
  HttpResponse third = b.put(b.north, d, 0, 100, "d");
  EXPECT_EQ(third.status, 429);
  EXPECT_EQ(error_code_of(third), "rate_limited");
  EXPECT_EQ(b.put(b.north_other, d, 0, 100, "d").status, 200) << "the cap is per user";

  HttpResponse cancel = b.f.request("DELETE", "/api/v1/blobs/" + a, {}, {{"authorization", "Bearer " + b.north}});
  EXPECT_EQ(cancel.status, 200);
  EXPECT_EQ(b.status(b.north, a).status, 404);
  EXPECT_EQ(b.f.request("DELETE", "/api/v1/blobs/" + a, {}, {{"authorization", "Bearer " + b.north}}).status, 404);
  EXPECT_EQ(b.put(b.north, d, 0, 100, "d").status, 200);
}

TEST(Blobs, BadRangesAndSizesAre400) {
  BlobFixture b;
  const std::string bytes = random_bytes(1000, 7);
  const std::string sha = sha256_of(bytes);
  b.upload(b.north, bytes);
  EXPECT_EQ(b.get(b.north, sha, 0, 0).status, 400);
  EXPECT_EQ(b.get(b.north, sha, 0, kMiB + 1).status, 400);
  EXPECT_EQ(b.get(b.north, sha, 1001, 10).status, 400);
  HttpResponse at_end = b.get(b.north, sha, 1000, 10);
  EXPECT_EQ(at_end.status, 200);
  EXPECT_TRUE(at_end.body.empty());
  HttpResponse tail = b.get(b.north, sha, 990, 100);
  EXPECT_TRUE(tail.body == bytes.substr(990));
  EXPECT_EQ(b.f.get_with_token("/api/v1/blobs/" + sha + "?offset=-1", b.north).status, 400);

  const std::string other = sha256_of("other");
  EXPECT_EQ(b.put(b.north, other, 0, 10, std::string(11, 'x')).status, 400) << "past the declared size";
  EXPECT_EQ(b.put(b.north, other, 0, 10, "").status, 400) << "empty chunk";
  EXPECT_EQ(b.put(b.north, other, 10, 10, "").status, 409) << "finishing an upload that was never started";
  EXPECT_EQ(
      b.f.request("PUT", "/api/v1/blobs/" + other + "?offset=0", "x", {{"authorization", "Bearer " + b.north}}).status,
      400)
      << "size is required";
  EXPECT_EQ(b.put(b.north, sha, 0, 999, bytes.substr(0, 999)).status, 400) << "a stored file has its own size";
}

// A crash (or disk error) after the last byte was written but before it was verified
// leaves an upload holding every byte: an empty chunk at the end finishes it.
TEST(Blobs, FullButUnverifiedUploadIsFinishedByAnEmptyLastChunk) {
  BlobFixture b;
  const std::string bytes = random_bytes(3000, 8);
  const std::string sha = sha256_of(bytes);
  ASSERT_TRUE(b.f.state->blobs->begin_upload(sha, "north.field", bytes.size(), 8));
  ASSERT_TRUE(b.f.state->blobs->append_upload(sha, "north.field", 0, bytes));
  EXPECT_EQ(body_of(b.status(b.north, sha)),
            (nlohmann::json{{"sha256", sha}, {"size", bytes.size()}, {"received", bytes.size()}, {"complete", false}}));
  EXPECT_EQ(b.put(b.north, sha, 1000, bytes.size(), "").status, 400) << "empty chunk before the end";
  HttpResponse finish = b.put(b.north, sha, bytes.size(), bytes.size(), "");
  ASSERT_EQ(finish.status, 200) << finish.body;
  EXPECT_EQ(body_of(finish)["complete"], true);
  EXPECT_TRUE(b.download(b.north, sha) == bytes);
}

TEST(Blobs, EmptyFileIsCompleteAtOnce) {
  BlobFixture b;
  HttpResponse r = b.put(b.north, sha256_of(""), 0, 0, "");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_of(r)["complete"], true);
  HttpResponse read = b.get(b.north, sha256_of(""), 0, 10);
  EXPECT_EQ(read.status, 200);
  EXPECT_TRUE(read.body.empty());
}

TEST(BlobStore, UploadsLeftByACrashAreReloadedAndForeignFilesLeftAlone) {
  testing::TempDir dir;
  const std::string sha = sha256_of("abc");
  std::filesystem::create_directories(dir.path() / "tmp");
  {
    std::ofstream(dir.path() / "tmp" / (sha + ".10.alice.part")) << "ab";  // two bytes arrived
    std::ofstream(dir.path() / "tmp" / (sha + ".2.bob.part")) << "abc";    // more than declared: discarded
    std::ofstream(dir.path() / "tmp" / "notes.txt") << "not ours";
  }
  auto store = open_file_blob_store(dir.path());
  auto alice = store->find_upload(sha, "alice");
  ASSERT_TRUE(alice);
  EXPECT_EQ(alice->size, 10u);
  EXPECT_EQ(alice->received, 2u);
  EXPECT_EQ(store->find_upload(sha, "bob").status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "tmp" / "notes.txt"));
  EXPECT_EQ(store->append_upload(sha, "alice", 1, "x").status().code(), ErrorCode::kConflict);
  EXPECT_EQ(store->append_upload(sha, "alice", 2, std::string(9, 'x')).status().code(), ErrorCode::kInvalid);
  EXPECT_EQ(store->blob_size(sha).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->read_blob("../tmp/notes.txt", 0, 10).status().code(), ErrorCode::kInvalid);
}

// The cap on unfinished uploads is counted where they start, under the store's lock: uploads
// begun in parallel (each handler counted, then started) could all pass it before.
TEST(BlobStore, TheUnfinishedUploadCapIsCheckedWhereAnUploadStarts) {
  testing::TempDir dir;
  auto store = open_file_blob_store(dir.path());
  const std::string one = sha256_of("one"), two = sha256_of("two"), three = sha256_of("three");
  std::vector<std::thread> starts;
  std::atomic<int> started{0}, limited{0};
  for (const std::string* sha : {&one, &two, &three}) {
    starts.emplace_back([&, sha] {
      auto r = store->begin_upload(*sha, "alice", 10, 2);
      if (r) ++started;
      else if (r.status().code() == ErrorCode::kRateLimited) ++limited;
    });
  }
  for (auto& t : starts) t.join();
  EXPECT_EQ(started.load(), 2);
  EXPECT_EQ(limited.load(), 1);
  // Starting one of one's own again (another size) replaces it, so the cap does not apply.
  const std::string& held = store->find_upload(one, "alice") ? one : two;
  EXPECT_TRUE(store->begin_upload(held, "alice", 12, 2));
  EXPECT_TRUE(store->begin_upload(three, "bob", 10, 2)) << "per uploader";
}

// Several servers sharing one data directory: a client's chunks may reach any of them.
TEST(BlobStore, ServersSharingTheDataDirectoryContinueEachOthersUploads) {
  testing::TempDir dir;
  auto a = open_file_blob_store(dir.path());
  auto b = open_file_blob_store(dir.path());
  const std::string bytes = random_bytes(3000, 9);
  const std::string sha = sha256_of(bytes);
  ASSERT_TRUE(a->begin_upload(sha, "alice", bytes.size(), 8));
  ASSERT_TRUE(a->append_upload(sha, "alice", 0, bytes.substr(0, 1000)));
  // B sees the upload and where it stands, and takes the next chunk.
  auto seen = b->find_upload(sha, "alice");
  ASSERT_TRUE(seen) << seen.status().message().en;
  EXPECT_EQ(seen->received, 1000u);
  EXPECT_EQ(b->count_uploads("alice").value(), 1u);
  ASSERT_TRUE(b->append_upload(sha, "alice", 1000, bytes.substr(1000, 1000)));
  // A would not write over it: it knows B's chunk arrived.
  EXPECT_EQ(a->append_upload(sha, "alice", 1000, bytes.substr(1000, 1000)).status().code(), ErrorCode::kConflict);
  ASSERT_TRUE(a->append_upload(sha, "alice", 2000, bytes.substr(2000)));
  ASSERT_TRUE(b->publish_upload(sha, "alice"));
  // Published by B: gone from A's uploads, readable through A.
  EXPECT_EQ(a->find_upload(sha, "alice").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(a->count_uploads("alice").value(), 0u);
  EXPECT_EQ(a->read_blob(sha, 0, bytes.size()).value(), bytes);
  // Discarded on one server: gone on the other.
  const std::string other = sha256_of("other");
  ASSERT_TRUE(b->begin_upload(other, "alice", 5, 8));
  ASSERT_TRUE(a->discard_upload(other, "alice"));
  EXPECT_EQ(b->find_upload(other, "alice").status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace rapidesk::server
