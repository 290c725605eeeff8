// Throwaway certificates for TLS tests, made at test time by the openssl command line
// (never checked in): a CA, a server certificate it signed for 127.0.0.1 / ::1 /
// localhost, a client certificate it signed (mutual TLS), and an unrelated second CA
// (for verification failures). Thread-safety: none needed; each call writes its own dir.
#pragma once

#include <string>

namespace leakgate::testing {

struct TestCerts {
  std::string dir;                      // holds every file below
  std::string ca, server_cert, server_key, client_cert, client_key;
  std::string other_ca;                 // signed nothing here
};

// Writes the files into a fresh temp dir. Throws std::runtime_error with openssl's output
// when a step fails.
TestCerts MakeTestCerts();

}  // namespace leakgate::testing
