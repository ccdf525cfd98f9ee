// The desktop client's view-models without a window: countdown colours and texts, the list
// index (filters, sort, debounce, re-query on data changes), the intake form's rules and
// its draft.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <thread>

#include "countdown.h"
#include "field_labels.h"
#include "rapidesk/sync/schema.h"
#include "report_period.h"
#include "intake_form.h"
#include "request_list_model.h"
#include "rapidesk/client/local_replica.h"
#include "rapidesk/client/replica_reader.h"

namespace {

using namespace rapidesk;
using namespace rapidesk::ui;
using nlohmann::json;

constexpr Instant kNow = 1'795'000'000'000;  // 2026-11-18T07:06:40Z
constexpr Instant kHour = 3'600'000;

TEST(Countdown, FormatsRemainingTimeInAtMostTwoUnits) {
  EXPECT_EQ(format_remaining(0), "0m");
  EXPECT_EQ(format_remaining(12 * 60'000), "12m");
  EXPECT_EQ(format_remaining(2 * kHour + 15 * 60'000), "2h 15m");
  EXPECT_EQ(format_remaining(3 * 24 * kHour + 4 * kHour + 59 * 60'000), "3d 4h");
  EXPECT_EQ(format_remaining(-35 * 60'000), "-35m");
  EXPECT_EQ(format_remaining(std::numeric_limits<std::int64_t>::min()).front(), '-');
}

TEST(Countdown, ServerStateDecidesTheToneAndOverdueIsAlwaysBreached) {
  json row = {{"status", "in_progress"}, {"resolution_due", format_iso8601(kNow + 2 * kHour)}, {"sla_state", "on_track"}};
  EXPECT_EQ(countdown_for(row, kNow).tone, Tone::kOnTrack);
  EXPECT_EQ(countdown_for(row, kNow).text, "2h");
  row["sla_state"] = "warning";
  EXPECT_EQ(countdown_for(row, kNow).tone, Tone::kWarning);
  // The server has not ticked yet, but the due time passed.
  row["sla_state"] = "on_track";
  EXPECT_EQ(countdown_for(row, kNow + 3 * kHour).tone, Tone::kBreached);
  EXPECT_EQ(countdown_for(row, kNow + 3 * kHour).text, "-1h");
  row["status"] = "waiting_customer";
  EXPECT_EQ(countdown_for(row, kNow + 3 * kHour).tone, Tone::kPaused);
  row["status"] = "closed";
  EXPECT_EQ(countdown_for(row, kNow).tone, Tone::kDone);
  EXPECT_EQ(countdown_for(row, kNow).text, "");
}

TEST(Countdown, NewRequestShowsTheFirstResponseClock) {
  json row = {{"status", "new"},
              {"first_response_due", format_iso8601(kNow + 30 * 60'000)},
              {"resolution_due", format_iso8601(kNow + 48 * kHour)}};
  const Countdown c = countdown_for(row, kNow);
  EXPECT_TRUE(c.first_response);
  EXPECT_EQ(c.text, "30m");
  EXPECT_FALSE(c.offline);
}

TEST(Countdown, BeforeTheFirstSyncTheDeviceComputesTheClock) {
  // Filed on a customer's site, not yet synced: no server due times.
  json row = {{"status", "new"}, {"category", "complaint"}, {"priority", "urgent"},
              {"contacted_at", "2026-11-18T10:00:00+08:00"}};
  const Countdown c = countdown_for(row, *parse_iso8601("2026-11-18T10:10:00+08:00"));
  EXPECT_TRUE(c.offline);
  EXPECT_NE(c.tone, Tone::kNone);
  EXPECT_FALSE(c.text.empty());
  // Far past any first-response target: breached.
  const Countdown late = countdown_for(row, *parse_iso8601("2026-11-25T10:10:00+08:00"));
  EXPECT_EQ(late.tone, Tone::kBreached);
  EXPECT_EQ(late.text.front(), '-');
}

class ListModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("rapidesk-ui-" + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    auto r = client::LocalReplica::open(dir_ / "p.rapidesk");
    ASSERT_TRUE(r) << r.status().message().en;
    replica_ = std::move(*r);
    client::ProfileIdentity who = replica_->identity();
    who.user = "alice";
    who.role = "agent";
    who.team = "SVC";
    who.server_url = "http://127.0.0.1:9";
    ASSERT_TRUE(replica_->set_sign_in(who));
    auto reader = client::ReplicaReader::open(dir_ / "p.rapidesk");
    ASSERT_TRUE(reader);
    reader_ = std::move(*reader);
  }
  void TearDown() override {
    reader_.reset();
    replica_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string add(const std::string& customer, const std::string& category, const std::string& title) {
    std::vector<client::FieldInput> f = {{"customer", customer}, {"category", category}, {"channel", "visit"},
                                         {"description", title},  {"title", title}};
    auto id = replica_->create_request(f);
    EXPECT_TRUE(id) << id.status().message().en;
    return id ? *id : std::string();
  }
  std::filesystem::path dir_;
  std::unique_ptr<client::LocalReplica> replica_;
  std::unique_ptr<client::ReplicaReader> reader_;
};

TEST_F(ListModelTest, FiltersSortsAndReadsOnlyTheRowsAsked) {
  add("华东物流", "tech_support", "扫码枪无法连接");
  add("Beta Ltd", "complaint", "Late delivery");
  add("Gamma", "tech_support", "ERP sync fails");
  RequestListModel m;
  const auto t0 = RequestListModel::Clock::now();
  ASSERT_TRUE(m.refresh(*reader_, kNow, t0));
  EXPECT_EQ(m.size(), 3u);
  m.filter.category = "tech_support";
  m.filter.sort = client::RequestSort::kCustomer;
  m.filter.descending = false;
  // Debounced: nothing changes until the filter has been still for `debounce`.
  EXPECT_FALSE(*m.refresh(*reader_, kNow, t0 + std::chrono::milliseconds(10)));
  EXPECT_EQ(m.size(), 3u);
  EXPECT_TRUE(*m.refresh(*reader_, kNow, t0 + std::chrono::milliseconds(500)));
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m.row(*reader_, 0)->at("customer"), "Gamma");
  EXPECT_EQ(m.row(*reader_, 1)->at("customer"), "华东物流");
  EXPECT_EQ(m.row(*reader_, 2), nullptr);
  // Chinese full-text search.
  m.filter.category.clear();
  m.filter.search = "扫码";
  ASSERT_TRUE(m.refresh(*reader_, kNow, t0 + std::chrono::seconds(1)));
  ASSERT_TRUE(m.refresh(*reader_, kNow, t0 + std::chrono::seconds(2)));
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m.row(*reader_, 0)->at("title"), "扫码枪无法连接");
}

TEST_F(ListModelTest, DataChangesAreFoldedAndThenShown) {
  add("A", "consultation", "one");
  RequestListModel m;
  const auto t0 = RequestListModel::Clock::now();
  ASSERT_TRUE(m.refresh(*reader_, kNow, t0));
  ASSERT_EQ(m.size(), 1u);
  add("B", "consultation", "two");
  m.mark_data_changed();
  // Within the refresh interval of the last query: folded, not re-read yet.
  EXPECT_FALSE(*m.refresh(*reader_, kNow, t0 + std::chrono::milliseconds(100)));
  EXPECT_EQ(m.size(), 1u);
  EXPECT_TRUE(*m.refresh(*reader_, kNow, t0 + std::chrono::seconds(1)));
  EXPECT_EQ(m.size(), 2u);
  // Unsynced rows are marked for the list.
  EXPECT_GT(m.row(*reader_, 0)->value("unsynced", 0), 0);
}

TEST_F(ListModelTest, BackgroundQueriesAnswerOnALaterFrame) {
  add("A", "consultation", "one");
  add("B", "complaint", "two");
  RequestListModel m;
  ASSERT_TRUE(m.run_queries_in_background(dir_ / "p.rapidesk"));
  const auto t0 = RequestListModel::Clock::now();
  // The first call only posts the query: the frame does not wait for it.
  ASSERT_TRUE(m.refresh(*reader_, kNow, t0));
  EXPECT_FALSE(m.loaded());
  auto wait_loaded = [&](std::size_t expected) {
    for (int i = 0; i < 500; ++i) {
      (void)m.refresh(*reader_, kNow, t0 + std::chrono::seconds(10 + i));
      if (m.loaded() && !m.query_running() && m.size() == expected) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  };
  ASSERT_TRUE(wait_loaded(2));
  m.filter.category = "complaint";
  ASSERT_TRUE(wait_loaded(1));
  EXPECT_EQ(m.row(*reader_, 0)->at("customer"), "B");
}

TEST_F(ListModelTest, IntakeFormChecksFieldsSuggestsPriorityAndFiles) {
  IntakeForm form;
  form.reset(kNow);
  EXPECT_FALSE(form.values["contacted_at"].empty());  // defaults to now
  auto problems = form.problems(kNow);
  EXPECT_TRUE(problems.count("customer"));
  EXPECT_TRUE(problems.count("category"));
  EXPECT_TRUE(problems.count("description"));
  EXPECT_FALSE(form.submit(*replica_, kNow));  // refused, nothing filed
  form.values["customer"] = "苏州精密制造";
  form.values["category"] = "tech_support";
  form.values["description"] = "产线停了";
  form.values["impact"] = "company";
  form.values["tier"] = "strategic";
  form.values["expected_at"] = format_iso8601(kNow + kHour);
  form.values["contacted_at"] = "yesterday";
  EXPECT_TRUE(form.problems(kNow).count("contacted_at"));
  form.values["contacted_at"] = format_iso8601(kNow - 10 * 60'000);
  EXPECT_TRUE(form.problems(kNow).empty());
  auto s = form.suggestion(kNow);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->priority, Priority::kUrgent);
  // An override needs a reason.
  form.override_priority = true;
  form.override_priority_value = "low";
  EXPECT_TRUE(form.problems(kNow).count("priority_reason"));
  form.override_reason = "客户说不急";
  EXPECT_TRUE(form.problems(kNow).empty());
  // The draft keeps everything typed.
  IntakeForm copy;
  copy.from_draft(form.to_draft());
  EXPECT_EQ(copy.values, form.values);
  EXPECT_EQ(copy.override_reason, "客户说不急");
  // A draft member of the wrong type (another version, a hand edit) keeps its default
  // instead of throwing at every start of the app.
  IntakeForm odd;
  odd.from_draft(R"({"values":{"customer":"华东医院"},"override_priority":"yes","override_reason":7})");
  EXPECT_EQ(odd.values.at("customer"), "华东医院");
  EXPECT_FALSE(odd.override_priority);
  EXPECT_EQ(odd.override_reason, "");
  auto id = form.submit(*replica_, kNow);
  ASSERT_TRUE(id) << id.status().message().en;
  EXPECT_TRUE(form.empty());
  auto r = reader_->request(*id);
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)["priority"], "low");
  EXPECT_EQ((*r)["priority_override_by"], "alice");
  EXPECT_EQ((*r)["customer"], "苏州精密制造");
}

TEST(UiText, FollowsTheChosenLanguage) {
  set_language(Language::kEnglish);
  EXPECT_STREQ(tr({"Requests", "请求"}), "Requests");
  set_language(Language::kChinese);
  EXPECT_STREQ(tr({"Requests", "请求"}), "请求");
  EXPECT_EQ(choice_label("priority", "urgent"), "紧急");
  EXPECT_EQ(choice_label("resolution", "kept_theirs"), "保留对方的");
  set_language(Language::kEnglish);
  EXPECT_EQ(choice_label("priority", "urgent"), "Urgent");
  EXPECT_EQ(choice_label("resolution", "merged"), "merged");
  EXPECT_EQ(choice_label("resolution", "a_newer_kind"), "a_newer_kind");
}

// The refused-edits and conflicts windows name fields as people do: every field a replica
// can hold has a label in both languages.
TEST(FieldLabels, EveryFieldOfTheSchemaHasALabelInBothLanguages) {
  for (const sync::EntitySpec& e : sync::entities()) {
    for (const sync::FieldSpec& f : e.fields) {
      const auto label = known_field_label(e.name, f.name);
      ASSERT_TRUE(label.has_value()) << e.name << "." << f.name << " has no label";
      EXPECT_NE(std::string_view(label->en), f.name) << e.name << "." << f.name;
      EXPECT_NE(std::string_view(label->zh).find_first_not_of(
                    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _/"),
                std::string_view::npos)
          << e.name << "." << f.name << ": " << label->zh;
    }
  }
  EXPECT_EQ(known_field_label("activity", "text")->zh, std::string_view("记录内容"));
  EXPECT_EQ(known_field_label("request", "title")->zh, std::string_view("标题"));
  set_language(Language::kChinese);
  EXPECT_EQ(field_label("request", "agreed_due"), "重新约定期限");
  EXPECT_EQ(field_label("request", "from_a_newer_server"), "from_a_newer_server");
  set_language(Language::kEnglish);
  EXPECT_EQ(field_label("request", "agreed_due"), "Re-agreed due");
}

}  // namespace

namespace {

using namespace rapidesk;
using namespace rapidesk::ui;

TEST(ReportPeriod, PresetsAreLocalWeeksAndMonths) {
  // 2026-11-18 is a Wednesday; at 23:30 UTC it is already Thursday the 19th in +08:00.
  const Instant wed = *parse_iso8601("2026-11-18T23:30:00Z");
  EXPECT_EQ(preset_dates(PeriodPreset::kThisWeek, wed, 0), (std::pair<std::string, std::string>{"2026-11-16", "2026-11-18"}));
  EXPECT_EQ(preset_dates(PeriodPreset::kThisWeek, wed, 480).second, "2026-11-19");
  EXPECT_EQ(preset_dates(PeriodPreset::kLastWeek, wed, 480), (std::pair<std::string, std::string>{"2026-11-09", "2026-11-15"}));
  EXPECT_EQ(preset_dates(PeriodPreset::kThisMonth, wed, 480), (std::pair<std::string, std::string>{"2026-11-01", "2026-11-19"}));
  EXPECT_EQ(preset_dates(PeriodPreset::kLastMonth, wed, 480), (std::pair<std::string, std::string>{"2026-10-01", "2026-10-31"}));
  // Across a year boundary, and a Monday is its own week's start.
  const Instant jan = *parse_iso8601("2027-01-04T10:00:00+08:00");
  EXPECT_EQ(preset_dates(PeriodPreset::kLastMonth, jan, 480), (std::pair<std::string, std::string>{"2026-12-01", "2026-12-31"}));
  EXPECT_EQ(preset_dates(PeriodPreset::kThisWeek, jan, 480).first, "2027-01-04");
}

TEST(ReportPeriod, DatesAndTargets) {
  EXPECT_TRUE(is_date("2026-02-28"));
  EXPECT_FALSE(is_date("2026-02-30"));
  EXPECT_FALSE(is_date("2026-13-01"));
  EXPECT_FALSE(is_date("26-01-01"));
  EXPECT_FALSE(is_date("2026-01-0x"));
  EXPECT_EQ(offset_text(480), "+08:00");
  EXPECT_EQ(offset_text(-150), "-02:30");
  EXPECT_EQ(summary_target("2026-11-16", "2026-11-22", "team", 480),
            "/api/v1/reports/summary?from=2026-11-16&to=2026-11-22&group=team&utc_offset=%2B08:00");
  EXPECT_EQ(requests_export_target("2026-11-16", "2026-11-22", -300),
            "/api/v1/reports/requests.csv?from=2026-11-16&to=2026-11-22&utc_offset=-05:00");
  EXPECT_EQ(duration_text(-1), "-");
  EXPECT_EQ(duration_text(90 * 60'000), "1h 30m");
}

}  // namespace
