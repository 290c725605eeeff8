// Scenario loading, top level: the document checks (one YAML document, a mapping), the
// vars: section and --var overrides, and the order in which the sections are read.
//
// Structure of the loader (each file one part, see its header):
//   context.h          per-load state: file name, variables, ${...} substitution, ports
//   yaml_reader.h      Reader/MapReader: typed reads with file:line:column errors, did-you-mean
//   messages.h, protocol_syntax.h   wording of messages; HTTP/gRPC syntax predicates
//   templates.h        {{seq}}, {{randint A B}}, ... (pure)
//   traffic_files.h    CSV, JSON-lines and HAR recordings, gRPC replay files (pure, fuzzed)
//   target_section.h, traffic_section.h, grpc_section.h, phases_section.h,
//   faults_section.h, assert_section.h, dependencies_section.h   one reader per section
#include "harness/scenario/scenario_loader.h"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <optional>
#include <sstream>
#include <vector>

#include "harness/scenario/assert_section.h"
#include "harness/scenario/context.h"
#include "harness/scenario/dependencies_section.h"
#include "harness/scenario/grpc_section.h"
#include "harness/scenario/input_file.h"
#include "harness/scenario/limits.h"
#include "harness/scenario/messages.h"
#include "harness/scenario/phases_section.h"
#include "harness/scenario/safety_section.h"
#include "harness/scenario/target_section.h"
#include "harness/scenario/traffic_section.h"
#include "harness/scenario/yaml_reader.h"

namespace leakgate::scenario {
namespace {

// A vars: value: used as written, except that "$${" stands for "${" as everywhere else. A
// reference ("${x}") is an error rather than passed through, since it would otherwise reach
// the command line unexpanded.
std::string VarValue(const Reader& r) {
  const std::string text = r.Literal();
  std::string out;
  for (size_t i = 0; i < text.size();) {
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
    } else if (text.compare(i, 2, "${") == 0) {
      r.Fail(fmt::format("vars values cannot refer to variables ({}); use them where the value is used, "
                         "or write \"$${{\" for a literal \"${{\"", Quoted(text)));
    } else {
      out += text[i++];
    }
  }
  return out;
}

// vars: NAME: VALUE, then --var overrides (used exactly as given) on top.
void ReadVars(Context& ctx, const std::optional<Reader>& vars, const LoadOptions& options) {
  if (vars) {
    for (const auto& [name, key_mark, value] : vars->Entries()) {
      if (IsReservedVarName(name)) {
        ctx.Fail(key_mark, vars->path(), fmt::format("'{}' is a built-in variable and cannot be declared", Printable(name)));
      }
      if (!IsVarName(name)) {
        ctx.Fail(key_mark, vars->path(),
                 fmt::format("invalid variable name '{}' (letters, digits, '_' and '-', starting with a letter or '_')", Printable(name)));
      }
      ctx.SetVar(name, VarValue(value));
    }
  }
  for (const auto& [name, value] : options.var_overrides) {
    if (IsReservedVarName(name)) ctx.FailUnplaced(fmt::format("--var {}: '{}' is a built-in variable and cannot be set", Printable(name), Printable(name)));
    if (!IsVarName(name)) ctx.FailUnplaced(fmt::format("--var {}: invalid variable name", Printable(name)));
    ctx.SetVar(name, value);
  }
}

Scenario ReadScenario(Context& ctx, const Reader& root, const LoadOptions& options) {
  const auto m = root.Map({"name", "description", "vars", "target", "probe", "traffic", "phases", "assert", "grpc",
                           "dependencies", "safety"});
  Scenario s;
  ReadVars(ctx, m.Get("vars"), options);
  s.name = NonEmptyString(m.Require("name"));
  if (const auto v = m.Get("description")) s.description = v->String();
  // Dependencies first: ${dep.NAME} may be used by every section after them.
  if (const auto v = m.Get("safety")) s.safety = ReadSafety(*v);
  if (const auto v = m.Get("dependencies")) s.dependencies = ReadDependencies(*v, s.safety);
  s.target = ReadTarget(m.Require("target"));
  if (const auto v = m.Get("probe")) s.probe = ReadProbe(*v, s.target);
  if (const auto v = m.Get("traffic")) s.traffic = ReadTraffic(*v);
  if (const auto v = m.Get("grpc")) s.grpc = ReadGrpcConfig(*v);
  CheckGrpcTraffic(root, s);
  s.phases = ReadPhases(m.Require("phases"), s.traffic);
  CheckGrpcFaults(s);
  FinishDependencies(s);
  s.assertions = ReadAssert(m.Get("assert"), s.target, s.probe);
  s.vars = ctx.vars();
  s.ports = ctx.ports();
  return s;
}

// Records where each YAML document's first node is; ignores everything else. A document
// whose first node is not past the previous one's (the parser did not advance, as on a
// stray ',') is not counted.
class DocumentMarks : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> starts;
  void OnDocumentStart(const YAML::Mark&) override { pending_ = true; }
  void OnDocumentEnd() override { pending_ = false; }
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { Node(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { Node(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override { Node(mark); }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    Node(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    Node(mark);
  }
  void OnMapEnd() override {}

 private:
  void Node(const YAML::Mark& mark) {
    if (!pending_) return;
    pending_ = false;
    if (starts.empty() || mark.pos > starts.back().pos) starts.push_back(mark);
  }
  bool pending_ = false;
};

// The position of the first character that is neither blank nor in a comment, if any.
std::optional<YAML::Mark> FirstContent(std::string_view text) {
  YAML::Mark mark;
  mark.pos = 0;
  mark.line = 0;
  mark.column = 0;
  bool in_comment = false;
  for (const char c : text) {
    if (c == '\n') {
      in_comment = false;
      ++mark.line;
      mark.column = 0;
    } else {
      if (c == '#') in_comment = true;
      if (!in_comment && c != ' ' && c != '\t' && c != '\r') return mark;
      ++mark.column;
    }
    ++mark.pos;
  }
  return std::nullopt;
}

// The one YAML document of `text`, a mapping; anything else is an error.
YAML::Node ParseDocument(const Context& ctx, const std::string& text) {
  // Not YAML::LoadAll: yaml-cpp 0.7's LoadAll never returns when a document starts with a
  // stray ',' (found by fuzz_scenario_loader). YAML::Load reads the first document; a
  // second one is looked for with a bounded number of parser steps.
  YAML::Node root;
  try {
    root = YAML::Load(text);
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentMarks marks;
    for (int i = 0; i < 2 && parser.HandleNextDocument(marks); ++i) {
    }
    if (marks.starts.size() > 1) ctx.Fail(marks.starts[1], "", "only one YAML document per scenario file");
  } catch (const YAML::Exception& e) {
    throw ScenarioError(ctx.ToSourceMark(e.mark), "invalid YAML: " + e.msg);
  }
  if (root.IsNull()) {
    if (const auto content = FirstContent(text)) {
      ctx.Fail(*content, "", "expected a mapping at the top level (name:, target:, phases:, ...)");
    }
    ctx.FailUnplaced("the scenario file is empty");
  }
  if (!root.IsMap()) {
    ctx.Fail(root.Mark(), "", fmt::format("expected a mapping at the top level (name:, target:, phases:, ...), got {}", Describe(root)));
  }
  return root;
}

}  // namespace

Scenario ParseScenario(std::string_view yaml, const std::string& file_name, const LoadOptions& options) {
  Context ctx(file_name, options);
  const YAML::Node root = ParseDocument(ctx, std::string(yaml));
  try {
    Scenario scenario = ReadScenario(ctx, Reader(ctx, root, "", root.Mark()), options);
    scenario.file = file_name;
    return scenario;
  } catch (const YAML::Exception& e) {
    // Not expected (the readers check node types first); kept so nothing escapes untyped.
    throw ScenarioError(ctx.ToSourceMark(e.mark), "invalid YAML: " + e.msg);
  }
}

Scenario LoadScenarioFile(const std::string& path, const LoadOptions& options) {
  std::string text;
  try {
    text = ReadInputFile(path, "scenario file", limits::kScenarioFileBytes);
  } catch (const ScenarioError& e) {
    throw ScenarioError(SourceMark{path, 0, 0}, e.message());
  }
  return ParseScenario(text, path, options);
}

}  // namespace leakgate::scenario
