// shown_field_value: the refused-edits and conflicts windows show a field's value as the
// detail window does, whatever the entity and field.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

#include "windows/widgets.h"

namespace {

using rapidesk::Language;
using namespace rapidesk::ui;

class ShownFieldValueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Local time is UTC here, so the shown time is predictable.
    if (const char* tz = std::getenv("TZ")) saved_tz_ = tz;
    setenv("TZ", "UTC", 1);
    tzset();
    set_language(Language::kChinese);
  }
  void TearDown() override {
    if (saved_tz_) setenv("TZ", saved_tz_->c_str(), 1);
    else unsetenv("TZ");
    tzset();
    set_language(Language::kEnglish);
  }

 private:
  std::optional<std::string> saved_tz_;
};

TEST_F(ShownFieldValueTest, ATimeInLocalTimeAChoiceByItsLabelAndTheRestAsItIs) {
  EXPECT_EQ(shown_field_value("request", "agreed_due", "2026-12-10T10:00:00+08:00"), "2026-12-10 02:00");
  EXPECT_EQ(shown_field_value("request", "priority", "urgent"), "紧急");
  EXPECT_EQ(shown_field_value("request", "status", "resolved"), "已解决");
  EXPECT_EQ(shown_field_value("request", "title", "打印机卡纸"), "打印机卡纸");
  EXPECT_EQ(shown_field_value("request", "progress", 40), "40");
  EXPECT_EQ(shown_field_value("request", "deleted", true), "true");
  // A field this client does not know (a newer server's) and a time it cannot read stay as they are.
  EXPECT_EQ(shown_field_value("request", "from_a_newer_server", "urgent"), "urgent");
  EXPECT_EQ(shown_field_value("request", "agreed_due", "next week"), "next week");
}

}  // namespace
