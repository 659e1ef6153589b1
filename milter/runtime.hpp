// Everything a message needs from the process, built from one Config and never changed after:
// DNS with its cache, the authentication context (key cache, SPF checker, DMARC evaluator), the
// loaded signing and sealing keys. SIGUSR1 builds a new Runtime and swaps it in atomically; each
// message takes a snapshot (a shared_ptr) when it starts and keeps it to its end, so a reload
// never changes a message halfway and nothing outlives what it points to.
#pragma once

#include <expected>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include <auth/arc.hpp>
#include <auth/clock.hpp>
#include <auth/dkim.hpp>
#include <auth/dns.hpp>
#include <auth/limits.hpp>
#include <auth/message_auth.hpp>

#include "config.hpp"
#include "keys.hpp"
#include "reporting.hpp"

namespace mailauth::milter {

struct Runtime {
  Config config;
  auth::Limits limits;
  auth::SystemClock clock;
  // LdnsResolver or ZoneResolver (dns_zone), inside a MeasuredResolver (dns_metrics.hpp)
  std::unique_ptr<auth::dns::Resolver> upstream;
  std::unique_ptr<auth::dns::CachingResolver> resolver;
  std::unique_ptr<auth::MessageAuthContext> auth;
  std::vector<LoadedKey> signers;
  std::vector<LoadedKey> seals;
  std::optional<auth::arc::SealerOptions> sealer;  // present when `seal` is configured
  // DMARC report records and failure reports; null when both are off. The store outlives a
  // reload that keeps its URI (reload passes the previous runtime).
  std::unique_ptr<Reporting> reporting;

  // The signatures for a message whose From domain is `from_domain`: every signer whose domain
  // equals it or is a parent of it.
  std::vector<auth::dkim::SignerOptions> signers_for(std::string_view from_domain) const;

  ~Runtime();
};

// Builds the runtime of `config`: opens DNS, loads and checks every key, opens the report store
// (reusing `previous`'s when the URI is the same). Returns every problem.
std::expected<std::shared_ptr<const Runtime>, std::vector<ConfigError>> build_runtime(
    const Config& config, const Runtime* previous = nullptr);

// The runtime in force. Null before the first install.
std::shared_ptr<const Runtime> current_runtime();
void install_runtime(std::shared_ptr<const Runtime> runtime);

}  // namespace mailauth::milter
