#include "demo_data.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "rapidesk/shared/enums.h"

namespace rapidesk::demo {

namespace {

Status bad_file(const std::filesystem::path& file, const Text& what) {
  return Status::invalid(format_text(Text{"{} is not usable demo data: {}", "{} 不是可用的演示数据：{}"},
                                     {same_text(file.string()), what}));
}

// A string member, or "" when absent or not a string.
std::string text_of(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> strings_of(const nlohmann::json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

template <typename E>
bool known(const std::string& wire) {
  return from_wire<E>(wire).has_value();
}

}  // namespace

const DemoUser* DemoData::user(std::string_view name) const {
  for (const DemoUser& u : users) {
    if (u.name == name) return &u;
  }
  return nullptr;
}

std::filesystem::path default_demo_file() {
  const char* env = std::getenv("RAPIDESK_ASSETS");
  const std::filesystem::path dir = env != nullptr && *env != '\0' ? env : RAPIDESK_ASSETS_DIR;
  return dir / "demo" / "demo.json";
}

Result<DemoData> load_demo_data(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) {
    return Status::io(format_text(Text{"Cannot read the demo data file {}.", "无法读取演示数据文件 {}。"},
                                  {same_text(file.string())}));
  }
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, false);
  if (!j.is_object()) return bad_file(file, Text{"it is not a JSON object", "它不是 JSON 对象"});

  DemoData d;
  d.password = text_of(j, "demo_password");
  if (d.password.empty()) return bad_file(file, Text{"\"demo_password\" is missing", "缺少 \"demo_password\""});
  for (const char* list : {"teams", "users", "customers", "templates", "progress_notes"}) {
    auto it = j.find(list);
    if (it == j.end() || !it->is_array() || it->empty()) {
      return bad_file(file, format_text(Text{"\"{}\" must be a non-empty list", "\"{}\" 必须是非空列表"}, {same_text(list)}));
    }
  }
  for (const auto& t : j["teams"]) {
    if (!t.is_object() || text_of(t, "code").empty()) return bad_file(file, Text{"a team has no code", "有团队缺少 code"});
    d.teams.push_back(text_of(t, "code"));
  }
  for (const auto& u : j["users"]) {
    if (!u.is_object()) return bad_file(file, Text{"a user is not an object", "有用户不是对象"});
    DemoUser user{text_of(u, "name"), text_of(u, "display_name"), text_of(u, "role"), text_of(u, "team"),
                  strings_of(u, "skills")};
    if (user.name.empty() || !known<Role>(user.role) ||
        std::find(d.teams.begin(), d.teams.end(), user.team) == d.teams.end()) {
      return bad_file(file, format_text(Text{"user \"{}\" needs a name, a known role and a listed team",
                                             "用户“{}”需要名称、有效角色和已列出的团队"},
                                        {same_text(user.name)}));
    }
    d.users.push_back(std::move(user));
  }
  for (const auto& c : j["customers"]) {
    if (!c.is_object()) return bad_file(file, Text{"a customer is not an object", "有客户不是对象"});
    DemoCustomer customer{text_of(c, "name"), text_of(c, "customer_id"), text_of(c, "industry"), text_of(c, "tier"),
                          text_of(c, "contact")};
    if (customer.name.empty() || !known<Tier>(customer.tier)) {
      return bad_file(file, format_text(Text{"customer \"{}\" needs a name and a known tier", "客户“{}”需要名称和有效等级"},
                                        {same_text(customer.name)}));
    }
    d.customers.push_back(std::move(customer));
  }
  for (const auto& t : j["templates"]) {
    if (!t.is_object()) return bad_file(file, Text{"a template is not an object", "有模板不是对象"});
    RequestTemplate tpl{text_of(t, "category"), strings_of(t, "tags"), text_of(t, "title"), text_of(t, "description"),
                        text_of(t, "impact")};
    if (tpl.title.empty() || tpl.description.empty() || !known<Category>(tpl.category) ||
        !known<ImpactScope>(tpl.impact)) {
      return bad_file(file, format_text(Text{"template \"{}\" needs a title, a description, a known category and impact",
                                             "模板“{}”需要标题、描述、有效类别和影响范围"},
                                        {same_text(tpl.title)}));
    }
    d.templates.push_back(std::move(tpl));
  }
  d.progress_notes = strings_of(j, "progress_notes");
  if (d.progress_notes.empty()) return bad_file(file, Text{"\"progress_notes\" holds no text", "\"progress_notes\" 没有文本"});
  return d;
}

}  // namespace rapidesk::demo
