// The benchmark registry of rapidesk-bench. A benchmark is a function of its arguments
// (after the name) that prints progress to stderr and, as the last line of stdout, one JSON
// object with at least "bench" and "ratio"; it returns the process exit code (non-zero
// when the run is invalid, e.g. results that should match do not).
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace rapidesk::bench {

using Args = std::vector<std::string>;

struct Benchmark {
  const char* name;
  const char* help;
  int (*run)(const Args& args);
};

// Every benchmark adds itself here by defining a `Registration` at namespace scope.
std::vector<Benchmark>& registry();
struct Registration {
  explicit Registration(Benchmark b) { registry().push_back(b); }
};

// Seconds since an arbitrary start, monotonic.
inline double now_seconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

// Value of "--name VALUE" in args, or `fallback`.
std::string arg_value(const Args& args, const std::string& name, const std::string& fallback = "");
bool has_flag(const Args& args, const std::string& name);

}  // namespace rapidesk::bench
