// auth::Limits: every bound libauth enforces, in one struct passed to constructors.
#pragma once

#include <chrono>
#include <cstddef>

namespace auth {

struct Limits {
  // Message parsing.
  std::size_t max_header_bytes = 1024 * 1024;  // all header fields together
  std::size_t max_header_count = 1000;         // header fields per message
  std::size_t max_line_length = 64 * 1024;     // one physical header line (RFC 5322 says 998; be lenient)

  // DKIM (RFC 6376) and ARC (RFC 8617).
  std::size_t max_signatures = 10;      // DKIM-Signature fields verified per message
  std::size_t max_arc_instances = 50;   // RFC 8617 §4.2.1
  unsigned min_rsa_bits = 1024;         // RFC 8301 §3.2
  std::chrono::seconds clock_skew{300}; // tolerance for t= and x=

  // SPF (RFC 7208 §4.6.4).
  unsigned spf_dns_lookups = 10;     // terms that cause DNS queries
  unsigned spf_void_lookups = 2;     // lookups answering NXDOMAIN or no records
  unsigned spf_mx_names = 10;        // MX names looked up per mx mechanism
  unsigned spf_ptr_names = 10;       // PTR names considered per ptr / %{p}
  // Wall-clock time one check_host() may take, include and redirect chains included (§4.6.4:
  // "at least 20 seconds"); a check out of time stops before its next DNS query: temperror.
  std::chrono::seconds spf_time_budget{20};

  // DMARC (RFC 9989 §11.5): Author Domains evaluated for one From field with several addresses.
  std::size_t max_dmarc_author_domains = 5;

  // DNS, as dns::LdnsResolver asks it (the only place these are read).
  std::size_t max_dns_answer_bytes = 64 * 1024;  // larger answers are a server failure (min 512)
  std::chrono::milliseconds dns_timeout{5000};   // per attempt
  unsigned dns_retries = 2;                      // extra attempts per server after a timeout
};

}  // namespace auth
