#include "rapidesk/reports/statistics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace rapidesk::reports {

std::optional<std::int64_t> nearest_rank(std::vector<std::int64_t>& values, double p) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(values.size())));
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

Distribution describe(std::vector<std::int64_t> values) {
  Distribution d;
  d.count = values.size();
  if (values.empty()) return d;
  d.mean = static_cast<double>(std::accumulate(values.begin(), values.end(), std::int64_t{0})) /
           static_cast<double>(values.size());
  d.median = nearest_rank(values, 0.5);
  d.p90 = nearest_rank(values, 0.9);
  return d;
}

}  // namespace rapidesk::reports
