// Artifacts: the directory beside the report (--out DIR) and the files the run saves in
// it (target.log, raw dumps and profiles), each written atomically and listed for
// result.json. Without --out a temporary directory holds the target log and is removed
// when the run ends; nothing else is kept. Thread-safety: none (the runner's thread).
#pragma once

#include <string>
#include <vector>

#include "harness/base/status.h"

namespace leakgate::runner {

class Artifacts {
 public:
  // Creates `out_dir` (and parents) or, when empty, a temporary directory. kInvalidArgument
  // naming the directory when it cannot be created or written (a flag error: --out).
  static StatusOr<Artifacts> Create(const std::string& out_dir);
  Artifacts(Artifacts&& other) noexcept;
  Artifacts& operator=(Artifacts&&) = delete;
  Artifacts(const Artifacts&) = delete;
  ~Artifacts();

  const std::string& dir() const { return dir_; }
  // True with --out: files are kept and listed.
  bool keep() const { return keep_; }
  // `dir()/name`.
  std::string PathOf(const std::string& name) const;
  // Writes `name` atomically (with --out only) and lists it; a failure becomes a warning
  // string returned (empty on success), never an exception.
  std::string Save(const std::string& name, const std::string& content);
  // Lists a file someone else wrote into dir() (e.g. target.log).
  void List(const std::string& name);
  const std::vector<std::string>& listed() const { return listed_; }

 private:
  Artifacts(std::string dir, bool keep) : dir_(std::move(dir)), keep_(keep) {}
  std::string dir_;
  bool keep_ = false;
  std::vector<std::string> listed_;
};

}  // namespace leakgate::runner
