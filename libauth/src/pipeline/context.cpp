// What every message of a process shares: built once, read by every MessageAuth.
#include <auth/message_auth.hpp>

namespace auth {

MessageAuthContext::MessageAuthContext(dns::Resolver& resolver, const Clock& clock,
                                       const Limits& limits, MessageAuthOptions options)
    : resolver_(resolver),
      clock_(clock),
      limits_(limits),
      options_(std::move(options)),
      key_cache_(std::make_unique<dkim::KeyCache>()),
      spf_checker_(std::make_unique<spf::Checker>(resolver, limits, clock, options_.spf_checker)),
      dmarc_(std::make_unique<dmarc::Evaluator>(resolver, limits, options_.dmarc)) {}

MessageAuthContext::~MessageAuthContext() = default;

}  // namespace auth
