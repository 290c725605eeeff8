#include "harness/runner/artifacts.h"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

#include "reports/json_report.h"

namespace leakgate::runner {

namespace fs = std::filesystem;

StatusOr<Artifacts> Artifacts::Create(const std::string& out_dir) {
  if (out_dir.empty()) {
    std::string pattern = (fs::temp_directory_path() / "leakgate-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) return Status::Internal("cannot create a temporary directory");
    return Artifacts(pattern, false);
  }
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) return Status::InvalidArgument(fmt::format("--out {}: cannot create the directory: {}", out_dir, ec.message()));
  if (::access(out_dir.c_str(), W_OK | X_OK) != 0) {
    return Status::InvalidArgument(fmt::format("--out {}: the directory is not writable", out_dir));
  }
  return Artifacts(out_dir, true);
}

Artifacts::Artifacts(Artifacts&& other) noexcept
    : dir_(std::move(other.dir_)), keep_(other.keep_), listed_(std::move(other.listed_)) {
  other.dir_.clear();
}

Artifacts::~Artifacts() {
  if (!keep_ && !dir_.empty()) {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
}

std::string Artifacts::PathOf(const std::string& name) const { return (fs::path(dir_) / name).string(); }

std::string Artifacts::Save(const std::string& name, const std::string& content) {
  if (!keep_) return "";
  try {
    reports::WriteFileAtomically(PathOf(name), content);
  } catch (const std::exception& e) {
    return fmt::format("could not save {}: {}", name, e.what());
  }
  List(name);
  return "";
}

void Artifacts::List(const std::string& name) {
  if (keep_) listed_.push_back(name);
}

}  // namespace leakgate::runner
