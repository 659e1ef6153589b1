// The Author Domain (RFC 9989 §5.3.1) from the From header field. Anything but exactly one From
// field with usable addresses is a permerror, never a pass: DMARC cannot protect a message whose
// author it cannot name (§4.4, §11.5; OpenDMARC's CVE-2019-16378 came from taking the first
// address of a second From field).
#include <auth/dmarc.hpp>
#include <auth/domain_name.hpp>
#include <auth/message.hpp>

#include "dmarc/idna.hpp"
#include "message/excerpt.hpp"

namespace auth::dmarc {
namespace {

// author_domain_reason() reads the code back from these openings.
constexpr std::string_view missing_text = "no From header field";
constexpr std::string_view multiple_prefix = "several From header fields";

}  // namespace

Expected<std::vector<std::string>> author_domains(std::span<const std::string> from_values,
                                                  const Limits& limits) {
  if (from_values.empty()) return fail(ErrorCode::Syntax, std::string(missing_text));
  if (from_values.size() > 1)
    return fail(ErrorCode::Syntax,
                message::concat({multiple_prefix, " (", std::to_string(from_values.size()), ")"}));
  auto mailboxes = message::parse_address_list(from_values.front());
  if (!mailboxes) return fail(ErrorCode::Syntax, "unparsable From: " + mailboxes.error().message);
  if (mailboxes->empty()) return fail(ErrorCode::Syntax, "From field names no address");

  std::vector<std::string> domains;
  for (const message::Mailbox& m : *mailboxes) {
    if (m.domain.starts_with('['))
      return fail(ErrorCode::Syntax,
                  message::concat({"From address ", message::quoted_excerpt(m.address()),
                                   " has a domain literal, not a domain name"}));
    auto domain = to_a_labels(m.domain);
    if (!domain)
      return fail(ErrorCode::Syntax,
                  message::concat({"From address ", message::quoted_excerpt(m.address()),
                                   " has no usable domain: ", domain.error().message}));
    bool seen = false;
    for (const std::string& d : domains) seen = seen || d == *domain;
    if (!seen) domains.push_back(std::move(*domain));
  }
  if (domains.size() > limits.max_dmarc_author_domains)
    return fail(
        ErrorCode::LimitExceeded,
        message::concat({"From field names ", std::to_string(domains.size()), " domains; at most ",
                         std::to_string(limits.max_dmarc_author_domains),
                         " are evaluated (Limits::max_dmarc_author_domains)"}));
  return domains;
}

ReasonCode author_domain_reason(const Error& error) {
  if (error.code == ErrorCode::LimitExceeded) return ReasonCode::DmarcTooManyDomains;
  if (error.message == missing_text) return ReasonCode::DmarcFromMissing;
  if (error.message.starts_with(multiple_prefix)) return ReasonCode::DmarcFromMultiple;
  return ReasonCode::DmarcFromUnparsable;
}

}  // namespace auth::dmarc
