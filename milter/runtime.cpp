#include "runtime.hpp"

#include <atomic>

#include <auth/domain_name.hpp>

#include "dns_metrics.hpp"
#include "log.hpp"

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
    const Config& config, const Runtime* previous) {
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
  std::shared_ptr<auth::dmarc::ReportStore> store;
  if (!config.report_store.empty()) {
    if (previous && previous->reporting && previous->reporting->store() &&
        previous->config.report_store == config.report_store) {
      store = previous->reporting->shared_store();
    } else {
      auth::dmarc::StoreOptions store_options;
      store_options.log = [](std::string_view line) {
        log(LogLevel::Warning, "report_store: " + std::string(line));
      };
      auto opened = auth::dmarc::ReportStore::open(config.report_store, std::move(store_options));
      if (!opened)
        errors.push_back({"", "report_store: " + opened.error().message});
      else
        store = std::move(*opened);
    }
  }
  std::optional<auth::dmarc::FailureReportOptions> failures;
  if (config.failure_reports != "off") {
    failures.emplace();
    failures->from = config.report_from.empty() ? "postmaster@" + config.authserv_id
                                                : config.report_from;
    failures->authserv_id = config.authserv_id;
    failures->reporting_mta = config.authserv_id;
    failures->user_agent = "mailauth-milter";
    if (config.failure_reports.starts_with("spool:"))
      failures->spool_dir = config.failure_reports.substr(6);
    else
      failures->sendmail = config.failure_reports == "sendmail"
                               ? std::string("/usr/sbin/sendmail")
                               : config.failure_reports.substr(9);
  }
  if (!errors.empty()) return std::unexpected(std::move(errors));

  // Timed below the cache: the metrics see the queries that really went out.
  runtime->upstream = std::make_unique<MeasuredResolver>(std::move(*upstream));
  runtime->resolver =
      std::make_unique<auth::dns::CachingResolver>(*runtime->upstream, runtime->clock);
  runtime->auth = std::make_unique<auth::MessageAuthContext>(*runtime->resolver, runtime->clock,
                                                             runtime->limits, std::move(options));
  if (store || failures)
    runtime->reporting =
        std::make_unique<Reporting>(*runtime->auth, std::move(store), std::move(failures));
  return runtime;
}

std::shared_ptr<const Runtime> current_runtime() { return installed.load(); }

void install_runtime(std::shared_ptr<const Runtime> runtime) {
  installed.store(std::move(runtime));
}

}  // namespace mailauth::milter
