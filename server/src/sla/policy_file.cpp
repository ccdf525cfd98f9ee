#include "sla/policy_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "rapidesk/server/json_body.h"
#include "sla/default_assets.h"

namespace rapidesk::server {

namespace {

Status io_error(const std::filesystem::path& file, std::string_view what, int error = errno) {
  return Status::io(format_text(Text{"cannot {} the SLA policy file {}: {}", "无法{} SLA 策略文件 {}：{}"},
                                {Text{std::string(what), what == "read" ? "读取" : "写入"}, same_text(file.string()),
                                 same_text(std::strerror(error))}));
}

// Writes all of `data` to `fd`; false on any error.
bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

Result<PolicyDocument> read_policy_document(const std::filesystem::path& data_dir) {
  const std::filesystem::path file = data_dir / kSlaPolicyFileName;
  std::error_code ec;
  const bool stored = std::filesystem::exists(file, ec);
  if (ec) {
    // Not "no file" (that is ENOENT, which sets no error): the default must not replace
    // the policy in force because a share or a permission failed for a moment.
    return io_error(file, "read", ec.value());
  }
  if (!stored) return PolicyDocument{std::string(default_sla_policy_json()), false};
  std::ifstream in(file, std::ios::binary);
  if (!in) return io_error(file, "read");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return io_error(file, "read");
  return PolicyDocument{text.str(), true};
}

Result<SlaPolicy> parse_policy(std::string_view json_text) {
  // The generic JSON checks first (UTF-8, nesting depth), so no input can exhaust the stack.
  auto json = parse_json_body(json_text);
  if (!json) return json.status();
  return SlaPolicy::from_json(json_text);
}

Status write_policy_document(const std::filesystem::path& data_dir, std::string_view json_text) {
  const std::filesystem::path file = data_dir / kSlaPolicyFileName;
  const std::filesystem::path temp = data_dir / (std::string(kSlaPolicyFileName) + ".tmp");
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error(temp, "write");
  const bool written = write_all(fd, json_text) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written || std::rename(temp.c_str(), file.c_str()) != 0) {
    Status s = io_error(file, "write");
    std::error_code ec;
    std::filesystem::remove(temp, ec);
    return s;
  }
  // The rename itself must survive a crash: sync the directory entry.
  const int dir = ::open(data_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return Status::ok();
}

Status check_duty_calendar(const SlaPolicy& policy, const std::string& name) {
  if (name.empty() || policy.calendar(name) != nullptr) return Status::ok();
  return Status::invalid(format_text(Text{"the SLA policy has no calendar \"{}\", which the server's duty_calendar "
                                          "setting names",
                                          "SLA 策略中没有服务器配置项 duty_calendar 所指定的日历“{}”"},
                                     {same_text(name)}));
}

}  // namespace rapidesk::server
