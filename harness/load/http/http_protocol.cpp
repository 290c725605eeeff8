#include "harness/load/http/http_protocol.h"

#include <algorithm>
#include <map>
#include <random>
#include <stdexcept>

#include "harness/net/tls_context.h"

#include "harness/load/h2/h2_session.h"
#include "harness/load/http/connection_pool.h"
#include "harness/load/http/http_exchange.h"

namespace leakgate::load::http {

namespace asio = boost::asio;

// Endpoints by base URL, and each entry's destination; built before the factory.
struct HttpProtocol::Resolved {
  std::vector<TargetAddress> endpoints;
  std::vector<size_t> endpoint_of;
  std::vector<RequestFactory::Destination> per_entry;
};

HttpProtocol::Resolved HttpProtocol::ResolveAll(const std::vector<scenario::Traffic>& traffic, const std::string& target_url) {
  HttpProtocol::Resolved d;
  std::map<std::string, size_t> by_url;
  auto index_of = [&](const std::string& url) {
    const auto [it, added] = by_url.emplace(url, d.endpoints.size());
    if (added) d.endpoints.push_back(ResolveTarget(url));
    return it->second;
  };
  for (const auto& t : traffic) {
    const size_t e = t.grpc ? 0 : index_of(t.base_url.empty() ? target_url : t.base_url);
    d.endpoint_of.push_back(e);
    d.per_entry.push_back(d.endpoints.empty() ? RequestFactory::Destination{}
                                              : RequestFactory::Destination{d.endpoints[e].host_header, d.endpoints[e].base_path});
  }
  return d;
}

namespace {

// One worker's HTTP requests: a pool per endpoint, faults mapped onto the exchange.
class HttpSession final : public Session {
 public:
  HttpSession(const HttpProtocol& protocol, const SessionContext& ctx)
      : protocol_(protocol), rng_(std::random_device{}() ^ (static_cast<uint64_t>(ctx.worker_index) * 0x9e3779b97f4a7c15ull)) {
    const auto& c = ctx.phase.connections;
    for (size_t i = 0; i < protocol.endpoint_count(); ++i) {
      pools_.push_back(std::make_unique<ConnectionPool>(ctx.executor, ctx.PerWorker(c.pool), ctx.PerWorker(c.max), c.per_request));
    }
  }

  asio::awaitable<RequestResult> Perform(const RequestPlan& plan) override;

  void Abort() override {
    stopping_ = true;
    for (auto& p : pools_) p->CloseAll();
  }
  void Close() override {
    for (auto& p : pools_) p->CloseAll();
  }

 private:
  ExchangePlan PlanExchange(const RequestPlan& plan, std::string_view& bytes, std::string& damaged) const;
  static RequestResult Classify(const ExchangeResult& r, const faults::RequestFaults& f);

  const HttpProtocol& protocol_;
  std::mt19937_64 rng_;
  std::string scratch_;  // rendered requests of templates with variables
  std::vector<std::unique_ptr<ConnectionPool>> pools_;
  bool stopping_ = false;
};

// The exchange plan of one request; `bytes` gets the malformed / truncate_body damage.
ExchangePlan HttpSession::PlanExchange(const RequestPlan& plan, std::string_view& bytes, std::string& damaged) const {
  const auto& f = plan.faults;
  ExchangePlan x;
  x.deadline = plan.deadline;
  bool reset = false;
  if (const auto abort = f.abort_after(&reset)) {
    x.abort_at = plan.started + *abort;
    x.abort_with_reset = reset;
  }
  x.send_chunk = f.send_chunk;
  x.send_interval = f.send_interval;
  x.read_chunk = f.read_chunk;
  x.read_interval = f.read_interval;
  x.abandon_body = f.abandon_body;
  x.half_close = f.half_close;
  x.head = protocol_.factory().IsHead(plan.entry);
  if (!f.malformed.empty()) {
    damaged = RequestFactory::Malform(bytes, f.malformed);
    bytes = damaged;
  }
  if (f.truncate_keep) {
    const size_t body_at = RequestFactory::BodyOffset(bytes);
    const size_t body_len = bytes.size() - body_at;
    if (body_len > 0) {
      x.send_limit = body_at + static_cast<size_t>(static_cast<double>(body_len) * *f.truncate_keep);
      x.hold_after_send = f.truncate_wait;
    }
  }
  return x;
}

// An exchange's end in the engine's terms. A broken request (malformed, half-closed) may
// be answered with a 4xx or a closed connection: both are what the fault asked for.
RequestResult HttpSession::Classify(const ExchangeResult& r, const faults::RequestFaults& f) {
  RequestResult out;
  out.sent_at = r.sent_at;
  const bool broken_on_purpose = !f.malformed.empty() || f.half_close;
  switch (r.status) {
    case ExchangeStatus::kResponse:
      out.responded = true;
      if (!f.malformed.empty()) {
        out.outcome = Outcome::kFaulted;
      } else if (r.http_status >= 400) {
        out.outcome = Outcome::kError;
        out.error = r.http_status >= 500 ? stats::ErrorKind::kStatus5xx : stats::ErrorKind::kStatus4xx;
      } else {
        out.outcome = Outcome::kOk;
      }
      break;
    case ExchangeStatus::kFaulted: out.outcome = Outcome::kFaulted; break;
    case ExchangeStatus::kDeadline: out.error = stats::ErrorKind::kTimeout; break;
    case ExchangeStatus::kConnectError: out.error = stats::ErrorKind::kConnect; break;
    case ExchangeStatus::kTlsError: out.error = stats::ErrorKind::kTls; break;
    case ExchangeStatus::kWriteError:
    case ExchangeStatus::kReadError:
      if (broken_on_purpose) {
        out.outcome = Outcome::kFaulted;
      } else {
        out.error = r.status == ExchangeStatus::kWriteError ? stats::ErrorKind::kWrite : stats::ErrorKind::kRead;
      }
      break;
  }
  return out;
}

asio::awaitable<RequestResult> HttpSession::Perform(const RequestPlan& plan) {
  const auto& f = plan.faults;
  std::string_view bytes = protocol_.factory().Build(plan.entry, plan.seq, rng_, scratch_);
  std::string damaged;
  const ExchangePlan x = PlanExchange(plan, bytes, damaged);
  // Faults that change the socket or end the connection get a connection of their own.
  const bool fresh = f.read_chunk > 0 || f.half_close || f.abandon_body || x.abort_at || !f.malformed.empty() ||
                     x.send_limit != SIZE_MAX;
  auto& pool = *pools_[protocol_.endpoint_of(plan.entry)];
  const auto& endpoint = protocol_.endpoint(protocol_.endpoint_of(plan.entry)).endpoint;
  const TlsPeer* tls = protocol_.tls_peer(protocol_.endpoint_of(plan.entry));

  ExchangeResult result;
  result.status = ExchangeStatus::kDeadline;
  int opened = 0;
  RequestResult out;
  for (int attempt = 0; attempt < 2; ++attempt) {
    Connection* conn = pool.TakeIdle(fresh);
    if (conn == nullptr) conn = co_await pool.Acquire(fresh, x.deadline);
    if (conn == nullptr) break;  // no connection before the deadline
    const bool reused = conn->connected;
    result = co_await Exchange(*conn, endpoint, bytes, x, tls);
    opened += result.connected_now ? 1 : 0;
    if (result.handshake_tried) {
      out.handshakes += result.handshook_now ? 1 : 0;
      out.resumed += result.resumed_now ? 1 : 0;
      out.handshake_failures += result.handshook_now ? 0 : 1;
      out.handshake_time += result.handshake_time;
    }
    pool.Release(conn, result.status == ExchangeStatus::kResponse && result.keep_alive);
    // A pooled connection the server closed while idle fails before any response byte:
    // retry such a request once on a fresh connection.
    const bool transient = result.status == ExchangeStatus::kWriteError || result.status == ExchangeStatus::kReadError;
    if (!(reused && transient && result.nothing_received) || stopping_) break;
  }
  const RequestResult classified = Classify(result, f);
  out.outcome = classified.outcome;
  out.error = classified.error;
  out.responded = classified.responded;
  out.sent_at = classified.sent_at;
  out.connections_opened = opened;
  co_return out;
}

}  // namespace

HttpProtocol::HttpProtocol(const std::vector<scenario::Traffic>& traffic, const std::string& target_url,
                           const std::optional<net::TlsSettings>& tls)
    : HttpProtocol(traffic, ResolveAll(traffic, target_url), tls) {}

HttpProtocol::HttpProtocol(const std::vector<scenario::Traffic>& traffic, Resolved resolved,
                           const std::optional<net::TlsSettings>& tls)
    : endpoints_(std::move(resolved.endpoints)),
      endpoint_of_(std::move(resolved.endpoint_of)),
      tls_settings_(tls.value_or(net::TlsSettings{})),
      factory_(traffic, resolved.per_entry) {
  tls_peers_.resize(endpoints_.size());
  h2_tls_peers_.resize(endpoints_.size());
  for (size_t e = 0; e < endpoints_.size(); ++e) {
    if (!endpoints_[e].tls) continue;
    if (!tls_context_) {
      auto ctx = net::MakeClientTlsContext(tls_settings_, "target.tls");
      if (!ctx.ok()) throw std::invalid_argument(ctx.status().message());
      tls_context_ = *std::move(ctx);
      auto h2 = net::MakeClientTlsContext(tls_settings_, "target.tls", {"h2"});
      if (!h2.ok()) throw std::invalid_argument(h2.status().message());
      h2_tls_context_ = *std::move(h2);
    }
    tls_peers_[e] = TlsPeer{tls_context_.get(), &tls_settings_, endpoints_[e].host};
    h2_tls_peers_[e] = TlsPeer{h2_tls_context_.get(), &tls_settings_, endpoints_[e].host};
  }
}

std::unique_ptr<Session> HttpProtocol::NewSession(const SessionContext& context) const {
  if (context.phase.protocol != scenario::Phase::Wire::kHttp1) return h2::NewH2Session(*this, context);
  return std::make_unique<HttpSession>(*this, context);
}

}  // namespace leakgate::load::http
