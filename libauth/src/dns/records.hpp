// Turning ldns resource records into Answer fields; shared by ZoneResolver and LdnsResolver.
#pragma once

#include <optional>
#include <string>

#include "dns/ldns.hpp"

#include <auth/dns.hpp>

namespace auth::dns {

// An answer with no records.
inline Answer empty_answer(Status status, std::uint32_t ttl = 0) {
  Answer answer;
  answer.status = status;
  answer.ttl = ttl;
  return answer;
}

// The RrType for an ldns type, when it is one the interface answers.
std::optional<RrType> supported_type(ldns_rr_type type);
// Appends the data of `rr` (of a supported type) to the matching field of `answer`.
// False when the RDATA is malformed, which the caller then ignores.
bool append_record(Answer& answer, const ldns_rr& rr);
// The key of an ldns dname rdf (see names.hpp).
std::optional<std::string> rdf_name_key(const ldns_rdf* rdf);
// Whether an ldns dname rdf names `key`, compared in place (ASCII case-insensitively).
bool rdf_name_is(const ldns_rdf* rdf, std::string_view key);
// RFC 2308 §5: the negative TTL an SOA gives is the lesser of its TTL and its MINIMUM field.
std::optional<std::uint32_t> soa_negative_ttl(const ldns_rr& soa);

}  // namespace auth::dns
