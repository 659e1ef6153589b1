// auth::ReasonCode: why a protocol result is what it is, as a stable code. Every result carries
// one beside its human text; tests, logs, JSON ("reason_code") and reports use the code, people
// read the text. Codes are never renamed once published: add new ones instead.
#pragma once

#include <string_view>

namespace auth {

enum class ReasonCode {
  None,  // nothing to explain (a pass, or no result at all); written as ""

  // DNS, shared by every protocol.
  DnsTimeout,        // "dns_timeout"
  DnsServerFailure,  // "dns_server_failure"

  // DKIM signatures and keys (RFC 6376, 8301, 8463), and the ARC signatures that reuse them.
  SignatureSyntax,         // "signature_syntax": the tag list or a tag value does not parse
  MissingTag,              // "missing_tag"
  UnsupportedVersion,      // "unsupported_version"
  UnsupportedAlgorithm,    // "unsupported_algorithm"
  UnsupportedQueryMethod,  // "unsupported_query_method"
  BadDomain,               // "bad_domain": d=, s= or i= is not a usable name
  HeaderNotSigned,         // "header_not_signed": h= lacks From
  Expired,                 // "expired"
  TooManySignatures,       // "too_many_signatures": beyond Limits::max_signatures, not checked
  HeaderLimit,             // "header_limit": the header passed a Limits bound
  KeyNotFound,             // "key_not_found": NXDOMAIN or no key record at the name
  KeySyntax,               // "key_syntax": the key record does not parse
  KeyAmbiguous,            // "key_ambiguous": several key records at the name
  KeyInvalid,              // "key_invalid": p= is not a usable public key
  KeyRevoked,              // "key_revoked": empty p=
  KeyTypeMismatch,         // "key_type_mismatch": k= does not fit a=
  KeyHashNotAllowed,       // "key_hash_not_allowed": the record's h= excludes the hash
  KeyServiceNotAllowed,    // "key_service_not_allowed": s= excludes email
  KeyIdentityMismatch,     // "key_identity_mismatch": t=s and i= is not exactly d=
  KeyTooSmall,             // "key_too_small": RSA below Limits::min_rsa_bits (RFC 8301)
  WeakAlgorithm,           // "weak_algorithm": rsa-sha1 (RFC 8301)
  BodyHashMismatch,        // "body_hash_mismatch"
  SignatureMismatch,       // "signature_mismatch": the signature does not verify

  // ARC chain rules (RFC 8617).
  ArcStructure,           // "arc_structure": missing, duplicate or misnumbered fields, or an
                          // ARC-Authentication-Results that does not start with i=N;
  ArcTooManyInstances,    // "arc_too_many_instances"
  ArcInvalidCv,           // "arc_invalid_cv": cv= is not what the instance requires
  ArcChainAlreadyFailed,  // "arc_chain_already_failed": the newest seal says cv=fail
  ArcAmsFailed,           // "arc_ams_failed": the newest ARC-Message-Signature fails (why: the
                          // set's ams_reason_code)
  ArcSealFailed,          // "arc_seal_failed": an ARC-Seal fails (why: its seal_reason_code)

  // SPF (RFC 7208).
  SpfNoRecord,         // "spf_no_record"
  SpfMultipleRecords,  // "spf_multiple_records"
  SpfSyntax,           // "spf_syntax": the record or a macro in it does not parse
  SpfLookupLimit,      // "spf_lookup_limit": more than 10 DNS-querying terms (or MX names,
                       // or include/redirect nesting)
  SpfVoidLookupLimit,  // "spf_void_lookup_limit"
  SpfIncludeNone,      // "spf_include_none": include: or redirect= of a domain without SPF
  SpfBadDomain,        // "spf_bad_domain": the checked domain is not a valid name
  SpfTimeBudget,       // "spf_time_budget": the check ran out of its time
  SpfMatched,          // "spf_matched": a mechanism decided the result (see `mechanism`)
  SpfDefault,          // "spf_default": nothing matched; the default result applies

  // DMARC (RFC 9989).
  DmarcNoRecord,          // "dmarc_no_record": no policy record applies
  DmarcRecordUnusable,    // "dmarc_record_unusable": p missing or invalid and no valid rua
  DmarcFromMissing,       // "dmarc_from_missing": no From field
  DmarcFromMultiple,      // "dmarc_from_multiple": several From fields
  DmarcFromUnparsable,    // "dmarc_from_unparsable": the From field has no usable address
  DmarcTooManyDomains,    // "dmarc_too_many_domains": more Author Domains than the limit
  DmarcNotAligned,        // "dmarc_not_aligned": no identifier passed and aligned
  DmarcTrustedForwarder,  // "dmarc_trusted_forwarder": a fail accepted on a trusted ARC chain
};

// The stable text of a code ("body_hash_mismatch"); "" for None.
std::string_view to_string(ReasonCode code);

}  // namespace auth
