// Replays every input in tools/fuzz/corpus-regressions/ (crashes the fuzzer once found)
// and a few hand-written hostile inputs through the same entry point as the fuzzer.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "sync_fuzz_entry.h"

namespace rapidesk::sync {
namespace {

void run(const std::string& input) {
  rapidesk::sync::fuzz::run_one(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
}

// Replays every regular file of `dir` (dotfiles aside); returns how many.
int replay_directory(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  int count = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().filename().string().starts_with(".")) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    SCOPED_TRACE(entry.path().string());
    run(ss.str());
    ++count;
  }
  return count;
}

TEST(FuzzRegressions, EveryCrashInputStillPasses) {
  const std::filesystem::path dir = RAPIDESK_FUZZ_REGRESSIONS_DIR;
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
  RecordProperty("inputs", replay_directory(dir));
}

TEST(FuzzRegressions, EverySeedInputPasses) {
  const std::filesystem::path dir = std::filesystem::path(RAPIDESK_FUZZ_REGRESSIONS_DIR).parent_path() / "seeds";
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
  EXPECT_GE(replay_directory(dir), 5);
}

TEST(FuzzRegressions, HandWrittenNastyInputs) {
  const std::string op =
      R"({"op":"d:1","entity":"request","row":"019b76da-a800-7000-8000-000000000001","field":"title","value":"x","hlc":"1767225600000-0000-d","base":null})";
  const std::vector<std::string> inputs = {
      "",
      "{",
      "null",
      "[]",
      "{}",
      std::string(10000, '['),
      std::string(10000, '{'),
      "{\"protocol\":1,\"device\":\"d\",\"ops\":" + std::string(5000, '[') + std::string(5000, ']') + "}",
      std::string("{\"protocol\":1,\"device\":\"d\",\"ops\":[\"\xff\xfe\"]}"),
      std::string("{\"protocol\":1,\"device\":\"d\",\"ops\":[\"\xed\xa0\x80\"]}"),  // UTF-8 surrogate
      R"({"protocol":1,"device":"d","ops":["\ud800"]})",
      R"({"protocol":1,"device":"d","ops":[{"op":"d:1","value":1e999}]})",
      R"({"protocol":1,"device":"d","ops":[{"op":"d:1","value":18446744073709551616}]})",
      R"({"protocol":1e400})",
      R"({"protocol":-1,"device":"d","ops":[]})",
      R"({"protocol":9223372036854775807,"device":"d","ops":[]})",
      R"({"protocol":1,"device":"d","ops":[)" + op + "," + op + "]}",
      std::string("{\"protocol\":1,\"device\":\"d\",\"ops\":[") + op + "]}\0trailing",
      R"({"protocol":1,"ops":[{"op":"d:1","entity":"request","row":"019b76da-a800-7000-8000-000000000001","field":"title","value":"x","hlc":"1767225600000-0000-d","base":null,"seq":1,"outcome":"applied"}],"cursor":1,"more":false})",
      R"({"protocol":1,"ops":[{"op":"d:1","entity":"request","row":"019b76da-a800-7000-8000-000000000001","field":"title","value":"x","hlc":"1767225600000-0000-d","base":null,"seq":5,"outcome":"applied"}],"cursor":5})",
      R"({"protocol":1,"acked":[1,2],"rejected":{},"cursor":-4})",
      R"({"protocol":1,"acked":["a"],"outcomes":[],"conflicts":[{"op":5}],"rejected":[{"op":"b","problem":"nope"}],"cursor":2})",
  };
  for (const std::string& input : inputs) {
    SCOPED_TRACE(input.substr(0, 80));
    run(input);
  }
}

}  // namespace
}  // namespace rapidesk::sync
