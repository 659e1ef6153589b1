// Local policy: a DMARC fail accepted because a trusted intermediary vouches for the message
// (RFC 9989 §7.4 local policy, RFC 8617 §7.2; RFC 9990 names the override trusted_forwarder).
#include <auth/authres.hpp>
#include <auth/domain_name.hpp>
#include <auth/message.hpp>

#include "dmarc/evaluation.hpp"
#include "message/excerpt.hpp"

namespace auth::dmarc {
namespace {

const authres::Property* find_property(const authres::MethodResult& m, std::string_view ptype,
                                       std::string_view property) {
  for (const auto& p : m.properties)
    if (iequals(p.ptype, ptype) && iequals(p.property, property)) return &p;
  return nullptr;
}

// The domain of "user@example.com", or the value itself when it is a bare domain.
std::string_view domain_part(std::string_view value) {
  if (auto d = message::domain_of(value)) return *d;
  return value;
}

}  // namespace

std::optional<std::string> trusted_forwarder(Evaluation& evaluation, const Record& record,
                                             const arc::ArcResult& arc,
                                             std::span<const std::string> trusted_sealers) {
  if (arc.result != arc::ChainResult::Pass) return std::nullopt;
  // RFC 8617 §5.2 step 5: oldest_pass 0 means every set validates, so the oldest is instance 1.
  const unsigned oldest = arc.oldest_pass == 0 ? 1 : arc.oldest_pass;
  const arc::SetResult* set = nullptr;
  for (const auto& s : arc.sets)
    if (s.instance == oldest) set = &s;
  if (set == nullptr) return std::nullopt;
  bool trusted = false;
  for (const std::string& t : trusted_sealers) trusted = trusted || iequals(t, set->seal_domain);
  if (!trusted) return std::nullopt;

  // The payload is "authserv-id; method=result ...", the grammar of an A-R header value.
  const auto results = authres::parse(set->authentication_results);
  if (!results) return std::nullopt;
  const std::string prefix =
      message::concat({"ARC set i=", std::to_string(set->instance), " sealed by trusted ",
                       message::excerpt(set->seal_domain, 80), " says "});
  for (const authres::MethodResult& m : results->results) {
    if (!iequals(m.result, "pass")) continue;
    if (iequals(m.method, "dmarc")) {
      const auto* from = find_property(m, "header", "from");
      if (from != nullptr && evaluation.aligned(from->value, AlignmentMode::Strict) == Aligned::Yes)
        return prefix + "dmarc=pass";
    } else if (iequals(m.method, "dkim")) {
      const auto* d = find_property(m, "header", "d");
      if (d == nullptr) d = find_property(m, "header", "i");
      if (d != nullptr && evaluation.aligned(domain_part(d->value), record.adkim) == Aligned::Yes)
        return message::concat({prefix, "dkim=pass header.d=", message::excerpt(d->value, 80)});
    } else if (iequals(m.method, "spf")) {
      const auto* mf = find_property(m, "smtp", "mailfrom");
      if (mf != nullptr && evaluation.aligned(domain_part(mf->value), record.aspf) == Aligned::Yes)
        return message::concat(
            {prefix, "spf=pass smtp.mailfrom=", message::excerpt(mf->value, 80)});
    }
  }
  return std::nullopt;
}

}  // namespace auth::dmarc
