#include "harness/runner/target_process.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <deque>
#include <fstream>
#include <thread>

#include <fmt/format.h>

extern char** environ;

namespace leakgate::runner {

namespace {

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return fmt::format("killed by signal {} ({})", WTERMSIG(status), ::strsignal(WTERMSIG(status)));
  }
  return fmt::format("ended with wait status {}", status);
}

}  // namespace

TargetProcess TargetProcess::Start(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                                   const std::string& log_path) {
  if (argv.empty()) throw TargetStartError("target.command is empty");

  // Everything the child needs is prepared before fork(): after it, only async-signal-safe calls.
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  std::vector<std::string> env_storage;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view kv(*e);
    const auto name = kv.substr(0, kv.find('='));
    if (!env.contains(std::string(name))) env_storage.emplace_back(kv);
  }
  for (const auto& [k, v] : env) env_storage.push_back(k + "=" + v);
  std::vector<char*> cenv;
  for (auto& e : env_storage) cenv.push_back(e.data());
  cenv.push_back(nullptr);

  const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) throw TargetStartError(fmt::format("cannot open target log {}: {}", log_path, std::strerror(errno)));
  int exec_pipe[2];  // reports the exec errno to the parent; closed by a successful exec
  if (::pipe2(exec_pipe, O_CLOEXEC) != 0) {
    ::close(log_fd);
    throw TargetStartError(fmt::format("pipe: {}", std::strerror(errno)));
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    ::close(log_fd);
    ::close(exec_pipe[0]);
    ::close(exec_pipe[1]);
    throw TargetStartError(fmt::format("fork: {}", std::strerror(err)));
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // leakgate died before prctl took effect
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    ::execvpe(cargv[0], cargv.data(), cenv.data());
    const int err = errno;
    [[maybe_unused]] auto n = ::write(exec_pipe[1], &err, sizeof err);
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also in the parent, so the group exists before we signal it
  ::close(log_fd);
  ::close(exec_pipe[1]);
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(exec_pipe[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  ::close(exec_pipe[0]);
  if (n == sizeof child_errno) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    throw TargetStartError(fmt::format("cannot start target command \"{}\": {}", argv[0], std::strerror(child_errno)));
  }
  return TargetProcess(pid, log_path);
}

TargetProcess::TargetProcess(TargetProcess&& other) noexcept
    : pid_(other.pid_), log_path_(std::move(other.log_path_)), exit_status_(std::move(other.exit_status_)) {
  other.pid_ = -1;
}

TargetProcess::~TargetProcess() {
  if (pid_ > 0) Stop(std::chrono::seconds(2));
}

std::optional<std::string> TargetProcess::ExitStatus() {
  if (exit_status_ || pid_ <= 0) return exit_status_;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_status_ = DescribeWaitStatus(status);
    ::kill(-pid_, SIGKILL);  // whatever the target spawned goes with it
  }
  return exit_status_;
}

std::string TargetProcess::Stop(std::chrono::nanoseconds grace) {
  if (pid_ <= 0) return exit_status_.value_or("not started");
  if (ExitStatus()) return *exit_status_;
  ::kill(-pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ExitStatus()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!exit_status_) {
    ::kill(-pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    exit_status_ = DescribeWaitStatus(status) + " (after SIGKILL)";
  }
  ::kill(-pid_, SIGKILL);  // children that ignored SIGTERM
  return *exit_status_;
}

std::string TargetProcess::LogTail(int max_lines) const {
  std::ifstream in(log_path_);
  std::deque<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(std::move(line));
    if (static_cast<int>(lines.size()) > max_lines) lines.pop_front();
  }
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace leakgate::runner
