// Attachment files over the real server: a 3 MiB upload in chunks, then a second one cut
// by SIGKILL while a chunk is in flight, resumed after a restart; both read back identical.
#include <openssl/evp.h>

#include "harness.h"

namespace {

using namespace rapidesk_it;

constexpr std::size_t kMiB = std::size_t{1} << 20;

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng());
  return out;
}

std::string sha256_hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

class BlobTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    add_user("north.field", "pw-north-1", "field", "NORTH");
    start();
    token_ = login("north.field", "pw-north-1");
    ASSERT_FALSE(token_.empty());
  }

  std::string chunk_target(const std::string& sha, std::size_t offset, std::size_t size) const {
    return "/api/v1/blobs/" + sha + "?offset=" + std::to_string(offset) + "&size=" + std::to_string(size);
  }
  Response put_chunk(const std::string& sha, std::size_t offset, const std::string& file) {
    return http(port(), "PUT", chunk_target(sha, offset, file.size()), file.substr(offset, kMiB),
                {"Authorization: Bearer " + token_});
  }
  // Sends the file from `offset` to its end, chunk by chunk; the last answer.
  Response upload_from(std::size_t offset, const std::string& file) {
    const std::string sha = sha256_hex(file);
    Response r;
    for (; offset < file.size(); offset += kMiB) {
      r = put_chunk(sha, offset, file);
      EXPECT_EQ(r.status, 200) << r.body;
      if (r.status != 200) break;
    }
    return r;
  }
  std::string download(const std::string& sha) {
    std::string out;
    for (;;) {
      Response r =
          http(port(), "GET",
               "/api/v1/blobs/" + sha + "?offset=" + std::to_string(out.size()) + "&length=" + std::to_string(kMiB), {},
               {"Authorization: Bearer " + token_});
      EXPECT_EQ(r.status, 200) << r.body;
      if (r.status != 200) return out;
      out += r.body;
      if (r.body.size() < kMiB) return out;
    }
  }

  std::string token_;
};

TEST_F(BlobTest, ChunkedUploadsSurviveSigkillMidUploadAndResume) {
  const std::string first = random_bytes(3 * kMiB, 11);
  const std::string second = random_bytes(3 * kMiB + 777, 12);
  const std::string first_sha = sha256_hex(first);
  const std::string second_sha = sha256_hex(second);

  Response done = upload_from(0, first);
  ASSERT_EQ(done.json()["complete"], true) << done.body;

  // The second file: one chunk acknowledged, the next one half sent when the server dies.
  ASSERT_EQ(put_chunk(second_sha, 0, second).json()["received"], kMiB);
  {
    Connection c(port());
    ASSERT_TRUE(c.connected());
    const std::string text = request_text("PUT", chunk_target(second_sha, kMiB, second.size()),
                                          second.substr(kMiB, kMiB), {"Authorization: Bearer " + token_});
    ASSERT_TRUE(c.send_all(std::string_view(text).substr(0, text.size() - kMiB / 2)));
    std::this_thread::sleep_for(200ms);
    ASSERT_EQ(kill(server_->pid(), SIGKILL), 0);  // reaped by ServerProcess when start() replaces it
  }
  start();

  // The token and the acknowledged chunk survived; the half chunk was never taken.
  Response status =
      http(port(), "GET", "/api/v1/blobs/" + second_sha + "/status", {}, {"Authorization: Bearer " + token_});
  ASSERT_EQ(status.status, 200) << status.body;
  EXPECT_EQ(status.json()["received"], kMiB);
  EXPECT_EQ(status.json()["complete"], false);
  // A client that lost its place hears where to go on.
  Response stale = put_chunk(second_sha, 2 * kMiB, second);
  EXPECT_EQ(stale.status, 409);
  const std::size_t resume_at = stale.json()["received"].get<std::size_t>();
  EXPECT_EQ(resume_at, kMiB);

  Response resumed = upload_from(resume_at, second);
  EXPECT_EQ(resumed.json()["complete"], true) << resumed.body;

  EXPECT_TRUE(download(first_sha) == first) << "first file differs";
  EXPECT_TRUE(download(second_sha) == second) << "second file differs";
  EXPECT_EQ(std::filesystem::file_size(data_ / "blobs" / second_sha.substr(0, 2) / second_sha.substr(2)),
            second.size());
  std::size_t leftovers = 0;
  for (const auto& e : std::filesystem::directory_iterator(data_ / "blobs" / "tmp"))
    leftovers += e.path().extension() == ".part";
  EXPECT_EQ(leftovers, 0u);

  Response metrics = http(port(), "GET", "/metrics");
  EXPECT_NE(metrics.body.find("rapidesk_blob_bytes_downloaded_total " + std::to_string(first.size() + second.size())),
            std::string::npos);
}

// SIGKILL at random moments while chunks are written (some mid-write, some mid-fsync):
// after each restart the server reports at least every acknowledged byte, and the upload
// goes on from what it reports, possibly in the middle of a chunk.
TEST_F(BlobTest, AcknowledgedChunksSurviveRandomSigkills) {
  const std::string file = random_bytes(3 * kMiB, 13);
  const std::string sha = sha256_hex(file);
  constexpr std::size_t kChunk = 256 * 1024;
  std::mt19937 rng(5);
  std::size_t acknowledged = 0;
  std::size_t offset = 0;
  int kills = 0;
  bool complete = false;
  while (!complete) {
    ASSERT_LT(kills + offset / kChunk, 200u) << "no progress";
    const bool fire = kills < 6 && rng() % 3 == 0;
    std::thread killer;
    if (fire) {
      const auto delay = std::chrono::microseconds(rng() % 20'000);
      killer = std::thread([pid = server_->pid(), delay] {
        std::this_thread::sleep_for(delay);
        kill(pid, SIGKILL);
      });
    }
    Response r = http(port(), "PUT", chunk_target(sha, offset, file.size()), file.substr(offset, kChunk),
                      {"Authorization: Bearer " + token_});
    if (killer.joinable()) killer.join();
    if (r.status == 200) {
      acknowledged = r.json()["received"].get<std::size_t>();
      complete = r.json()["complete"].get<bool>();
      offset = acknowledged;
    }
    if (fire) {
      ++kills;
      start();
      Response status =
          http(port(), "GET", "/api/v1/blobs/" + sha + "/status", {}, {"Authorization: Bearer " + token_});
      ASSERT_EQ(status.status, 200) << status.body;
      offset = status.json()["received"].get<std::size_t>();
      complete = status.json()["complete"].get<bool>();
      ASSERT_GE(offset, acknowledged) << "an acknowledged chunk was lost";
    } else {
      ASSERT_EQ(r.status, 200) << r.body;
    }
  }
  EXPECT_GT(kills, 0);
  EXPECT_TRUE(download(sha) == file);
}

}  // namespace
