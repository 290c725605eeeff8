#include "test_certs.h"

#include <fstream>
#include <stdexcept>
#include <vector>

#include "subprocess.h"

namespace leakgate::testing {
namespace {

// Runs `openssl ARGS...`; throws with its stderr when it fails.
void Openssl(std::vector<std::string> args) {
  args.insert(args.begin(), "openssl");
  const auto r = RunSubprocess(args, {.cwd = "", .timeout = std::chrono::seconds(30)});
  if (r.exit_code != 0) throw std::runtime_error("openssl " + args[1] + " failed: " + r.err);
}

// A P-256 key and a self-signed CA certificate.
void MakeCa(const std::string& key, const std::string& cert, const std::string& name) {
  Openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
           "-out", cert, "-days", "2", "-subj", "/CN=" + name, "-addext", "basicConstraints=critical,CA:TRUE",
           "-addext", "keyUsage=critical,keyCertSign,cRLSign"});
}

// A P-256 key and a certificate for `cn` with `extensions` (an openssl -extfile), signed by the CA.
void MakeLeaf(const TestCerts& c, const std::string& ca_key, const std::string& stem, const std::string& cn,
              const std::string& extensions) {
  const std::string csr = c.dir + "/" + stem + ".csr", ext = c.dir + "/" + stem + ".ext";
  std::ofstream(ext) << extensions;
  Openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
           c.dir + "/" + stem + ".key", "-out", csr, "-subj", "/CN=" + cn});
  Openssl({"x509", "-req", "-in", csr, "-CA", c.ca, "-CAkey", ca_key, "-CAcreateserial", "-out",
           c.dir + "/" + stem + ".pem", "-days", "2", "-extfile", ext});
}

}  // namespace

TestCerts MakeTestCerts() {
  TestCerts c;
  c.dir = MakeTempDir("leakgate-certs");
  c.ca = c.dir + "/ca.pem";
  c.other_ca = c.dir + "/other-ca.pem";
  MakeCa(c.dir + "/ca.key", c.ca, "leakgate test CA");
  MakeCa(c.dir + "/other-ca.key", c.other_ca, "unrelated CA");
  MakeLeaf(c, c.dir + "/ca.key", "server", "localhost",
           "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  MakeLeaf(c, c.dir + "/ca.key", "client", "leakgate client", "extendedKeyUsage=clientAuth\n");
  c.server_cert = c.dir + "/server.pem";
  c.server_key = c.dir + "/server.key";
  c.client_cert = c.dir + "/client.pem";
  c.client_key = c.dir + "/client.key";
  return c;
}

}  // namespace leakgate::testing
