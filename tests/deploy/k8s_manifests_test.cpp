// deploy/k8s: every manifest parsed (yaml-cpp) and checked for what makes the sharded run
// work — the fields Kubernetes requires, and the agreements between the files that nothing
// else checks: completions == parallelism == --shards, the completion index mapped into
// --shard, the Service's port == the coordinator's --listen port == the shards'
// --coordinator port, the Service selecting the coordinator's pod, the scenario in the
// ConfigMap loading with the real loader and allowing (safety.allow_hosts) every
// non-loopback host the pods use, the reports volume claimed.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "harness/scenario/safety_section.h"
#include "harness/scenario/scenario_loader.h"

namespace leakgate {
namespace k8s_manifests_test {

namespace fs = std::filesystem;

struct Manifest {
  std::string file;
  YAML::Node doc;
};

std::vector<Manifest> LoadManifests() {
  std::vector<Manifest> out;
  const fs::path dir = fs::path(LEAKGATE_SOURCE_DIR) / "deploy" / "k8s";
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml" || entry.path().filename() == "kustomization.yaml") continue;
    for (const auto& doc : YAML::LoadAllFromFile(entry.path().string())) {
      if (doc.IsNull()) continue;
      out.push_back({entry.path().filename().string(), doc});
    }
  }
  return out;
}

class K8sManifests : public ::testing::Test {
 protected:
  void SetUp() override {
    manifests_ = LoadManifests();
    ASSERT_GE(manifests_.size(), 7u) << "ConfigMap, PVC, 2 Services, 2 Jobs, CronJob";
  }
  const YAML::Node& Find(const std::string& kind, const std::string& name) {
    for (const auto& m : manifests_) {
      if (m.doc["kind"].as<std::string>() == kind && m.doc["metadata"]["name"].as<std::string>() == name) return m.doc;
    }
    ADD_FAILURE() << "no " << kind << " " << name;
    static const YAML::Node kNone;
    return kNone;
  }
  static std::vector<std::string> Args(const YAML::Node& container) { return container["args"].as<std::vector<std::string>>(); }
  // The value after `flag` in `args` ("" when absent).
  static std::string Flag(const std::vector<std::string>& args, const std::string& flag) {
    for (size_t i = 0; i + 1 < args.size(); ++i) {
      if (args[i] == flag) return args[i + 1];
    }
    return "";
  }
  static int PortOf(const std::string& host_port) { return std::stoi(host_port.substr(host_port.rfind(':') + 1)); }
  static void ExpectIndexFromAnnotation(const YAML::Node& container) {
    bool mapped = false;
    for (const auto& e : container["env"]) {
      if (e["name"].as<std::string>() != "JOB_COMPLETION_INDEX") continue;
      EXPECT_EQ(e["valueFrom"]["fieldRef"]["fieldPath"].as<std::string>(),
                "metadata.annotations['batch.kubernetes.io/job-completion-index']");
      mapped = true;
    }
    EXPECT_TRUE(mapped) << "JOB_COMPLETION_INDEX comes from the pod's completion-index annotation";
  }
  // Every pod template mounts the scenario ConfigMap and the reports claim.
  void ExpectVolumes(const YAML::Node& pod_spec) {
    std::map<std::string, std::string> sources;
    for (const auto& v : pod_spec["volumes"]) {
      if (v["configMap"]) sources[v["name"].as<std::string>()] = "configmap:" + v["configMap"]["name"].as<std::string>();
      if (v["persistentVolumeClaim"]) {
        const auto claim = v["persistentVolumeClaim"]["claimName"].as<std::string>();
        sources[v["name"].as<std::string>()] = "pvc:" + claim;
        EXPECT_TRUE(Find("PersistentVolumeClaim", claim).IsDefined());
      }
    }
    EXPECT_EQ(sources["scenario"], "configmap:leakgate-scenario");
    EXPECT_EQ(sources["reports"], "pvc:leakgate-reports");
    std::map<std::string, std::string> mounts;
    for (const auto& m : pod_spec["containers"][0]["volumeMounts"]) mounts[m["name"].as<std::string>()] = m["mountPath"].as<std::string>();
    EXPECT_EQ(mounts["scenario"], "/etc/leakgate");
    EXPECT_EQ(mounts["reports"], "/reports");
    EXPECT_EQ(pod_spec["restartPolicy"].as<std::string>(), "Never");
  }
  static bool Selects(const YAML::Node& selector, const YAML::Node& labels) {
    for (const auto& kv : selector) {
      const auto key = kv.first.as<std::string>();
      if (key == "batch.kubernetes.io/job-completion-index") continue;  // set by Kubernetes on the pod
      if (!labels[key] || labels[key].as<std::string>() != kv.second.as<std::string>()) return false;
    }
    return true;
  }

  std::vector<Manifest> manifests_;
};

TEST_F(K8sManifests, EveryDocumentHasKindApiVersionAndName) {
  const std::map<std::string, std::string> api{{"ConfigMap", "v1"},          {"Service", "v1"},
                                               {"PersistentVolumeClaim", "v1"}, {"Job", "batch/v1"},
                                               {"CronJob", "batch/v1"}};
  for (const auto& m : manifests_) {
    ASSERT_TRUE(m.doc["kind"] && m.doc["apiVersion"] && m.doc["metadata"]["name"]) << m.file;
    const auto kind = m.doc["kind"].as<std::string>();
    ASSERT_TRUE(api.contains(kind)) << m.file << ": unexpected kind " << kind;
    EXPECT_EQ(m.doc["apiVersion"].as<std::string>(), api.at(kind)) << m.file;
    EXPECT_TRUE(std::regex_match(m.doc["metadata"]["name"].as<std::string>(), std::regex("[a-z0-9]([-a-z0-9]*[a-z0-9])?")))
        << m.file << ": not a DNS label";
  }
}

TEST_F(K8sManifests, ShardsAreAnIndexedJobMatchingTheCoordinator) {
  const auto& coordinator = Find("Job", "leakgate-coordinator");
  const auto& shards = Find("Job", "leakgate-shards");
  const auto& service = Find("Service", "leakgate-coordinator");
  const auto c_args = Args(coordinator["spec"]["template"]["spec"]["containers"][0]);
  ASSERT_EQ(c_args.at(0), "coordinate");
  const int n = std::stoi(Flag(c_args, "--shards"));
  ASSERT_GE(n, 1);

  const auto& spec = shards["spec"];
  EXPECT_EQ(spec["completionMode"].as<std::string>(), "Indexed");
  EXPECT_EQ(spec["completions"].as<int>(), n);
  EXPECT_EQ(spec["parallelism"].as<int>(), n) << "every shard runs at once: phases start together";
  const auto& container = spec["template"]["spec"]["containers"][0];
  ExpectIndexFromAnnotation(container);
  const auto s_args = Args(container);
  EXPECT_EQ(s_args.at(0), "run");
  EXPECT_EQ(Flag(s_args, "--shard"), "$(JOB_COMPLETION_INDEX)/" + std::to_string(n));
  EXPECT_NE(Flag(s_args, "--out").find("$(JOB_COMPLETION_INDEX)"), std::string::npos) << "one result directory per shard";

  const auto listen = Flag(c_args, "--listen");
  const auto dial = Flag(s_args, "--coordinator");
  const auto& port = service["spec"]["ports"][0];
  EXPECT_EQ(port["port"].as<int>(), PortOf(dial));
  EXPECT_EQ(port["targetPort"].as<int>(), PortOf(listen));
  EXPECT_EQ(coordinator["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"].as<int>(), PortOf(listen));
  EXPECT_EQ(dial.substr(0, dial.rfind(':')), service["metadata"]["name"].as<std::string>());
  EXPECT_TRUE(Selects(service["spec"]["selector"], coordinator["spec"]["template"]["metadata"]["labels"]));
  EXPECT_FALSE(Selects(service["spec"]["selector"], spec["template"]["metadata"]["labels"])) << "not the shards";
  EXPECT_EQ(coordinator["spec"]["backoffLimit"].as<int>(), 0) << "a failed gate is not retried into a pass";
  ExpectVolumes(coordinator["spec"]["template"]["spec"]);
  ExpectVolumes(spec["template"]["spec"]);
}

TEST_F(K8sManifests, NightlyCronJobRunsTheCoordinatorAndItsShardsInOneIndexedJob) {
  const auto& cron = Find("CronJob", "leakgate-nightly");
  const auto schedule = cron["spec"]["schedule"].as<std::string>();
  EXPECT_TRUE(std::regex_match(schedule, std::regex(R"(\S+ \S+ \S+ \S+ \S+)"))) << schedule;
  const auto& job = cron["spec"]["jobTemplate"]["spec"];
  const auto& container = job["template"]["spec"]["containers"][0];
  int shards = 0;
  for (const auto& e : container["env"]) {
    if (e["name"].as<std::string>() == "SHARDS") shards = std::stoi(e["value"].as<std::string>());
  }
  ASSERT_GE(shards, 1);
  EXPECT_EQ(job["completionMode"].as<std::string>(), "Indexed");
  EXPECT_EQ(job["completions"].as<int>(), shards + 1) << "index 0 coordinates, 1..N are the shards";
  EXPECT_EQ(job["parallelism"].as<int>(), shards + 1);
  ExpectIndexFromAnnotation(container);
  const auto script = container["args"][0].as<std::string>();
  EXPECT_NE(script.find("coordinate /etc/leakgate/scenario.yaml --shards \"$SHARDS\" --listen 0.0.0.0:7070"), std::string::npos);
  EXPECT_NE(script.find("--shard \"$((JOB_COMPLETION_INDEX - 1))/$SHARDS\""), std::string::npos) << script;
  const auto& service = Find("Service", "leakgate-nightly-coordinator");
  EXPECT_NE(script.find("--coordinator leakgate-nightly-coordinator:" + service["spec"]["ports"][0]["port"].as<std::string>()),
            std::string::npos);
  EXPECT_EQ(service["spec"]["selector"]["batch.kubernetes.io/job-completion-index"].as<std::string>(), "0");
  EXPECT_TRUE(Selects(service["spec"]["selector"], job["template"]["metadata"]["labels"]));
  ExpectVolumes(job["template"]["spec"]);
}

TEST_F(K8sManifests, TheScenarioLoadsAndAllowsEveryHostThePodsUse) {
  const auto& cm = Find("ConfigMap", "leakgate-scenario");
  const auto text = cm["data"]["scenario.yaml"].as<std::string>();
  scenario::LoadOptions options;
  options.allocate_port = [] { return 40000; };
  const auto s = scenario::ParseScenario(text, "scenario-configmap.yaml", options);  // throws on any error
  EXPECT_TRUE(s.target.command.empty()) << "in the cluster the target already runs";
  const auto allowed = scenario::SafetyAllowHosts(text);
  const auto allows = [&](const std::string& host) { return std::find(allowed.begin(), allowed.end(), host) != allowed.end(); };
  EXPECT_TRUE(allows("checkout.staging.svc.cluster.local")) << "the target's host";
  EXPECT_NE(s.target.url.find("checkout.staging.svc.cluster.local"), std::string::npos);
  EXPECT_TRUE(allows("leakgate-coordinator"));
  EXPECT_TRUE(allows("leakgate-nightly-coordinator"));
  EXPECT_TRUE(allows("0.0.0.0")) << "the coordinator listens on the pod's interfaces";
}

}  // namespace k8s_manifests_test
}  // namespace leakgate
