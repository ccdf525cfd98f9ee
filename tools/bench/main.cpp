#include <cstdio>
#include <cstring>

#include "bench.h"

namespace rapidesk::bench {

std::vector<Benchmark>& registry() {
  static std::vector<Benchmark> benchmarks;
  return benchmarks;
}

std::string arg_value(const Args& args, const std::string& name, const std::string& fallback) {
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == name) return args[i + 1];
  }
  return fallback;
}

bool has_flag(const Args& args, const std::string& name) {
  for (const auto& a : args) {
    if (a == name) return true;
  }
  return false;
}

}  // namespace rapidesk::bench

int main(int argc, char** argv) {
  using namespace rapidesk::bench;
  auto usage = [] {
    std::fprintf(stderr, "usage: rapidesk-bench NAME [OPTIONS]\n用法：rapidesk-bench 名称 [选项]\n\nbenchmarks:\n");
    for (const auto& b : registry()) std::fprintf(stderr, "  %-14s %s\n", b.name, b.help);
  };
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    usage();
    return argc < 2 ? 2 : 0;
  }
  for (const auto& b : registry()) {
    if (std::strcmp(b.name, argv[1]) == 0) return b.run(Args(argv + 2, argv + argc));
  }
  std::fprintf(stderr, "rapidesk-bench: unknown benchmark \"%s\" / 未知的基准测试\n", argv[1]);
  usage();
  return 2;
}
