#include "rapidesk/reports/recurring.h"

#include <algorithm>

namespace rapidesk::reports {

namespace {

// Decodes UTF-8 leniently: a bad byte becomes U+FFFD, so any text can be compared.
std::vector<std::uint32_t> code_points(std::string_view s) {
  std::vector<std::uint32_t> out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || i + len > s.size()) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    std::uint32_t cp = len == 1 ? c : c & (0xFF >> (len + 1));
    for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += len;
  }
  return out;
}

bool is_word_char(std::uint32_t cp) {
  if (cp < 0x80) return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  // Skip CJK and full-width punctuation; keep letters and ideographs.
  if (cp >= 0x3000 && cp <= 0x303F) return false;
  if (cp >= 0xFF00 && cp <= 0xFF0F) return false;
  if (cp >= 0xFF1A && cp <= 0xFF20) return false;
  return cp != 0xFFFD;
}

}  // namespace

std::unordered_set<std::uint64_t> bigrams(std::string_view utf8) {
  std::vector<std::uint32_t> cps;
  for (std::uint32_t cp : code_points(utf8)) {
    if (!is_word_char(cp)) continue;
    if (cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
    cps.push_back(cp);
  }
  std::unordered_set<std::uint64_t> out;
  for (size_t i = 0; i + 1 < cps.size(); ++i) out.insert((static_cast<std::uint64_t>(cps[i]) << 32) | cps[i + 1]);
  return out;
}

double similarity(const std::unordered_set<std::uint64_t>& a, const std::unordered_set<std::uint64_t>& b) {
  if (a.empty() || b.empty()) return 0.0;
  const auto& small = a.size() < b.size() ? a : b;
  const auto& large = a.size() < b.size() ? b : a;
  size_t shared = 0;
  for (auto g : small) shared += large.count(g);
  return static_cast<double>(shared) / static_cast<double>(a.size() + b.size() - shared);
}

std::vector<IssueCluster> recurring_issues(const std::vector<IssueText>& issues, double threshold, size_t min_size,
                                           size_t top) {
  struct Working {
    std::unordered_set<std::uint64_t> grams;  // of the first member
    std::vector<std::string> tags;
    IssueCluster cluster;
  };
  std::vector<Working> clusters;
  for (const auto& issue : issues) {
    auto grams = bigrams(issue.text);
    double best = 0.0;
    Working* target = nullptr;
    for (auto& w : clusters) {
      double s = similarity(grams, w.grams);
      const bool shared_tag = std::any_of(issue.tags.begin(), issue.tags.end(), [&](const std::string& t) {
        return std::find(w.tags.begin(), w.tags.end(), t) != w.tags.end();
      });
      if (shared_tag) s += 0.15;  // the same tag is strong evidence of the same issue
      if (s >= threshold && s > best) {
        best = s;
        target = &w;
      }
    }
    if (!target) {
      clusters.push_back(Working{std::move(grams), issue.tags, {}});
      target = &clusters.back();
      target->cluster.common_tags = issue.tags;
    } else {
      auto& common = target->cluster.common_tags;
      common.erase(std::remove_if(common.begin(), common.end(),
                                  [&](const std::string& t) {
                                    return std::find(issue.tags.begin(), issue.tags.end(), t) == issue.tags.end();
                                  }),
                   common.end());
    }
    target->cluster.ids.push_back(issue.id);
    if (target->cluster.examples.size() < 3) target->cluster.examples.push_back(issue.text);
  }
  std::vector<IssueCluster> out;
  for (auto& w : clusters) {
    if (w.cluster.ids.size() >= min_size) out.push_back(std::move(w.cluster));
  }
  std::stable_sort(out.begin(), out.end(), [](const IssueCluster& a, const IssueCluster& b) { return a.ids.size() > b.ids.size(); });
  if (out.size() > top) out.resize(top);
  return out;
}

}  // namespace rapidesk::reports
