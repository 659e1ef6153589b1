// auth::dkim::check_published_key: the check an operator runs after publishing a DKIM key
// (`mailauth keycheck`, and the milter's configuration check): fetch
// <selector>._domainkey.<domain> and say whether it holds the public half of the signing key,
// and whether verifiers can use it (RFC 6376 §3.6, RFC 8301, RFC 8463).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <auth/crypto.hpp>
#include <auth/dns.hpp>
#include <auth/error.hpp>
#include <auth/limits.hpp>

namespace auth::dkim {

enum class KeyCheckResult {
  Ok,         // one usable key record, holding the key's public half
  Mismatch,   // one usable key record, holding another key (or a key of another type)
  Missing,    // no TXT record at the name (NXDOMAIN or NODATA)
  Invalid,    // records at the name that verifiers cannot use for this key
  TempError,  // DNS timeout or SERVFAIL: nothing is known yet
};
std::string_view to_string(KeyCheckResult result);  // "ok", "mismatch", "missing", ...

// What a finding is about; the stable code beside each problem's text.
enum class KeyProblemCode {
  DnsTimeout,             // "dns_timeout"
  DnsServerFailure,       // "dns_server_failure"
  NameNotFound,           // "name_not_found": NXDOMAIN
  NoTxtRecord,            // "no_txt_record": the name exists without TXT records
  NotKeyRecord,           // "not_key_record": no TXT record there parses as a DKIM key record
  OtherTxtRecord,         // "other_txt_record": a TXT record beside the key record is ignored
  SeveralKeyRecords,      // "several_key_records": verifiers may pick any (RFC 6376 §3.6.2.2)
  KeyRevoked,             // "key_revoked": empty p=
  PublicKeyInvalid,       // "public_key_invalid": p= is not a key of the k= type
  KeyTypeMismatch,        // "key_type_mismatch": k= is not the private key's type
  KeyMismatch,            // "key_mismatch": p= is another key
  HashNotAllowed,         // "hash_not_allowed": h= excludes sha256, which our signatures use
  ServiceNotAllowed,      // "service_not_allowed": s= excludes email
  KeyTooSmall,            // "key_too_small": RSA below Limits::min_rsa_bits (RFC 8301 §3.2)
  KeyBelowRecommended,    // "key_below_recommended": RSA below 2048 bits (RFC 8301 §3.2 SHOULD)
  KeyAboveVerifierRange,  // "key_above_verifier_range": RSA above 4096 bits (RFC 8301 §3.2)
  Testing,                // "testing": t=y
  StrayQuote,             // "stray_quote": a '"' or '\' in the record text (pasted zone syntax)
  SplitWhitespace,        // "split_whitespace": white space at a string boundary inside p=
  SplitUnparsable,        // "split_unparsable": the strings join into text that does not parse
  SplitAcrossRecords,     // "split_across_records": a key spread over several TXT records
};
std::string_view to_string(KeyProblemCode code);

struct KeyProblem {
  KeyProblemCode code;
  std::string text;  // for people: what is wrong and what to do; printable
};

struct KeyCheck {
  std::string name;  // "<selector>._domainkey.<domain>", lower case
  KeyCheckResult result = KeyCheckResult::Missing;
  bool record_found = false;  // a TXT record is published at the name
  bool matches_key = false;   // a key record there holds the private key's public half
  crypto::KeyType key_type = crypto::KeyType::Rsa;  // the private key's
  unsigned key_bits = 0;                            // the private key's
  bool testing = false;  // t=y in the key record (the matching one when there are several)
  // Every finding in the order found, including those that leave the result ok (t=y, an RSA
  // key below 2048 bits, white space at a string split).
  std::vector<KeyProblem> problems;
};

// Queries TXT at <selector>._domainkey.<domain> once and checks what it finds against `key`:
// the record parses (RFC 6376 §3.6.1) and is the only key record there, p= is not empty and
// holds the public half of `key` (tested by verifying a signature made with `key`), k= is the
// key's type, h= allows sha256, s= allows email, the RSA size passes limits.min_rsa_bits.
// Where the resolver reports the split into character-strings (Answer::txt_string_lengths), it
// also names splits that put white space into p= or join into text that does not parse, and a
// key spread over several TXT records. Fails only for a domain or selector that does not make
// a DNS name (InvalidArgument) or an OpenSSL failure signing the test digest (Crypto).
Expected<KeyCheck> check_published_key(dns::Resolver& resolver, std::string_view domain,
                                       std::string_view selector, const crypto::PrivateKey& key,
                                       const Limits& limits = {});

}  // namespace auth::dkim
