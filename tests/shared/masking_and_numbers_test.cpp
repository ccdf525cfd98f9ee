#include <gtest/gtest.h>

#include "rapidesk/shared/enums.h"
#include "rapidesk/shared/masking.h"
#include "rapidesk/shared/request_number.h"

namespace rapidesk {
namespace {

TEST(Masking, PhonesKeepHeadAndTail) {
  EXPECT_EQ(mask_phone("13812345678"), "138****5678");
  EXPECT_EQ(mask_phone("138-1234-5678"), "138-****-5678");
  EXPECT_EQ(mask_phone("+86 138 1234 5678"), "+86 138 **** 5678");
  EXPECT_EQ(mask_phone("010-6552 1234"), "010-**** 1234");
  EXPECT_EQ(mask_phone("12345"), "***45");
}

TEST(Masking, EmailsKeepFirstLetterAndDomain) {
  EXPECT_EQ(mask_email("zhang@example.com"), "z***@example.com");
  EXPECT_EQ(mask_email("张伟@例子.cn"), "张***@例子.cn");
  EXPECT_EQ(mask_email("@nobody"), "***");
  EXPECT_EQ(mask_contact("li@corp.cn"), "l***@corp.cn");
  EXPECT_EQ(mask_contact("13812345678"), "138****5678");
}

TEST(Masking, AppliedByRole) {
  EXPECT_EQ(contact_for("13812345678", Role::kField, false), "138****5678");
  EXPECT_EQ(contact_for("13812345678", Role::kField, true), "13812345678");
  EXPECT_EQ(contact_for("13812345678", Role::kAgent, false), "13812345678");
  EXPECT_EQ(contact_for("13812345678", Role::kCoordinator, false), "13812345678");
}

TEST(RequestNumber, FormatAndParse) {
  const RequestNumber n{{2026, 11, 23}, "TECH", 7};
  EXPECT_EQ(format_request_number(n), "20261123-TECH-0007");
  EXPECT_EQ(parse_request_number("20261123-TECH-0007"), n);
  EXPECT_EQ(format_request_number({{2026, 11, 23}, "SVC", 12345}), "20261123-SVC-12345");
  EXPECT_FALSE(parse_request_number("20261323-TECH-0007"));
  EXPECT_FALSE(parse_request_number("20261123-tech-0007"));
  EXPECT_FALSE(parse_request_number("20261123-TECH-7"));
  EXPECT_FALSE(parse_request_number("20261123-TECH-0000"));
  EXPECT_FALSE(is_valid_team_code("T"));
}

TEST(Enums, WireNamesAndLabelsAreStable) {
  EXPECT_EQ(to_wire(Channel::kWebForm), "web_form");
  EXPECT_EQ(from_wire<RequestStatus>("waiting_customer"), RequestStatus::kWaitingCustomer);
  EXPECT_FALSE(from_wire<Priority>("Urgent"));  // wire names are exact
  EXPECT_EQ(label(Category::kTechSupport).zh, "技术支持");
  EXPECT_EQ(label(Tier::kStrategic).en, "Strategic");
  for (const auto& e : enum_entries<RequestStatus>()) {
    EXPECT_FALSE(e.zh.empty());
    EXPECT_FALSE(e.en.empty());
  }
}

}  // namespace
}  // namespace rapidesk
