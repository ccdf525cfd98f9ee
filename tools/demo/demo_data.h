// The demo data file (assets/demo/demo.json): the people `rapidesk-server demo load`
// creates, and the customers, request templates and progress notes rapidesk-demo makes
// requests from.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "rapidesk/shared/status.h"

namespace rapidesk::demo {

struct DemoUser {
  std::string name;
  std::string display_name;
  std::string role;  // field | agent | coordinator | admin
  std::string team;
  std::vector<std::string> skills;
};

struct DemoCustomer {
  std::string name;
  std::string customer_id;
  std::string industry;
  std::string tier;  // wire name
  std::string contact;
};

struct RequestTemplate {
  std::string category;  // wire name
  std::vector<std::string> tags;
  std::string title;
  std::string description;
  std::string impact;  // wire name
};

struct DemoData {
  std::string password;  // every demo user's
  std::vector<std::string> teams;
  std::vector<DemoUser> users;
  std::vector<DemoCustomer> customers;
  std::vector<RequestTemplate> templates;
  std::vector<std::string> progress_notes;

  const DemoUser* user(std::string_view name) const;
};

// Reads and checks the file: every list present and non-empty, enum values known (tier,
// category, impact, role), every user's team listed. kInvalid / kIo naming the file and
// what is wrong.
Result<DemoData> load_demo_data(const std::filesystem::path& file);

// assets/demo/demo.json of this source tree, or of $RAPIDESK_ASSETS when set.
std::filesystem::path default_demo_file();

}  // namespace rapidesk::demo
