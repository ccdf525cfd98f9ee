#include "rapidesk/shared/time.h"

#include <array>
#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace rapidesk {

std::int64_t days_from_civil(CivilDate d) {
  const std::int64_t y = d.year - (d.month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = (d.month + 9) % 12;
  const std::int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int year = static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0));
  return {year, month, day};
}

int weekday_index(std::int64_t days) {
  // 1970-01-01 was a Thursday (index 3).
  return static_cast<int>(((days % 7) + 7 + 3) % 7);
}

bool is_valid_date(CivilDate d) {
  if (d.month < 1 || d.month > 12 || d.day < 1) return false;
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (d.year % 4 == 0 && d.year % 100 != 0) || d.year % 400 == 0;
  const int max = kDays[d.month - 1] + (d.month == 2 && leap ? 1 : 0);
  return d.day <= max;
}

namespace {

// Reads exactly `width` digits at text[pos]; advances pos.
std::optional<int> read_digits(std::string_view text, size_t& pos, size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = 0; i < width; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += width;
  return value;
}

bool expect(std::string_view text, size_t& pos, char c) {
  if (pos < text.size() && text[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

Status bad_time(std::string_view text) {
  return Status::invalid(format_text(
      Text{"\"{}\" is not a time with offset like 2026-11-23T09:30:00+08:00",
           "“{}”不是带时区的时间，应形如 2026-11-23T09:30:00+08:00"},
      {same_text(text.substr(0, 64))}));
}

}  // namespace

std::optional<CivilDate> parse_date(std::string_view text) {
  size_t pos = 0;
  auto y = read_digits(text, pos, 4);
  if (!y || !expect(text, pos, '-')) return std::nullopt;
  auto m = read_digits(text, pos, 2);
  if (!m || !expect(text, pos, '-')) return std::nullopt;
  auto d = read_digits(text, pos, 2);
  if (!d || pos != text.size()) return std::nullopt;
  CivilDate date{*y, *m, *d};
  if (!is_valid_date(date)) return std::nullopt;
  return date;
}

namespace {

// Writes 0 <= n < 10^width as exactly `width` digits. The server formats due times and
// request numbers for every new request under its merge lock, where snprintf's format
// parsing was a few percent of the time.
char* put_digits(char* out, int n, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + n % 10);
    n /= 10;
  }
  return out + width;
}

// Whether printf's "%04d-%02d-%02d" would write exactly 4, 2 and 2 digits.
bool fixed_width(const CivilDate& d) {
  return d.year >= 0 && d.year <= 9999 && d.month >= 0 && d.month <= 99 && d.day >= 0 && d.day <= 99;
}

// "YYYY-MM-DD" at `out`.
char* put_date(char* out, const CivilDate& d) {
  out = put_digits(out, d.year, 4);
  *out++ = '-';
  out = put_digits(out, d.month, 2);
  *out++ = '-';
  return put_digits(out, d.day, 2);
}

}  // namespace

std::string format_date(CivilDate d) {
  char buf[16];
  if (!fixed_width(d)) {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
    return buf;
  }
  return std::string(buf, put_date(buf, d));
}

std::optional<int> parse_utc_offset(std::string_view text) {
  // Named zones without daylight saving time that Rapidesk deployments use.
  struct Named { std::string_view name; int minutes; };
  static constexpr std::array<Named, 9> kNamed = {{
      {"Z", 0}, {"UTC", 0}, {"Etc/UTC", 0}, {"Asia/Shanghai", 480}, {"Asia/Hong_Kong", 480},
      {"Asia/Taipei", 480}, {"Asia/Singapore", 480}, {"Asia/Tokyo", 540}, {"Asia/Kolkata", 330}}};
  for (const auto& n : kNamed) {
    if (text == n.name) return n.minutes;
  }
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-') || text[3] != ':') return std::nullopt;
  size_t pos = 1;
  auto h = read_digits(text, pos, 2);
  ++pos;
  auto m = read_digits(text, pos, 2);
  if (!h || !m || *h > 14 || *m > 59) return std::nullopt;
  const int minutes = *h * 60 + *m;
  return text[0] == '-' ? -minutes : minutes;
}

Result<Instant> parse_iso8601(std::string_view text) {
  size_t pos = 0;
  auto y = read_digits(text, pos, 4);
  if (!y || !expect(text, pos, '-')) return bad_time(text);
  auto mo = read_digits(text, pos, 2);
  if (!mo || !expect(text, pos, '-')) return bad_time(text);
  auto d = read_digits(text, pos, 2);
  if (!d || !(expect(text, pos, 'T') || expect(text, pos, ' '))) return bad_time(text);
  auto h = read_digits(text, pos, 2);
  if (!h || !expect(text, pos, ':')) return bad_time(text);
  auto mi = read_digits(text, pos, 2);
  if (!mi) return bad_time(text);
  int sec = 0;
  int ms = 0;
  if (expect(text, pos, ':')) {
    auto s = read_digits(text, pos, 2);
    if (!s) return bad_time(text);
    sec = *s;
    if (expect(text, pos, '.') || expect(text, pos, ',')) {
      int scale = 100;
      size_t digits = 0;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        ms += (text[pos] - '0') * scale;
        scale /= 10;
        ++pos;
        ++digits;
      }
      if (digits == 0) return bad_time(text);
    }
  }
  const CivilDate date{*y, *mo, *d};
  if (!is_valid_date(date) || *h > 23 || *mi > 59 || sec > 59) return bad_time(text);
  auto offset = parse_utc_offset(text.substr(pos));
  if (!offset) return bad_time(text);
  const Instant local = days_from_civil(date) * kMsPerDay + *h * kMsPerHour + *mi * kMsPerMinute +
                        sec * 1000 + ms;
  return local - static_cast<Instant>(*offset) * kMsPerMinute;
}

std::string format_iso8601(Instant t, int utc_offset_minutes) {
  const Instant local = t + static_cast<Instant>(utc_offset_minutes) * kMsPerMinute;
  std::int64_t days = local / kMsPerDay;
  std::int64_t rem = local % kMsPerDay;
  if (rem < 0) {
    rem += kMsPerDay;
    --days;
  }
  const CivilDate d = civil_from_days(days);
  const int h = static_cast<int>(rem / kMsPerHour);
  const int mi = static_cast<int>(rem % kMsPerHour / kMsPerMinute);
  const int s = static_cast<int>(rem % kMsPerMinute / 1000);
  const int ms = static_cast<int>(rem % 1000);
  char buf[48];
  if (fixed_width(d) && std::abs(utc_offset_minutes) < 100 * 60) {
    char* out = put_date(buf, d);
    *out++ = 'T';
    out = put_digits(out, h, 2);
    *out++ = ':';
    out = put_digits(out, mi, 2);
    *out++ = ':';
    out = put_digits(out, s, 2);
    *out++ = '.';
    out = put_digits(out, ms, 3);
    if (utc_offset_minutes == 0) {
      *out++ = 'Z';
    } else {
      const int off = utc_offset_minutes < 0 ? -utc_offset_minutes : utc_offset_minutes;
      *out++ = utc_offset_minutes < 0 ? '-' : '+';
      out = put_digits(out, off / 60, 2);
      *out++ = ':';
      out = put_digits(out, off % 60, 2);
    }
    return std::string(buf, out);
  }
  if (utc_offset_minutes == 0) {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", d.year, d.month, d.day, h, mi, s, ms);
  } else {
    const int off = utc_offset_minutes < 0 ? -utc_offset_minutes : utc_offset_minutes;
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d%c%02d:%02d", d.year, d.month, d.day, h, mi,
                  s, ms, utc_offset_minutes < 0 ? '-' : '+', off / 60, off % 60);
  }
  return buf;
}

}  // namespace rapidesk
