// auth::dmarc: DMARC (RFC 9989, which obsoletes RFC 7489 and RFC 9091): policy records, policy
// discovery by the DNS tree walk (or the RFC 7489 public suffix list, as an option),
// identifier alignment, and the verdict for one message.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <auth/arc.hpp>
#include <auth/authres.hpp>
#include <auth/dkim.hpp>
#include <auth/dns.hpp>
#include <auth/error.hpp>
#include <auth/limits.hpp>
#include <auth/reason.hpp>
#include <auth/spf.hpp>

namespace auth::dmarc {

// ---------------------------------------------------------------------------------------------
// Policy records (RFC 9989 §4.7, §4.8).

// Results as RFC 9989 §9.2 registers them for Authentication-Results.
enum class Result { None, Pass, Fail, TempError, PermError };
std::string_view to_string(Result result);  // "none", "pass", ...

// The Domain Owner Assessment Policy (p=, sp=, np=).
enum class Policy { None, Quarantine, Reject };
std::string_view to_string(Policy policy);  // "none", "quarantine", "reject"

enum class AlignmentMode { Relaxed, Strict };    // adkim= / aspf= r / s
std::string_view to_string(AlignmentMode mode);  // "r", "s"

enum class PsdFlag { Unspecified, Yes, No };  // psd= u / y / n
std::string_view to_string(PsdFlag flag);     // "u", "y", "n"

// One rua= or ruf= URI. Only mailto: is delivered to; other schemes are kept and skipped.
struct ReportUri {
  std::string uri;      // as written, without the obsolete "!size" suffix
  std::string scheme;   // lower case: "mailto", "https", ...
  std::string address;  // mailto: the addr-spec, %-decoded; empty for other schemes
  std::string host;     // mailto: the address's domain (lower case); else the URI's host
};

// fo= (RFC 9989 §4.7): which failures deserve a failure report.
struct FailureOptions {
  bool all_fail = true;   // "0": no mechanism produced an aligned pass (the default)
  bool any_fail = false;  // "1": some mechanism failed to produce an aligned pass
  bool dkim = false;      // "d": a DKIM signature failed, aligned or not
  bool spf = false;       // "s": SPF failed, aligned or not
};

struct Record {
  std::optional<Policy> p;   // absent when missing or invalid
  std::optional<Policy> sp;  // absent when missing or invalid
  std::optional<Policy> np;  // absent when missing or invalid
  bool p_invalid = false;    // p= present with a bad value
  bool sp_invalid = false;
  bool np_invalid = false;
  AlignmentMode adkim = AlignmentMode::Relaxed;
  AlignmentMode aspf = AlignmentMode::Relaxed;
  PsdFlag psd = PsdFlag::Unspecified;
  std::vector<ReportUri> rua;  // valid URIs only, in order
  std::vector<ReportUri> ruf;
  FailureOptions fo;
  std::string fo_text = "0";  // fo= as written (trimmed), "0" when absent or invalid
  bool testing = false;       // t=y
  std::string text;           // the record as published (character-strings joined)
  // Names of the tags the record set with a valid value (lower case, in record order, v
  // excluded), for policy_published in aggregate reports.
  std::vector<std::string> tags;
  // Names of the known tags whose value was invalid and so ignored (lower case, record order).
  std::vector<std::string> invalid_tags;
  // What was wrong and ignored: "invalid value 'bob' for adkim= ignored", "unknown tag foo=".
  std::vector<std::string> warnings;

  // RFC 9989 §4.10.1: a record whose p is missing or invalid, or whose sp or np is invalid,
  // still applies (as p=none) when rua holds a valid URI; otherwise DMARC does not apply.
  bool usable() const;
  // The policy for the Author Domain itself: p, or none when usable() only through rua.
  Policy domain_policy() const;
  // For an Author Domain below the record's name: np when it does not exist (falling back to
  // sp, then p), else sp (falling back to p).
  Policy subdomain_policy(bool author_domain_exists) const;
};

// One tag of a record with the value that applies to it (RFC 9989 §4.7 defaults filled in).
struct EffectiveTag {
  std::string name;        // "v", "p", "sp", "np", "psd", "adkim", "aspf", "rua", "ruf", "fo", "t"
  std::string value;       // rua/ruf: the URIs joined with ","; "" when there is none
  bool defaulted = false;  // the record does not set it (or sets it to an invalid value)
};
// Every tag, in the order above: sp falls back to p, np to sp then p; a record that counts as
// p=none (Record::usable() through rua only) shows none for p, sp and np. For record checks and
// policy_published in aggregate reports (absent tags reported with their default values).
std::vector<EffectiveTag> effective_tags(const Record& record);

// Parses one TXT record (its character-strings already joined). Fails (Syntax) when the text is
// not a DMARC record at all: v=DMARC1 missing, not first or not exact. Bad values of other tags
// do not fail: they fall back to defaults and are listed in `warnings`.
Expected<Record> parse_record(std::string_view text);

// The public suffix list (RFC 7489's Organizational Domain method, kept as an option).
class PublicSuffixList {
 public:
  // Reads the list (e.g. /usr/share/publicsuffix/public_suffix_list.dat). Errors name the file.
  static Expected<std::shared_ptr<const PublicSuffixList>> from_file(
      const std::filesystem::path& path);
  static Expected<std::shared_ptr<const PublicSuffixList>> from_string(std::string_view text);
  ~PublicSuffixList();
  // The public suffix of `domain` (an A-label name), by the list's rules with "*" as the
  // default rule: "co.uk" for "a.b.co.uk".
  std::string public_suffix(std::string_view domain) const;
  // The suffix plus one label ("b.co.uk"), or `domain` itself when it is a suffix.
  std::string organizational_domain(std::string_view domain) const;

 private:
  struct Impl;
  explicit PublicSuffixList(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

enum class DiscoveryMethod { TreeWalk, Psl };
std::string_view to_string(DiscoveryMethod method);  // "treewalk", "psl"

// ---------------------------------------------------------------------------------------------
// Discovery (RFC 9989 §4.10) and evaluation (§4.4, §5.3).

// One TXT query of a discovery: what _dmarc.<name> answered.
struct WalkStep {
  std::string name;  // the name queried: "_dmarc.example.com"
  dns::Status status = dns::Status::Ok;
  std::size_t txt_records = 0;    // TXT records in the answer
  std::size_t dmarc_records = 0;  // of which start with v=DMARC1 (several: all discarded)
  std::optional<PsdFlag> psd;     // psd= of the one DMARC record, when exactly one
};

// What a tree walk (or PSL lookup) found for one start name.
struct Discovery {
  std::string domain;                 // the start name (lower case, A-labels)
  std::optional<Record> record;       // the record that applies to `domain`, if any
  std::string policy_domain;          // where `record` was found; "" when none
  std::string organizational_domain;  // always filled: the start name when nothing was found
  DiscoveryMethod method = DiscoveryMethod::TreeWalk;
  unsigned queries = 0;  // DNS queries made for this walk
  // A query the walk needed failed (timeout, SERVFAIL): the Organizational Domain is uncertain,
  // and so is `record` unless it was found at `domain` itself (the first query).
  bool temporary_failure = false;
  std::string reason;                         // the failure (or why nothing applies), in words
  ReasonCode reason_code = ReasonCode::None;  // DnsTimeout / DnsServerFailure / DmarcNoRecord
  std::vector<WalkStep> steps;                // every query, in order
  // Records seen but discarded on the way (several valid records at one name, TXT records that
  // are not DMARC records) and other findings an administrator wants to see:
  // "2 DMARC records at _dmarc.x.example; all are discarded".
  std::vector<std::string> warnings;
};

// RFC 9990 §4 / RFC 9991: may reports for a policy domain go to a URI at another organization?
enum class ReportAuthorization {
  SameOrganization,  // the URI's host has the policy domain's Organizational Domain
  Authorized,        // <policy domain>._report._dmarc.<host> holds a v=DMARC1 record
  NotAuthorized,     // no such record, a bad override, or no host to ask: send nothing
  TempError,         // the authorization query failed; ask again later
};
std::string_view to_string(ReportAuthorization a);  // "same_organization", "authorized", ...

struct ReportDestination {
  ReportUri uri;
  ReportAuthorization authorization = ReportAuthorization::NotAuthorized;
  std::string query;  // the authorization name asked, when the check was needed
  // RFC 9990 §4 step 9: the rua= (or ruf=) of the authorization record, when it names URIs at
  // the same host; reports go there instead of `uri`.
  std::vector<ReportUri> replacements;
  std::string reason;  // in words, for NotAuthorized and TempError
};

// What an administrator's record check (`mailauth dmarc DOMAIN`) shows.
struct RecordCheck {
  Discovery discovery;  // every query, the record that applies, the Organizational Domain
  // Whether `discovery.domain` exists (RFC 9989 §3.2.13); absent when its query failed. Asked
  // only when the record applies from above and np= makes a difference.
  std::optional<bool> domain_exists;
  std::optional<Policy> requested_policy;  // p, sp or np for this domain, before t=y
  std::string policy_tag;                  // which tag gave it: "p", "sp" or "np"; "" if none
  std::optional<Policy> policy;            // the evaluated policy (t=y lowers it)
  std::vector<ReportDestination> rua;      // each aggregate URI of the record that applies
  std::vector<ReportDestination> ruf;      // each failure URI
  // Every finding, in words: the record's own warnings, discarded records, psd= on a name that
  // the public suffix list does not call a suffix (or psd=n on one it does), unauthorized
  // external report URIs.
  std::vector<std::string> warnings;
};

// An SPF result as DMARC uses it: the domain checked (the MAIL FROM domain, or the HELO name for
// a null reverse-path) and its result.
struct SpfIdentity {
  spf::Result result = spf::Result::None;
  std::string domain;
};
SpfIdentity spf_identity(const spf::SpfResult& result);

// One DKIM signature's result as DMARC uses it.
struct DkimIdentity {
  dkim::Result result = dkim::Result::PermError;
  std::string domain;    // d=
  std::string selector;  // s=
};
DkimIdentity dkim_identity(const dkim::DkimResult& result);

// The authenticated identifiers of one message.
struct Identifiers {
  std::optional<SpfIdentity> spf;  // absent: SPF was not evaluated
  std::vector<DkimIdentity> dkim;
  const arc::ArcResult* arc = nullptr;  // for the trusted-forwarder override; may be null
};

// Local overrides of the policy (RFC 9990 names them in aggregate reports).
enum class OverrideReason { LocalPolicy, MailingList, Other, PolicyTestMode, TrustedForwarder };
std::string_view to_string(OverrideReason reason);  // "local_policy", "trusted_forwarder", ...

struct DmarcResult {
  Result result = Result::None;
  ReasonCode reason_code = ReasonCode::DmarcNoRecord;
  std::string reason;         // in words; printable
  std::string author_domain;  // the From domain evaluated (lower case, A-labels)
  std::string policy_domain;  // where the applied record was found; "" when none
  // Of the Author Domain; always filled: the Author Domain itself when nothing was found, and
  // when its own record applies and no relaxed alignment needed the walk above it (RFC 9989
  // §4.10.2: identifiers equal to the Author Domain, or strict alignment).
  std::string organizational_domain;
  // The policy the record asks for this Author Domain (p, sp or np), before t=y.
  std::optional<Policy> requested_policy;
  // The evaluated policy: requested_policy lowered one level under t=y. Absent when no record
  // applies.
  std::optional<Policy> policy;
  // What the policy asks for this message: none for pass, none, temperror and permerror; the
  // evaluated policy for fail, unless a local override (overrides) says otherwise.
  Policy disposition = Policy::None;
  bool spf_aligned = false;
  bool dkim_aligned = false;
  std::string spf_domain;   // the SPF-authenticated domain considered (may be unaligned); ""
                            // unless SPF passed
  std::string dkim_domain;  // the d= of the aligned passing signature, or of the first pass
  DiscoveryMethod discovery = DiscoveryMethod::TreeWalk;
  std::optional<Record> record;           // the record applied, for reports
  std::vector<OverrideReason> overrides;  // why disposition differs from the published policy
  // Every Author Domain of the From field (one unless a From field has several addresses).
  std::vector<std::string> author_domains;
};

// The dmarc= entry of Authentication-Results (RFC 9989 §9.1): dmarc=<result> [reason]
// header.from=<author domain> policy.dmarc=<evaluated policy>.
authres::MethodResult to_method_result(const DmarcResult& result);

struct EvaluatorOptions {
  DiscoveryMethod discovery = DiscoveryMethod::TreeWalk;
  // Required with DiscoveryMethod::Psl (without it the tree walk is used); with the tree walk,
  // only check_record() uses it.
  std::shared_ptr<const PublicSuffixList> psl;
  // ARC sealers whose word is trusted: a DMARC fail is accepted (override trusted_forwarder)
  // when the ARC chain passes and its oldest passing set was sealed by one of these domains
  // and its ARC-Authentication-Results say dmarc=pass, or an aligned dkim or spf pass.
  std::vector<std::string> trusted_arc_sealers;
};

// The Author Domains of a message (RFC 9989 §5.3.1) from the raw values of its From fields:
// each domain once, lower case, U-labels converted to A-labels. No From field, several From
// fields, an unparsable address (or a domain literal, or no address at all), or more domains
// than limits.max_dmarc_author_domains: an Error whose message is the permerror reason; use
// author_domain_reason() for its code.
Expected<std::vector<std::string>> author_domains(std::span<const std::string> from_values,
                                                  const Limits& limits = {});
ReasonCode author_domain_reason(const Error& error);

// Evaluates DMARC through `resolver`. Thread-safe; holds no per-message state.
class Evaluator {
 public:
  explicit Evaluator(dns::Resolver& resolver, const Limits& limits = {},
                     EvaluatorOptions options = {});

  // The verdict for a message whose From field values are `from_values` (see author_domains;
  // with several Author Domains, the strictest failing policy applies and names its domain).
  DmarcResult evaluate(std::span<const std::string> from_values, const Identifiers& ids) const;
  // The verdict for one Author Domain (lower case or not, U-labels accepted).
  DmarcResult evaluate_domain(std::string_view author_domain, const Identifiers& ids) const;

  // Discovery alone: the record that applies to `domain` and its Organizational Domain.
  Discovery discover(std::string_view domain) const;
  // The Organizational Domain of any name (tree walk or PSL, as configured).
  std::string organizational_domain(std::string_view domain) const;
  // Starts the first lookup of a discovery for `domain` in the background (end of headers).
  void prefetch(std::string_view domain) const;

  // RFC 9990 §4: whether reports for `policy_domain` may go to `uri` (`failure_report`: a ruf=
  // URI, whose override comes from the authorization record's ruf=).
  ReportDestination authorize_report_uri(std::string_view policy_domain, const ReportUri& uri,
                                         bool failure_report = false) const;
  // The administrator's check of `domain`: discovery, the policy it gets, report destinations
  // and warnings. Uses options().psl, when set, to judge psd= tags (in either discovery mode).
  RecordCheck check_record(std::string_view domain) const;

  const EvaluatorOptions& options() const { return options_; }

 private:
  dns::Resolver& resolver_;
  Limits limits_;
  EvaluatorOptions options_;
};

}  // namespace auth::dmarc
