// Small order statistics used by the reviews. Percentiles use the nearest-rank method
// (the value at rank ceil(p * n) of the sorted sample), so a figure can be checked by hand.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace rapidesk::reports {

struct Distribution {
  size_t count = 0;
  std::optional<std::int64_t> median;  // nearest-rank p50
  std::optional<std::int64_t> p90;
  std::optional<double> mean;
};

// REQUIRES: 0 < p <= 1. Sorts `values` in place.
std::optional<std::int64_t> nearest_rank(std::vector<std::int64_t>& values, double p);
Distribution describe(std::vector<std::int64_t> values);

}  // namespace rapidesk::reports
