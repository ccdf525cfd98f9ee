// The people-facing report formats on a real server state: requests.xlsx and summary.xlsx
// opened by LibreOffice (converted to CSV) must hold exactly what the CSV exports hold,
// Chinese text intact and formula-like text as text; summary.html must be one
// self-contained page with every data value escaped.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "rapidesk/shared/csv.h"
#include "reports/report_html.h"
#include "reports/report_xlsx.h"
#include "sla_harness.h"

namespace rapidesk::server {
namespace {

using testing::at;
using testing::Device;
using testing::SlaHarness;
using testing::TempDir;

constexpr const char* kWeek = "from=2026-11-16&to=2026-11-22";
constexpr const char* kFormula = "=HYPERLINK(\"http://evil.example\",\"click\")";
constexpr const char* kScriptTitle = "<script>alert('x')</script> 打印机卡纸";

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The LibreOffice program on PATH ("libreoffice" or "soffice"), or empty.
std::string find_office() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    for (const char* name : {"libreoffice", "soffice"}) {
      const auto candidate = std::filesystem::path(dir) / name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
  }
  return {};
}

// Converts `xlsx_bytes` with LibreOffice to UTF-8 CSV, one file per sheet, and returns the
// CSV texts in sheet order. Fails the test (with how to fix it) when LibreOffice is missing.
std::vector<std::string> office_csv(const std::string& xlsx_bytes, const TempDir& dir, size_t sheets) {
  const std::string office = find_office();
  if (office.empty()) {
    ADD_FAILURE() << "LibreOffice (libreoffice or soffice) is not on PATH: run tools/setup, which installs "
                     "libreoffice-calc-nogui";
    return {};
  }
  const auto file = dir.path() / "report.xlsx";
  std::ofstream(file, std::ios::binary) << xlsx_bytes;
  // 44 = ',', 34 = '"', 76 = UTF-8, 1 = first line; the 12th token -1 = every sheet to its own file.
  const std::string filter = sheets > 1 ? "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
                                        : "csv:Text - txt - csv (StarCalc):44,34,76,1";
  const std::string command = "'" + office + "' -env:UserInstallation=file://" + (dir.path() / "profile").string() +
                              " --headless --convert-to '" + filter + "' --outdir '" + dir.path().string() + "' '" +
                              file.string() + "' >'" + (dir.path() / "office.log").string() + "' 2>&1";
  const int rc = std::system(command.c_str());
  EXPECT_EQ(rc, 0) << command << "\n" << read_file(dir.path() / "office.log");
  std::vector<std::string> out;
  if (sheets == 1) {
    out.push_back(read_file(dir.path() / "report.csv"));
  } else {
    // Files are named report-SHEET.csv; sheet order is the workbook's.
    for (const char* sheet : {"Summary 汇总", "Groups 分组", "Recurring 重复问题"}) {
      out.push_back(read_file(dir.path() / (std::string("report-") + sheet + ".csv")));
    }
  }
  for (const auto& text : out) EXPECT_FALSE(text.empty()) << read_file(dir.path() / "office.log");
  return out;
}

// Workbooks left in the temp dir by the report routes.
size_t workbooks_in(const std::filesystem::path& dir) {
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    n += e.path().filename().string().rfind("rapidesk-report-", 0) == 0;
  }
  return n;
}

std::vector<std::vector<std::string>> table_of(const std::string& csv) {
  auto rows = parse_csv(csv);
  EXPECT_TRUE(rows.is_ok()) << (rows ? "" : rows.status().message().en);
  return rows ? *rows : std::vector<std::vector<std::string>>{};
}

class ReportExportsTest : public ::testing::Test {
 protected:
  ReportExportsTest() : h(at("2026-11-23T09:00:00+08:00")) {
    h.add_team("NORTH");
    h.add_team("HQ");
    h.add_user("coord", Role::kCoordinator, "HQ");
    h.add_user("field.north", Role::kField, "NORTH");
    // A device clock never runs backwards: the week before comes first.
    record("2026-11-10T10:00", "2026-11-10T12:00", 5, "上周客户", "发票抬头错误", "发票抬头错误");
    record("2026-11-16T10:00", "2026-11-16T11:00", 4, "华东物流", kScriptTitle, "打印机卡纸无法打印");
    record("2026-11-17T10:00", "2026-11-17T15:00", 2, "华东物流 & 子公司", kScriptTitle, "打印机卡纸无法打印");
    record("2026-11-18T10:00", "", 0, "\"北方\" 客户", "网络断开", kFormula);
  }

  void record(const std::string& contacted, const std::string& resolved, int satisfaction, const std::string& customer,
              const std::string& title, const std::string& description) {
    north.clock = at(contacted + ":00+08:00");
    const std::string id = h.new_request(north, north.clock,
                                         {{"team", "NORTH"},
                                          {"owner", "field.north"},
                                          {"customer", customer},
                                          {"title", title},
                                          {"contact", "13812345678"},
                                          {"description", description}});
    h.push(north);
    north.clock += 30 * kMsPerMinute;
    h.set(north, id, "status", sync::Value::string("triaged"));
    h.set(north, id, "status", sync::Value::string("in_progress"));
    h.set(north, id, "progress", sync::Value::integer(50));
    h.add_activity(north, id, "customer_contact", north.clock, "已回复客户");
    h.push(north);
    if (!resolved.empty()) {
      north.clock = at(resolved + ":00+08:00");
      h.set(north, id, "status", sync::Value::string("resolved"));
      if (satisfaction) h.set(north, id, "satisfaction", sync::Value::integer(satisfaction));
      h.push(north);
    }
  }

  HttpResponse get(const std::string& target, const std::string& user = "coord") {
    return h.request("GET", target, {}, h.token_for(user));
  }

  static std::string header(const HttpResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return {};
  }

  SlaHarness h;
  Device north{"laptop-north", "field.north"};
};

TEST_F(ReportExportsTest, RequestsXlsxOpensInLibreOfficeWithTheCsvExportsCells) {
  // The workbook is written to a temp file: here one of this test's own, so that another
  // test exporting at the same time (ctest -j2) does not count.
  TempDir own_tmp;
  const char* tmpdir = std::getenv("TMPDIR");
  const std::string saved_tmpdir = tmpdir != nullptr ? tmpdir : "";
  setenv("TMPDIR", own_tmp.path().c_str(), 1);
  HttpResponse x = get(std::string("/api/v1/reports/requests.xlsx?") + kWeek);
  const size_t leftovers = workbooks_in(own_tmp.path());
  if (tmpdir != nullptr) setenv("TMPDIR", saved_tmpdir.c_str(), 1);
  else unsetenv("TMPDIR");
  ASSERT_EQ(x.status, 200) << x.body;
  EXPECT_EQ(leftovers, 0u) << "the temp file is removed";
  EXPECT_EQ(x.content_type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_EQ(header(x, "Content-Disposition"), "attachment; filename=\"rapidesk-requests-2026-11-16.xlsx\"");
  ASSERT_EQ(x.body.rfind("PK", 0), 0u) << "not a zip container";

  TempDir dir;
  const auto sheets = office_csv(x.body, dir, 1);
  ASSERT_EQ(sheets.size(), 1u);
  const std::string& text = sheets[0];
  // Chinese text intact, the formula a literal string (LibreOffice would print its result,
  // "click", had it been stored as a formula).
  EXPECT_NE(text.find("华东物流 & 子公司"), std::string::npos) << text;
  EXPECT_NE(text.find("\"=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\""), std::string::npos) << text;

  // Cell for cell what requests.csv holds (the same rows, columns and header).
  const auto from_xlsx = table_of(text);
  const auto from_csv = table_of(get(std::string("/api/v1/reports/requests.csv?") + kWeek).body);
  ASSERT_EQ(from_csv.size(), 4u);  // header + the three requests of the week
  EXPECT_EQ(from_xlsx, from_csv);
  EXPECT_EQ(from_xlsx[0][0], "number");

  // The masked contact and the filters apply as in the CSV.
  const auto mine = get(std::string("/api/v1/reports/requests.xlsx?status=resolved&") + kWeek, "field.north");
  ASSERT_EQ(mine.status, 200);
  TempDir dir2;
  const auto resolved = table_of(office_csv(mine.body, dir2, 1).at(0));
  EXPECT_EQ(resolved,
            table_of(get(std::string("/api/v1/reports/requests.csv?status=resolved&") + kWeek, "field.north").body));
  EXPECT_EQ(resolved.size(), 3u);
}

TEST_F(ReportExportsTest, SummaryXlsxHoldsFiguresGroupsAndRecurringIssues) {
  HttpResponse x = get(std::string("/api/v1/reports/summary.xlsx?group=team&") + kWeek);
  ASSERT_EQ(x.status, 200) << x.body;
  EXPECT_EQ(header(x, "Content-Disposition"), "attachment; filename=\"rapidesk-summary-2026-11-16.xlsx\"");
  const nlohmann::json summary =
      nlohmann::json::parse(get(std::string("/api/v1/reports/summary?group=team&") + kWeek).body);

  TempDir dir;
  const auto sheets = office_csv(x.body, dir, 3);
  ASSERT_EQ(sheets.size(), 3u);
  // Sheet 1: metric key, zh, en, this period, previous period, change.
  std::map<std::string, std::vector<std::string>> figures;
  for (const auto& row : table_of(sheets[0])) {
    if (row.size() >= 6) figures[row[0]] = row;
  }
  ASSERT_TRUE(figures.count("opened")) << sheets[0];
  EXPECT_EQ(figures["opened"][1], "新建");
  EXPECT_EQ(figures["opened"][2], "Opened");
  EXPECT_EQ(figures["opened"][3], summary["total"]["opened"].dump());
  EXPECT_EQ(figures["opened"][4], summary["previous"]["figures"]["opened"].dump());
  EXPECT_EQ(figures["opened"][5], "2");  // 3 this week, 1 the week before
  EXPECT_EQ(figures["resolved"][3], "2");
  // Resolution: 1 h and 5 h -> median (rank 1 of 2) 1 h, shown in hours with 2 decimals.
  EXPECT_EQ(figures["resolution.calendar.median_hours"][3], "1.00");
  EXPECT_EQ(figures["satisfaction.mean"][3], "3.00");
  EXPECT_EQ(figures["satisfaction.counts.4"][3], "1");
  // Sheet 2: one row per group.
  const auto groups = table_of(sheets[1]);
  ASSERT_EQ(groups.size(), 2u) << sheets[1];
  EXPECT_EQ(groups[1][0], "NORTH");
  EXPECT_EQ(groups[0][2], "新建 / Opened");
  EXPECT_EQ(groups[1][2], "3");
  // Sheet 3: the two printer requests form one recurring issue; its text stays text.
  const auto recurring = table_of(sheets[2]);
  ASSERT_EQ(recurring.size(), 2u) << sheets[2];
  EXPECT_EQ(recurring[1][1], "2");
  EXPECT_NE(recurring[1][3].find(kScriptTitle), std::string::npos);
}

TEST_F(ReportExportsTest, SummaryHtmlIsSelfContainedAndEscapesData) {
  HttpResponse r = get(std::string("/api/v1/reports/summary.html?group=team&") + kWeek);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  const std::string& page = r.body;
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  // The recurring issue's title is data: escaped, never a live element.
  EXPECT_NE(page.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; 打印机卡纸"), std::string::npos) << page;
  std::string lower = page;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(lower.find("<script"), std::string::npos);
  EXPECT_EQ(lower.find("javascript:"), std::string::npos);
  EXPECT_EQ(lower.find(" src="), std::string::npos) << "no external resource";
  EXPECT_EQ(lower.find("<link"), std::string::npos);
  EXPECT_EQ(lower.find("@import"), std::string::npos);
  EXPECT_NE(page.find("@media print"), std::string::npos);
  // Charts are inline SVG: the groups' bars and the satisfaction distribution.
  EXPECT_NE(page.find("aria-label=\"各分组新建与解决数量\""), std::string::npos);
  EXPECT_NE(page.find("aria-label=\"满意度分布\""), std::string::npos);
  // Chinese labels by default, English on request, with the previous-period comparison.
  EXPECT_NE(page.find(">新建<"), std::string::npos);
  EXPECT_NE(page.find("上期 1 · ▲ 2"), std::string::npos) << "opened 3 against 1";
  HttpResponse en = get(std::string("/api/v1/reports/summary.html?lang=en&") + kWeek);
  ASSERT_EQ(en.status, 200);
  EXPECT_NE(en.body.find(">Opened<"), std::string::npos);
  EXPECT_NE(en.body.find("<html lang=\"en\">"), std::string::npos);
  EXPECT_EQ(en.body.find("新建"), std::string::npos);
  EXPECT_EQ(get(std::string("/api/v1/reports/summary.html?lang=fr&") + kWeek).status, 400);
  EXPECT_EQ(h.request("GET", std::string("/api/v1/reports/summary.html?") + kWeek, {}, {}).status, 401);
  EXPECT_EQ(h.request("GET", std::string("/api/v1/reports/summary.html?lang=fr&") + kWeek, {}, {}).status, 401)
      << "signing in comes before the parameters";
}

TEST(ReportXlsx, MoreRowsThanASheetHoldsIsAClearErrorNotATruncatedFile) {
  std::vector<std::vector<std::string>> table(1'048'577, std::vector<std::string>{"x"});
  auto book = requests_xlsx(table);
  ASSERT_FALSE(book.is_ok());
  EXPECT_EQ(book.status().code(), ErrorCode::kInvalid);
  EXPECT_NE(book.status().message().en.find("1048575"), std::string::npos) << book.status().message().en;
  table.resize(3);
  auto small = requests_xlsx(table);
  ASSERT_TRUE(small.is_ok());
  EXPECT_EQ(small->rfind("PK", 0), 0u);
}

TEST(ReportHtml, GroupKeysAndTagsFromDataAreEscapedInTablesAndCharts) {
  // Owners and tags are free text to this page: the table cell and the SVG label alike.
  const nlohmann::json figures = {
      {"opened", 1},
      {"resolved", 0},
      {"closed", 0},
      {"reopened", 0},
      {"reopen_rate_percent", nullptr},
      {"backlog_at_end", 1},
      {"first_response",
       {{"calendar", {{"count", 0}, {"median_ms", nullptr}, {"p90_ms", nullptr}}},
        {"working", {{"count", 0}, {"median_ms", nullptr}, {"p90_ms", nullptr}}}}},
      {"resolution",
       {{"calendar", {{"count", 0}, {"median_ms", nullptr}, {"p90_ms", nullptr}}},
        {"working", {{"count", 0}, {"median_ms", nullptr}, {"p90_ms", nullptr}}}}},
      {"sla", nlohmann::json::object()},
      {"satisfaction", {{"mean", nullptr}, {"counts", {{"1", 0}, {"2", 0}, {"3", 0}, {"4", 0}, {"5", 0}}}}}};
  const nlohmann::json summary = {{"from", "2026-11-16"},
                                  {"to", "2026-11-22"},
                                  {"utc_offset", "+08:00"},
                                  {"group", "owner"},
                                  {"period", {{"start", ""}, {"end", ""}}},
                                  {"total", figures},
                                  {"previous", {{"start", ""}, {"end", ""}, {"figures", figures}}},
                                  {"groups", {{"<img src=x onerror=alert(1)>", figures}}},
                                  {"recurring",
                                   {{{"count", 2},
                                     {"example_numbers", {"20261116-NORTH-0001\"><b>"}},
                                     {"example_text", "a & b"},
                                     {"common_tags", {"</td><script>"}}}}}};
  const std::string page = summary_html(summary, Language::kEnglish);
  EXPECT_EQ(page.find("<img"), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_EQ(page.find("\"><b>"), std::string::npos);
  EXPECT_NE(page.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);  // table cell
  EXPECT_NE(page.find("&lt;img src=x onerr…"), std::string::npos);                // chart label, shortened
  EXPECT_NE(page.find("&lt;/td&gt;&lt;script&gt;"), std::string::npos);
  EXPECT_NE(page.find("a &amp; b"), std::string::npos);
  EXPECT_EQ(html_escape("\xff<"), "\xEF\xBF\xBD&lt;") << "invalid UTF-8 is replaced, not passed on";
}

}  // namespace
}  // namespace rapidesk::server
