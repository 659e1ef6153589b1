// auth::spf: Sender Policy Framework (RFC 7208): check_host() for the MAIL FROM and HELO
// identities, the spf= Authentication-Results method and the Received-SPF header (§9.1).
#pragma once

#include <string>
#include <string_view>

#include <auth/authres.hpp>
#include <auth/clock.hpp>
#include <auth/dns.hpp>
#include <auth/ip_address.hpp>
#include <auth/limits.hpp>
#include <auth/reason.hpp>

namespace auth::spf {

// RFC 7208 §2.6.
enum class Result { None, Neutral, Pass, Fail, SoftFail, TempError, PermError };
// "none", "neutral", "pass", "fail", "softfail", "temperror", "permerror".
std::string_view to_string(Result result);

// Which identity was checked (RFC 7208 §2.3, §2.4).
enum class Identity { MailFrom, Helo };
std::string_view to_string(Identity identity);  // "mailfrom", "helo"

struct SpfResult {
  Result result = Result::None;
  Identity identity = Identity::MailFrom;
  std::string domain;       // <domain> given to check_host(), lower case
  std::string sender;       // <sender>: local-part@domain; postmaster@<domain> without local part
  IpAddress ip;             // client address as evaluated (IPv4-mapped IPv6 made IPv4)
  std::string helo;         // HELO/EHLO name, as given
  std::string mechanism;    // the directive that matched ("-all", "include:_spf.example.com");
                            // "default" when none matched; empty for none/temperror/permerror
  std::string explanation;  // Fail only: exp= text expanded, or the default explanation
  unsigned lookups = 0;     // DNS-querying terms evaluated (§4.6.4 limit: Limits::spf_dns_lookups)
  unsigned void_lookups = 0;  // lookups that answered NXDOMAIN or no records
  std::string
      reason;  // why, in words ("no SPF record", "2 v=spf1 records", "unknown mechanism 'moo'")
  ReasonCode reason_code = ReasonCode::None;  // the same as a stable code (spf_no_record, ...)
};

struct CheckerOptions {
  std::string receiving_host = "unknown";  // %{r}: the receiving MTA's domain name
  // Macro text (RFC 7208 §7) used as the explanation when a Fail has no usable exp=.
  std::string default_explanation = "%{i} is not one of %{d}'s designated mail servers";
};

// Evaluates SPF policies through `resolver`. Thread-safe as long as the resolver is; holds no
// per-check state.
class Checker {
 public:
  Checker(dns::Resolver& resolver, const Limits& limits, const Clock& clock,
          CheckerOptions options = {});
  // Uses the system clock.
  explicit Checker(dns::Resolver& resolver, const Limits& limits = {}, CheckerOptions options = {});

  // RFC 7208 §4: check_host(<ip>, <domain>, <sender>). `helo` feeds %{h}. A <sender> without
  // local part ("@example.com" or "example.com") is taken as postmaster@<domain>.
  SpfResult check_host(const IpAddress& ip, std::string_view domain, std::string_view sender,
                       std::string_view helo = {}) const;

  // The MAIL FROM identity (§2.4): `mail_from` is the reverse-path with or without angle
  // brackets; a null reverse-path ("" or "<>") checks postmaster@<helo> instead.
  SpfResult check_mail_from(const IpAddress& ip, std::string_view mail_from,
                            std::string_view helo) const;
  // The HELO identity on its own (§2.3): check_host(ip, helo, postmaster@helo).
  SpfResult check_helo(const IpAddress& ip, std::string_view helo) const;

  const CheckerOptions& options() const { return options_; }

 private:
  dns::Resolver& resolver_;
  Limits limits_;
  const Clock& clock_;
  CheckerOptions options_;
};

// The spf method for Authentication-Results (RFC 8601 §2.7.2): smtp.mailfrom=<sender> or
// smtp.helo=<helo>; reason= carries the error for temperror/permerror.
authres::MethodResult to_method_result(const SpfResult& result);

// The Received-SPF field value (RFC 7208 §9.1), without the "Received-SPF:" name, on one line:
//   pass (mx.example.org: domain of a@example.com designates 192.0.2.1 as permitted sender)
//   client-ip=192.0.2.1; envelope-from="a@example.com"; helo=mail.example.com; ...
// `receiver` is the host that performed the check (RFC 7208 receiver=).
std::string received_spf(const SpfResult& result, std::string_view receiver);

}  // namespace auth::spf
