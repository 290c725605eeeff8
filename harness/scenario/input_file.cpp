#include "harness/scenario/input_file.h"

#include <fmt/format.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "harness/scenario/scenario_error.h"

namespace leakgate::scenario {
namespace {

[[noreturn]] void Fail(std::string_view what, std::string_view why) {
  throw ScenarioError(SourceMark{}, fmt::format("cannot read {}: {}", what, why));
}

}  // namespace

std::string FormatBytes(std::uintmax_t bytes) {
  constexpr std::uintmax_t kKiB = 1024, kMiB = kKiB * 1024, kGiB = kMiB * 1024;
  const auto scaled = [&](std::uintmax_t unit, std::string_view name) {
    const double value = static_cast<double>(bytes) / static_cast<double>(unit);
    return bytes % unit == 0 ? fmt::format("{} {}", bytes / unit, name) : fmt::format("{:.1f} {}", value, name);
  };
  if (bytes >= kGiB) return scaled(kGiB, "GiB");
  if (bytes >= kMiB) return scaled(kMiB, "MiB");
  if (bytes >= kKiB) return scaled(kKiB, "KiB");
  return fmt::format("{} bytes", bytes);
}

std::string ReadInputFile(const std::string& path, std::string_view what, std::uintmax_t ceiling) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) Fail(what, "is a directory");
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    Fail(what, err != 0 ? std::generic_category().message(err) : "cannot open");
  }
  // A regular file's size before reading it; a pipe or device has none and is read up to
  // the ceiling.
  if (const auto size = std::filesystem::file_size(path, ec); !ec && size > ceiling) {
    Fail(what, fmt::format("it is {}, more than {} (leakgate's ceiling)", FormatBytes(size), FormatBytes(ceiling)));
  }
  std::string text;
  char chunk[64 * 1024];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
    if (text.size() > ceiling) Fail(what, fmt::format("more than {} (leakgate's ceiling)", FormatBytes(ceiling)));
  }
  if (in.bad()) Fail(what, "read error");
  return text;
}

}  // namespace leakgate::scenario
