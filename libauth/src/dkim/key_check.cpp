// The published-key check (auth/key_check.hpp): one TXT query, then what an operator needs to
// know before signing with the key.
#include <auth/dkim.hpp>
#include <auth/domain_name.hpp>
#include <auth/key_check.hpp>

#include <algorithm>
#include <optional>

#include "dkim/key_split.hpp"
#include "message/excerpt.hpp"

namespace auth::dkim {
namespace {

// RFC 8301 §3.2: signers SHOULD use at least 2048 bits; verifiers need only handle 1024..4096.
constexpr unsigned recommended_rsa_bits = 2048;
constexpr unsigned max_verifier_rsa_bits = 4096;
// Parse errors may quote a whole p= value; a problem shows this much of one.
constexpr std::size_t max_error_shown = 100;

std::string_view type_name(crypto::KeyType type) {
  return type == crypto::KeyType::Rsa ? "rsa" : "ed25519";
}

std::string describe(crypto::KeyType type, unsigned bits) {
  return type == crypto::KeyType::Rsa ? "an RSA key of " + std::to_string(bits) + " bits"
                                      : std::string("an Ed25519 key");
}

// A signature made by the private key, to try public keys with: a key matches when it verifies.
struct Probe {
  crypto::Digest digest;
  crypto::Bytes signature;
};

Expected<Probe> make_probe(const crypto::PrivateKey& key) {
  Probe probe{crypto::hash(crypto::HashAlgorithm::Sha256, "mailauth published-key check"), {}};
  auto signature = key.sign(crypto::HashAlgorithm::Sha256, probe.digest.view());
  if (!signature) return std::unexpected(signature.error());
  probe.signature = std::move(*signature);
  return probe;
}

bool holds(const crypto::PublicKey& public_key, const crypto::PrivateKey& key, const Probe& probe) {
  return public_key.type() == key.type() &&
         public_key.verify(crypto::HashAlgorithm::Sha256, probe.digest.view(), probe.signature);
}

// One TXT record of the RRset that parsed as a key record.
struct Candidate {
  std::size_t index = 0;
  KeyRecord record;
  std::optional<crypto::PublicKey> key;  // absent when revoked or p= is not a key
};

class Checker {
 public:
  Checker(KeyCheck& out, const crypto::PrivateKey& key, const Probe& probe, const Limits& limits)
      : out_(out), key_(key), probe_(probe), limits_(limits) {}

  void run(const dns::Answer& answer) {
    if (look_up(answer)) check_records(answer);
    check_private_key();
  }

 private:
  void check_records(const dns::Answer& answer) {
    out_.record_found = true;
    std::vector<Candidate> candidates;
    for (std::size_t i = 0; i < answer.txt.size(); ++i) read_record(answer, i, candidates);

    if (candidates.empty()) {
      not_key_records(answer);
      out_.result = KeyCheckResult::Invalid;
    } else if (candidates.size() > 1) {
      several(candidates);
      out_.result = KeyCheckResult::Invalid;
    } else {
      out_.result = check_one(candidates.front());
    }
    const bool usable = std::any_of(candidates.begin(), candidates.end(),
                                    [](const Candidate& c) { return c.key.has_value(); });
    if (!usable) look_for_joined_records(answer);
    if (!candidates.empty())
      for (const auto& [i, error] : errors_)
        add(KeyProblemCode::OtherTxtRecord,
            "TXT record " + std::to_string(i + 1) +
                " is not a DKIM key record and is ignored: " + error);
  }

  void add(KeyProblemCode code, std::string text) {
    out_.problems.push_back({code, std::move(text)});
  }
  // False when the answer ends the check (no records, or DNS failed).
  bool look_up(const dns::Answer& answer) {
    switch (answer.status) {
      case dns::Status::Timeout:
        add(KeyProblemCode::DnsTimeout, "DNS timeout looking up " + out_.name + ": try again");
        out_.result = KeyCheckResult::TempError;
        return false;
      case dns::Status::ServFail:
        add(KeyProblemCode::DnsServerFailure,
            "DNS server failure (SERVFAIL) looking up " + out_.name + ": try again");
        out_.result = KeyCheckResult::TempError;
        return false;
      case dns::Status::NxDomain:
        add(KeyProblemCode::NameNotFound,
            "no such name " + out_.name +
                " (NXDOMAIN): the key record is not published yet, or "
                "not under this selector and domain");
        out_.result = KeyCheckResult::Missing;
        return false;
      case dns::Status::Ok:
        break;
    }
    if (answer.txt.empty()) {
      add(KeyProblemCode::NoTxtRecord, out_.name + " exists but has no TXT record");
      out_.result = KeyCheckResult::Missing;
      return false;
    }
    return true;
  }

  void read_record(const dns::Answer& answer, std::size_t i, std::vector<Candidate>& candidates) {
    const std::string& text = answer.txt[i];
    const std::string which = record_name(answer, i);
    if (text.find_first_of("\"\\") != std::string::npos)
      add(KeyProblemCode::StrayQuote,
          which +
              " contains a '\"' or '\\': zone-file quoting was probably pasted into the "
              "record's text");
    const std::vector<std::size_t> splits = split_points(answer, i);
    auto record = parse_key_record(text);
    if (!record) {
      errors_.emplace_back(i, message::excerpt(record.error().message, max_error_shown));
      if (!splits.empty())
        add(KeyProblemCode::SplitUnparsable,
            which + ": " + describe_unparsable_split(text, splits, record.error()));
      return;
    }
    if (auto spaced = whitespace_at_splits(text, splits))
      add(KeyProblemCode::SplitWhitespace, which + ": " + *spaced);
    Candidate c;
    c.index = i;
    if (!record->revoked()) {
      auto public_key = crypto::PublicKey::from_dkim(record->key_type, record->public_key);
      if (public_key) c.key = std::move(*public_key);
    }
    c.record = std::move(*record);
    candidates.push_back(std::move(c));
  }

  static std::string record_name(const dns::Answer& answer, std::size_t i) {
    return answer.txt.size() == 1 ? std::string("the TXT record")
                                  : "TXT record " + std::to_string(i + 1);
  }

  void look_for_joined_records(const dns::Answer& answer) {
    auto joined = join_records(answer.txt);
    if (!joined) return;
    std::string order;
    for (const std::size_t i : joined->order)
      order += (order.empty() ? "" : ", ") + std::to_string(i + 1);
    add(KeyProblemCode::SplitAcrossRecords,
        "the key seems split into " + std::to_string(answer.txt.size()) +
            " separate TXT records: joined in the order " + order + " they make a key record" +
            (holds(joined->key, key_, probe_) ? " holding this key" : "") +
            "; publish one TXT record made of several strings instead");
  }

  void not_key_records(const dns::Answer& answer) {
    if (answer.txt.size() == 1) {
      add(KeyProblemCode::NotKeyRecord,
          "the TXT record is not a DKIM key record: " + errors_[0].second);
      return;
    }
    add(KeyProblemCode::NotKeyRecord,
        "none of the " + std::to_string(answer.txt.size()) +
            " TXT records is a DKIM key record (first: " + errors_[0].second + ")");
  }

  void several(const std::vector<Candidate>& candidates) {
    std::string holding;
    for (const Candidate& c : candidates) {
      if (!c.key || !holds(*c.key, key_, probe_)) continue;
      out_.matches_key = true;
      out_.testing = c.record.testing;
      holding = "; record " + std::to_string(c.index + 1) + " holds this key";
    }
    if (!out_.matches_key) out_.testing = candidates.front().record.testing;
    add(KeyProblemCode::SeveralKeyRecords,
        std::to_string(candidates.size()) + " DKIM key records at " + out_.name +
            ": verifiers may pick any one of them (RFC 6376 §3.6.2.2) and mailauth rejects "
            "them all" +
            holding + "; keep exactly one");
    if (out_.testing) testing();
  }

  KeyCheckResult check_one(const Candidate& c) {
    const KeyRecord& record = c.record;
    out_.testing = record.testing;
    if (record.revoked()) {
      add(KeyProblemCode::KeyRevoked,
          "the key is revoked: p= is empty (RFC 6376 §3.6.1); publish the public key or sign "
          "under another selector");
      return KeyCheckResult::Invalid;
    }
    if (!c.key) {
      std::string text = "p= is not a valid " +
                         std::string(record.key_type == crypto::KeyType::Rsa ? "RSA" : "Ed25519") +
                         " public key (" + std::to_string(record.public_key.size()) +
                         " bytes decoded)";
      if (record.key_type == crypto::KeyType::Rsa && record.public_key.size() == 32)
        text += "; 32 bytes is the size of an Ed25519 key: the record needs k=ed25519";
      add(KeyProblemCode::PublicKeyInvalid, std::move(text));
      return KeyCheckResult::Invalid;
    }
    if (record.testing) testing();
    if (record.key_type != key_.type()) {
      add(KeyProblemCode::KeyTypeMismatch,
          "the record says k=" + std::string(type_name(record.key_type)) +
              " but the private key is " + describe(key_.type(), key_.bits()));
      return KeyCheckResult::Mismatch;
    }
    if (!holds(*c.key, key_, probe_)) {
      add(KeyProblemCode::KeyMismatch,
          "the public key in DNS (" + describe(c.key->type(), c.key->bits()) +
              ") is not the public half of the private key: publish this key's record, or sign "
              "with the key that matches");
      return KeyCheckResult::Mismatch;
    }
    out_.matches_key = true;
    KeyCheckResult result = KeyCheckResult::Ok;
    if (!record.hash_algorithms.empty() &&
        std::find(record.hash_algorithms.begin(), record.hash_algorithms.end(),
                  crypto::HashAlgorithm::Sha256) == record.hash_algorithms.end()) {
      add(KeyProblemCode::HashNotAllowed,
          "h= does not list sha256, which rsa-sha256 and ed25519-sha256 signatures use "
          "(RFC 8301 forbids sha1): drop h= or make it h=sha256");
      result = KeyCheckResult::Invalid;
    }
    if (!record.email_service) {
      add(KeyProblemCode::ServiceNotAllowed,
          "s= does not list email or *: verifiers may not use the key for mail (RFC 6376 "
          "§3.6.1); drop s=");
      result = KeyCheckResult::Invalid;
    }
    if (key_.type() == crypto::KeyType::Rsa && key_.bits() < limits_.min_rsa_bits)
      result = KeyCheckResult::Invalid;  // explained by check_private_key()
    return result;
  }

  void testing() {
    add(KeyProblemCode::Testing,
        "t=y: the domain is testing DKIM, and verifiers must treat its mail as if it were "
        "unsigned (RFC 6376 §3.6.1); remove t=y once signatures verify");
  }

  // RFC 8301 §3.2 on the key we sign with (the one in DNS too, when it matches).
  void check_private_key() {
    if (key_.type() != crypto::KeyType::Rsa) return;
    const unsigned bits = key_.bits();
    if (bits < limits_.min_rsa_bits) {
      add(KeyProblemCode::KeyTooSmall, "the private key is " + describe(key_.type(), bits) +
                                           ": verifiers reject RSA keys "
                                           "below " +
                                           std::to_string(limits_.min_rsa_bits) +
                                           " bits (RFC 8301 §3.2); make a new key of 2048 bits");
    } else if (bits < recommended_rsa_bits) {
      add(KeyProblemCode::KeyBelowRecommended,
          "the private key is " + describe(key_.type(), bits) +
              ": RFC 8301 §3.2 says signers should use at least 2048 bits");
    } else if (bits > max_verifier_rsa_bits) {
      add(KeyProblemCode::KeyAboveVerifierRange,
          "the private key is " + describe(key_.type(), bits) +
              ": verifiers need only handle RSA keys up to 4096 bits (RFC 8301 §3.2), so some "
              "may fail its signatures");
    }
  }

  KeyCheck& out_;
  const crypto::PrivateKey& key_;
  const Probe& probe_;
  const Limits& limits_;
  // The TXT records that are not key records: their index and why.
  std::vector<std::pair<std::size_t, std::string>> errors_;
};

}  // namespace

std::string_view to_string(KeyCheckResult result) {
  switch (result) {
    case KeyCheckResult::Ok:
      return "ok";
    case KeyCheckResult::Mismatch:
      return "mismatch";
    case KeyCheckResult::Missing:
      return "missing";
    case KeyCheckResult::Invalid:
      return "invalid";
    case KeyCheckResult::TempError:
      return "temperror";
  }
  return "invalid";
}

std::string_view to_string(KeyProblemCode code) {
  switch (code) {
    case KeyProblemCode::DnsTimeout:
      return "dns_timeout";
    case KeyProblemCode::DnsServerFailure:
      return "dns_server_failure";
    case KeyProblemCode::NameNotFound:
      return "name_not_found";
    case KeyProblemCode::NoTxtRecord:
      return "no_txt_record";
    case KeyProblemCode::NotKeyRecord:
      return "not_key_record";
    case KeyProblemCode::OtherTxtRecord:
      return "other_txt_record";
    case KeyProblemCode::SeveralKeyRecords:
      return "several_key_records";
    case KeyProblemCode::KeyRevoked:
      return "key_revoked";
    case KeyProblemCode::PublicKeyInvalid:
      return "public_key_invalid";
    case KeyProblemCode::KeyTypeMismatch:
      return "key_type_mismatch";
    case KeyProblemCode::KeyMismatch:
      return "key_mismatch";
    case KeyProblemCode::HashNotAllowed:
      return "hash_not_allowed";
    case KeyProblemCode::ServiceNotAllowed:
      return "service_not_allowed";
    case KeyProblemCode::KeyTooSmall:
      return "key_too_small";
    case KeyProblemCode::KeyBelowRecommended:
      return "key_below_recommended";
    case KeyProblemCode::KeyAboveVerifierRange:
      return "key_above_verifier_range";
    case KeyProblemCode::Testing:
      return "testing";
    case KeyProblemCode::StrayQuote:
      return "stray_quote";
    case KeyProblemCode::SplitWhitespace:
      return "split_whitespace";
    case KeyProblemCode::SplitUnparsable:
      return "split_unparsable";
    case KeyProblemCode::SplitAcrossRecords:
      return "split_across_records";
  }
  return "";
}

Expected<KeyCheck> check_published_key(dns::Resolver& resolver, std::string_view domain,
                                       std::string_view selector, const crypto::PrivateKey& key,
                                       const Limits& limits) {
  const std::string text = std::string(selector) + "._domainkey." + std::string(domain);
  const auto name = DomainName::parse(text);
  if (domain.empty() || selector.empty() || !name)
    return fail(ErrorCode::InvalidArgument,
                "selector and domain do not make a DNS name: " + message::quoted_excerpt(text));
  auto probe = make_probe(key);
  if (!probe) return std::unexpected(probe.error());

  KeyCheck out;
  out.name = name->str();
  out.key_type = key.type();
  out.key_bits = key.bits();
  Checker(out, key, *probe, limits).run(resolver.query(out.name, dns::RrType::TXT));
  return out;
}

}  // namespace auth::dkim
