// Internal to libauth: explaining a DKIM body hash mismatch (RFC 6376 §3.7) by hashing variants
// of the received body. What a relay or a signer most often changes is the end of the body:
// those variants come from the bounded tail a BodyHash keeps (BodyHasher variants). Variants of
// the whole body (the other canonicalization, line ends without white space) need a copy of
// it, which the verifier keeps only when asked (VerifyOptions::keep_body_for_diagnosis).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "dkim/shared.hpp"

namespace auth::dkim {

// The raw body of a message while it fits a bound; nothing once it outgrew it.
class KeptBody {
 public:
  static constexpr std::size_t max_bytes = 64 * 1024;
  void append(std::string_view chunk);
  // The whole body, or null when it was larger than max_bytes.
  const std::string* text() const { return complete_ ? &text_ : nullptr; }

 private:
  std::string text_;
  bool complete_ = true;
};

struct BodyMismatch {
  enum class Cause {
    Unexplained,            // changed in transit, not only at its end or in white space
    Truncated,              // shorter than l=
    OtherCanonicalization,  // the signer hashed with the other body canonicalization
    LineEndWhiteSpace,      // white space was added at line ends (simple)
    TrailingLinesKept,      // the signer kept the trailing empty lines
    FinalLineBreakMissing,  // the signer did not add the final CRLF
    WhiteSpaceAppended,     // lines of white space were appended
    TextAppended,           // text was appended (a list footer)
  };
  Cause cause = Cause::Unexplained;
  std::uint64_t lines = 0;  // WhiteSpaceAppended, TextAppended: the lines appended
  std::uint64_t bytes = 0;  // TextAppended: their bytes; Truncated: the canonical body length
  // "body hash mismatch; the body matches without its last 2 lines (17 bytes): text was
  // appended in transit", ...
  std::string text(const Signature& signature) const;
};

// Why `body` does not hash to the signature's bh=. `kept` is the raw body when it was kept.
BodyMismatch diagnose_body_mismatch(const Signature& signature, const BodyHash& body,
                                    const std::string* kept);

}  // namespace auth::dkim
