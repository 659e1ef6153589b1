// Explaining a body hash mismatch (body_diagnosis.hpp).
#include "dkim/body_diagnosis.hpp"

namespace auth::dkim {

void KeptBody::append(std::string_view chunk) {
  if (!complete_) return;
  if (text_.size() + chunk.size() > max_bytes) {
    complete_ = false;
    std::string().swap(text_);
    return;
  }
  text_.append(chunk);
}

namespace {

Canonicalization other_than(Canonicalization c) {
  return c == Canonicalization::Simple ? Canonicalization::Relaxed : Canonicalization::Simple;
}

// Simple keeps white space at line ends; some relays add it.
std::string without_line_end_white_space(std::string_view body) {
  std::string stripped;
  stripped.reserve(body.size());
  for (char c : body) {
    if (c == '\n' && !stripped.empty() && stripped.back() == '\r') {
      stripped.pop_back();
      while (!stripped.empty() && (stripped.back() == ' ' || stripped.back() == '\t'))
        stripped.pop_back();
      stripped += "\r";
    }
    stripped.push_back(c);
  }
  return stripped;
}

}  // namespace

BodyMismatch diagnose_body_mismatch(const Signature& sig, const BodyHash& body,
                                    const std::string* kept) {
  using Cause = BodyMismatch::Cause;
  BodyMismatch out;
  if (sig.length && *sig.length > body.canonical_length) {
    out.cause = Cause::Truncated;
    out.bytes = body.canonical_length;
    return out;
  }
  auto matches = [&](const std::optional<crypto::Digest>& digest) {
    return digest && same_bytes(*digest, sig.bh);
  };
  if (kept != nullptr) {
    const Canonicalization other = other_than(sig.canonicalization.body);
    BodyHasher hasher(BodyHashKey{other, hash_of(sig.algorithm), sig.length});
    hasher.update(*kept);
    if (matches(hasher.finish().digest)) {
      out.cause = Cause::OtherCanonicalization;
      return out;
    }
    if (sig.canonicalization.body == Canonicalization::Simple) {
      BodyHasher simple(BodyHashKey{Canonicalization::Simple, hash_of(sig.algorithm), sig.length});
      simple.update(without_line_end_white_space(*kept));
      if (matches(simple.finish().digest)) {
        out.cause = Cause::LineEndWhiteSpace;
        return out;
      }
    }
  }
  if (!body.tail) return out;
  const BodyHash::Tail& tail = *body.tail;
  if (tail.held_line_breaks > 1) {
    std::string lines;
    for (std::size_t i = 1; i < tail.held_line_breaks; ++i) lines += "\r\n";
    if (matches(body.extended_digest(lines))) {
      out.cause = Cause::TrailingLinesKept;
      return out;
    }
  }
  if (body.canonical_length >= 2 && matches(body.prefix_digest(body.canonical_length - 2))) {
    out.cause = Cause::FinalLineBreakMissing;
    return out;
  }
  // Lines appended in transit (a list footer, white space lines): the digest at each line
  // boundary of the kept tail, in one pass; the boundary nearest the end that matches wins.
  const std::string_view bytes = tail.bytes;
  crypto::Hasher hasher = tail.before;
  std::size_t hashed = 0, match = std::string_view::npos;
  for (std::size_t pos = bytes.find("\r\n");
       pos != std::string_view::npos && pos + 2 < bytes.size(); pos = bytes.find("\r\n", pos + 2)) {
    hasher.update(bytes.substr(hashed, pos + 2 - hashed));
    hashed = pos + 2;
    crypto::Hasher at_boundary = hasher;
    if (matches(at_boundary.finish())) match = hashed;
  }
  if (match == std::string_view::npos) return out;
  const std::string_view added = bytes.substr(match);
  for (std::size_t pos = added.find("\r\n"); pos != std::string_view::npos;
       pos = added.find("\r\n", pos + 2))
    ++out.lines;
  const bool only_white_space = added.find_first_not_of(" \t\r\n") == std::string_view::npos;
  out.cause = only_white_space ? Cause::WhiteSpaceAppended : Cause::TextAppended;
  out.bytes = added.size();
  return out;
}

std::string BodyMismatch::text(const Signature& sig) const {
  std::string reason = "body hash mismatch";
  const std::string count = std::to_string(lines) + (lines == 1 ? " line" : " lines");
  switch (cause) {
    case Cause::Unexplained:
      return reason + "; the body was changed in transit (not only at its end or in white space)";
    case Cause::Truncated:
      return reason + "; the body is shorter than l= (" + std::to_string(bytes) + " < " +
             std::to_string(sig.length.value_or(0)) + " bytes): it was truncated";
    case Cause::OtherCanonicalization:
      return reason + "; the body matches with " +
             std::string(to_string(other_than(sig.canonicalization.body))) +
             " body canonicalization: the signer did not follow its c= tag";
    case Cause::LineEndWhiteSpace:
      return reason +
             "; the body matches with white space removed from its line ends: white space was "
             "added there in transit";
    case Cause::TrailingLinesKept:
      return reason +
             "; the body matches with its trailing empty lines kept: the signer did not remove "
             "them";
    case Cause::FinalLineBreakMissing:
      return reason + "; the body matches without its final line break: the signer did not add it";
    case Cause::WhiteSpaceAppended:
      return reason + "; the body matches without its last " + count +
             " of white space: they were added in transit";
    case Cause::TextAppended:
      return reason + "; the body matches without its last " + count + " (" +
             std::to_string(bytes) + " bytes): text was appended in transit";
  }
  return reason;
}

}  // namespace auth::dkim
