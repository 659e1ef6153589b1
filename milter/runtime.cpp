#include "runtime.hpp"

#include <atomic>

#include <auth/domain_name.hpp>

namespace mailauth::milter {
namespace {

std::atomic<std::shared_ptr<const Runtime>> installed;

std::expected<std::unique_ptr<auth::dns::Resolver>, std::string> make_upstream(
    const Config& c, const auth::Limits& limits) {
  if (!c.dns_zone.empty()) {
    auto zone = auth::dns::ZoneResolver::from_file(c.dns_zone);
    if (!zone) return std::unexpected("dns_zone: " + zone.error().message);
    return std::unique_ptr<auth::dns::Resolver>(std::move(*zone));
  }
  auth::dns::LdnsOptions options;
  options.servers = c.dns_servers;
  auto ldns = auth::dns::LdnsResolver::create(options, limits);  // dns_timeout is in limits
  if (!ldns) return std::unexpected("dns_servers: " + ldns.error().message);
  return std::unique_ptr<auth::dns::Resolver>(std::move(*ldns));
}

}  // namespace

Runtime::~Runtime() = default;

std::vector<auth::dkim::SignerOptions> Runtime::signers_for(std::string_view from_domain) const {
  std::vector<auth::dkim::SignerOptions> out;
  const auto from = auth::DomainName::parse(from_domain);
  if (!from) return out;
  for (const LoadedKey& k : signers) {
    const auto domain = auth::DomainName::parse(k.spec.domain);
    if (!domain || !from->is_subdomain_of(*domain)) continue;
    auth::dkim::SignerOptions o;
    o.domain = k.spec.domain;
    o.selector = k.spec.selector;
    o.key = k.key;
    out.push_back(std::move(o));
  }
  return out;
}

std::expected<std::shared_ptr<const Runtime>, std::vector<ConfigError>> build_runtime(
    const Config& config) {
  std::vector<ConfigError> errors;
  auto runtime = std::make_shared<Runtime>();
  runtime->config = config;
  runtime->limits.min_rsa_bits = config.min_rsa_bits;
  runtime->limits.max_signatures = config.max_signatures;
  runtime->limits.dns_timeout = config.dns_timeout;

  for (const KeySpec& spec : config.signers) {
    auto key = load_key(spec);
    if (!key) {
      errors.push_back({spec.origin, "signer: " + key.error()});
      continue;
    }
    // The same checks the signer makes per message, once, so a bad line stops the start.
    auth::dkim::SignerOptions o;
    o.domain = spec.domain;
    o.selector = spec.selector;
    o.key = key->key;
    auth::FixedClock epoch(auth::TimePoint{});
    if (auto signer = auth::dkim::Signer::create(o, epoch); !signer)
      errors.push_back({spec.origin, "signer: " + signer.error().message});
    else
      runtime->signers.push_back(std::move(*key));
  }
  if (!config.seals.empty()) {
    auth::arc::SealerOptions sealer;
    for (const KeySpec& spec : config.seals) {
      auto key = load_key(spec);
      if (!key) {
        errors.push_back({spec.origin, "seal: " + key.error()});
        continue;
      }
      sealer.keys.push_back(auth::arc::SealingKey{spec.domain, spec.selector, key->key, {}});
      runtime->seals.push_back(std::move(*key));
    }
    auth::FixedClock epoch(auth::TimePoint{});
    if (!sealer.keys.empty()) {
      if (auto made = auth::arc::Sealer::create(sealer, epoch); !made)
        errors.push_back({config.seals.front().origin, "seal: " + made.error().message});
      else
        runtime->sealer = std::move(sealer);
    }
  }

  auth::MessageAuthOptions options;
  options.spf_checker.receiving_host = config.authserv_id;
  options.dmarc.trusted_arc_sealers = config.trusted_arc_sealers;
  if (!config.public_suffix_list.empty()) {
    auto psl = auth::dmarc::PublicSuffixList::from_file(config.public_suffix_list);
    if (!psl) {
      errors.push_back({"", "public_suffix_list: " + psl.error().message});
    } else {
      options.dmarc.discovery = auth::dmarc::DiscoveryMethod::Psl;
      options.dmarc.psl = std::move(*psl);
    }
  }

  auto upstream = make_upstream(config, runtime->limits);
  if (!upstream) errors.push_back({"", upstream.error()});
  if (!errors.empty()) return std::unexpected(std::move(errors));

  runtime->upstream = std::move(*upstream);
  runtime->resolver =
      std::make_unique<auth::dns::CachingResolver>(*runtime->upstream, runtime->clock);
  runtime->auth = std::make_unique<auth::MessageAuthContext>(*runtime->resolver, runtime->clock,
                                                             runtime->limits, std::move(options));
  return runtime;
}

std::shared_ptr<const Runtime> current_runtime() { return installed.load(); }

void install_runtime(std::shared_ptr<const Runtime> runtime) { installed.store(std::move(runtime)); }

}  // namespace mailauth::milter
