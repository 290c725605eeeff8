#include "harness/faults/proxy/fault_set.h"

#include <fmt/format.h>

#include "harness/faults/proxy/fault_names.h"

namespace leakgate::faults::proxy {

using scenario::DependencyFault;
using K = DependencyFault::Kind;

namespace {

// "" when `f` is well-formed, else what is wrong with it.
std::string Problem(const DependencyFault& f, const scenario::Dependency& dep) {
  if (!(f.probability >= 0 && f.probability <= 1)) return fmt::format("probability {} is not in [0, 1]", f.probability);
  if (scenario::IsHttpFault(f.kind) && !dep.http) {
    return fmt::format("dependency \"{}\" is relayed as TCP; HTTP faults need an HTTP relay (Dependency::http)", dep.name);
  }
  if (f.delay.count() < 0 || f.jitter.count() < 0 || f.after.count() < 0 || f.slow_interval.count() < 0) {
    return "durations must not be negative";
  }
  switch (f.kind) {
    case K::kBandwidth:
      if (f.rate <= 0) return "bandwidth needs a rate > 0 (bytes/s)";
      break;
    case K::kLimitData:
      if (f.bytes <= 0) return "limit_data needs bytes > 0";
      break;
    case K::kSlicer:
      if (f.size <= 0 || f.size_variation < 0 || f.size_variation >= f.size) {
        return "slicer needs size > 0 and 0 <= size_variation < size";
      }
      break;
    case K::kReset:
      if (f.after_bytes < 0) return "reset's after_bytes must not be negative";
      break;
    case K::kHttpError:
      if (f.status < 100 || f.status > 599) return fmt::format("status {} is not in 100..599", f.status);
      break;
    case K::kHttpSlowBody:
      if (f.slow_bytes <= 0) return "http_slow_body needs bytes > 0";
      break;
    default:
      break;
  }
  return "";
}

}  // namespace

const ActiveFault* FaultSet::Down(int d) const {
  for (const ActiveFault& a : by_dependency[static_cast<size_t>(d)]) {
    if (a.spec.kind == K::kDown) return &a;
  }
  return nullptr;
}

StatusOr<std::shared_ptr<const FaultSet>> BuildFaultSet(const std::string& phase, uint64_t generation,
                                                        const std::vector<DependencyFault>& faults,
                                                        const std::vector<scenario::Dependency>& dependencies,
                                                        CounterRegistry& registry) {
  auto set = std::make_shared<FaultSet>();
  set->phase = phase;
  set->generation = generation;
  set->by_dependency.resize(dependencies.size());
  for (size_t i = 0; i < faults.size(); ++i) {
    const DependencyFault& f = faults[i];
    const std::string where = fmt::format("phase \"{}\": fault {} ({})", phase, i, FaultKindName(f.kind));
    size_t d = 0;
    while (d < dependencies.size() && dependencies[d].name != f.dependency) ++d;
    if (d == dependencies.size()) {
      return Status::InvalidArgument(fmt::format("{}: dependency \"{}\" is not declared", where, f.dependency));
    }
    if (const std::string problem = Problem(f, dependencies[d]); !problem.empty()) {
      return Status::InvalidArgument(where + ": " + problem);
    }
    ActiveFault a;
    a.spec = f;
    a.index = static_cast<int>(i);
    a.counters = registry.ForFault(phase, static_cast<int>(d), a.index, f.kind);
    set->by_dependency[d].push_back(std::move(a));
  }
  for (size_t d = 0; d < dependencies.size(); ++d) {
    set->dependency_counters.push_back(registry.ForDependency(phase, static_cast<int>(d)));
  }
  return std::shared_ptr<const FaultSet>(std::move(set));
}

bool CarriedFault::Acts(Leg leg) const {
  if (!carried) return false;
  using D = DependencyFault::Direction;
  switch (active->spec.direction) {
    case D::kBoth: return true;
    case D::kUpstream: return leg == Leg::kUpstream;
    case D::kDownstream: return leg == Leg::kDownstream;
  }
  return false;
}

bool CarriedFault::CountConnection() {
  if (counted) return false;
  counted = true;
  Add(active->counters->connections, 1);
  return true;
}

bool ConnectionFaults::Refresh(const std::shared_ptr<const FaultSet>& set, int dependency, std::mt19937_64& rng) {
  if (set == set_) return false;
  std::vector<CarriedFault> next;
  for (const ActiveFault& a : set->by_dependency[static_cast<size_t>(dependency)]) {
    CarriedFault c;
    bool kept = false;
    for (const CarriedFault& old : faults_) {
      if (old.active->spec == a.spec) {
        c = old;  // coin and progress; counted again in the new phase's counters
        c.counted = false;
        kept = true;
        break;
      }
    }
    c.active = &a;
    if (!kept) {
      c.carried = scenario::IsHttpFault(a.spec.kind) ||
                  std::bernoulli_distribution(a.spec.probability)(rng);
    }
    next.push_back(c);
  }
  faults_ = std::move(next);
  set_ = set;
  return true;
}

CarriedFault* ConnectionFaults::Find(K kind, Leg leg) {
  for (CarriedFault& c : faults_) {
    if (c.active->spec.kind == kind && c.Acts(leg)) return &c;
  }
  return nullptr;
}

CarriedFault* ConnectionFaults::Find(K kind) {
  for (CarriedFault& c : faults_) {
    if (c.active->spec.kind == kind && c.carried) return &c;
  }
  return nullptr;
}

bool ConnectionFaults::StillOn(const DependencyFault& spec) const {
  for (const CarriedFault& c : faults_) {
    if (c.active->spec == spec) return true;
  }
  return false;
}

bool GlobMatch(std::string_view glob, std::string_view text) {
  // Iterative wildcard match with one backtrack point (the last '*'): O(|glob|·|text|).
  size_t g = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (g < glob.size() && (glob[g] == '?' || glob[g] == text[t])) {
      ++g;
      ++t;
    } else if (g < glob.size() && glob[g] == '*') {
      star = g++;
      resume = t;
    } else if (star != std::string_view::npos) {
      g = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

bool MatchesRequest(const DependencyFault& fault, std::string_view method, std::string_view target) {
  if (!fault.method.empty() && fault.method != method) return false;
  if (fault.path.empty()) return true;
  const std::string_view path = target.substr(0, target.find('?'));
  return GlobMatch(fault.path, path);
}

}  // namespace leakgate::faults::proxy
