// Chain validation (RFC 8617 §5.2) over chains sealed by auth::arc::Sealer: results, oldest-pass,
// reasons, DNS temporary failures, limits, caching and split-insensitivity.
#include <gtest/gtest.h>

#include "../support/heap_tracker.hpp"
#include "arc_test_support.hpp"

namespace auth::arc::testing {
namespace {

class ArcValidator : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(rsa_key());
    ASSERT_TRUE(ed25519_key());
    resolver_.add_txt("rsa._domainkey.lists.example.com", key_record(*rsa_key()));
    resolver_.add_txt("ed._domainkey.forward.example.net", key_record(*ed25519_key()));
    resolver_.add_txt("hop3._domainkey.mx.example.org", key_record(*rsa_key()));
  }
  SealingKey hop(unsigned n) const {
    switch (n) {
      case 1:
        return {"lists.example.com", "rsa", rsa_key(), {}};
      case 2:
        return {"forward.example.net", "ed", ed25519_key(), {}};
      default:
        return {"mx.example.org", "hop3", rsa_key(), {}};
    }
  }
  std::string sealed(unsigned hops) {
    std::string text = sample_message();
    for (unsigned i = 1; i <= hops; ++i) text = seal_hop(resolver_, clock_, text, hop(i));
    return text;
  }
  TxtResolver resolver_;
  FixedClock clock_ = FixedClock::at_unix(1795000000);
};

TEST_F(ArcValidator, NoArcFieldsIsNone) {
  const ArcResult r = validate(resolver_, clock_, sample_message());
  EXPECT_EQ(r.result, ChainResult::None);
  EXPECT_EQ(r.instances, 0u);
  EXPECT_TRUE(r.reason.empty());
  EXPECT_EQ(resolver_.queries, 0);
}

TEST_F(ArcValidator, ChainsOfOneTwoThreePassWhateverTheSplit) {
  for (unsigned n = 1; n <= 3; ++n) {
    const std::string text = sealed(n);
    for (std::size_t chunk : {0, 1, 2, 3, 7, 64}) {
      const ArcResult r = validate(resolver_, clock_, text, chunk);
      EXPECT_EQ(r.result, ChainResult::Pass) << n << " sets, chunk " << chunk << ": " << r.reason;
      EXPECT_EQ(r.instances, n);
      EXPECT_EQ(r.oldest_pass, 0u);
      ASSERT_EQ(r.sets.size(), n);
      for (const SetResult& s : r.sets) {
        EXPECT_EQ(s.ams_valid, true);
        EXPECT_EQ(s.seal_valid, true);
        EXPECT_EQ(s.authserv_id, "mx.example.net");
      }
    }
  }
  const ArcResult r = validate(resolver_, clock_, sealed(3));
  EXPECT_EQ(
      r.sealing_domains(),
      (std::vector<std::string>{"lists.example.com", "forward.example.net", "mx.example.org"}));
  EXPECT_EQ(r.sets[0].cv, "none");
  EXPECT_EQ(r.sets[2].cv, "pass");
}

TEST_F(ArcValidator, KeysArePrefetchedAtEndOfHeaders) {
  const SplitMessage m = split_message(sealed(2));
  resolver_.prefetched.clear();
  resolver_.queries = 0;
  Validator validator(resolver_, clock_);
  for (const auto& h : m.headers) validator.header(h);
  EXPECT_TRUE(resolver_.prefetched.empty());
  validator.end_of_headers();
  EXPECT_NE(std::find(resolver_.prefetched.begin(), resolver_.prefetched.end(),
                      "rsa._domainkey.lists.example.com"),
            resolver_.prefetched.end());
  EXPECT_NE(std::find(resolver_.prefetched.begin(), resolver_.prefetched.end(),
                      "ed._domainkey.forward.example.net"),
            resolver_.prefetched.end());
  EXPECT_EQ(resolver_.queries, 0);
  validator.body(m.body);
  EXPECT_EQ(validator.finish().result, ChainResult::Pass);
  EXPECT_EQ(resolver_.queries, 2);  // one query per key name
}

TEST_F(ArcValidator, BodyChangedAfterSealingFails) {
  std::string text = sealed(2);
  text.replace(text.find("a few lines"), 11, "a few LINES");
  const ArcResult r = validate(resolver_, clock_, text);
  EXPECT_EQ(r.result, ChainResult::Fail);
  EXPECT_EQ(r.reason_code, ReasonCode::ArcAmsFailed);
  EXPECT_EQ(r.sets[1].ams_reason_code, ReasonCode::BodyHashMismatch);
  EXPECT_FALSE(r.sets[1].seal_valid.has_value());  // the newest AMS decided first
  EXPECT_EQ(r.oldest_pass, 0u);
}

TEST_F(ArcValidator, SignedHeaderChangedAfterSealingFails) {
  std::string text = sealed(1);
  text.replace(text.find("Subject: An ARC test"), 20, "Subject: An ARC TEST");
  const ArcResult r = validate(resolver_, clock_, text);
  EXPECT_EQ(r.result, ChainResult::Fail);
  EXPECT_EQ(r.reason_code, ReasonCode::ArcAmsFailed);
  EXPECT_EQ(r.sets[0].ams_reason_code, ReasonCode::SignatureMismatch);
}

TEST_F(ArcValidator, OldestPassAfterAnIntermediaryChange) {
  // Hop 2 validates, then tags the subject as a mailing list does, then seals: AMS 1 no longer
  // validates but the chain passes; oldest-pass is 2 (RFC 8617 §5.2 step 5).
  std::string text = sealed(1);
  ArcResult incoming = validate(resolver_, clock_, text);
  ASSERT_EQ(incoming.result, ChainResult::Pass);
  text.replace(text.find("Subject: "), 9, "Subject: [list] ");
  SplitMessage m = split_message(text);
  SealerOptions options;
  options.keys.push_back(hop(2));
  auto sealer = Sealer::create(options, clock_);
  ASSERT_TRUE(sealer);
  feed(*sealer, m);
  SealInput input;
  input.validation = &incoming;
  input.authentication_results = "mx.example.net; arc=pass";
  auto set = sealer->finish(input);
  ASSERT_TRUE(set) << set.error().message;
  m.headers.insert(m.headers.begin(), set->begin(), set->end());
  text = seal_hop(resolver_, clock_, join_message(m.headers, m.body), hop(3));
  const ArcResult r = validate(resolver_, clock_, text);
  EXPECT_EQ(r.result, ChainResult::Pass) << r.reason;
  EXPECT_EQ(r.instances, 3u);
  EXPECT_EQ(r.oldest_pass, 2u);
  EXPECT_EQ(r.sets[0].ams_valid, false);
  EXPECT_EQ(r.sets[0].ams_reason_code, ReasonCode::SignatureMismatch);
  EXPECT_EQ(r.sets[1].ams_valid, true);
  EXPECT_EQ(r.sets[1].ams_reason_code, ReasonCode::None);
  EXPECT_EQ(r.reason_code, ReasonCode::None);
}

TEST_F(ArcValidator, AlteredSealedFieldFailsTheSeal) {
  std::string text = sealed(2);
  // The i=1 AAR is signed only by the seals.
  const std::size_t at = text.find("ARC-Authentication-Results: i=1; mx.example.net; arc=none");
  ASSERT_NE(at, std::string::npos);
  text.replace(text.find("arc=none", at), 8, "arc=pass");
  const ArcResult r = validate(resolver_, clock_, text);
  EXPECT_EQ(r.result, ChainResult::Fail);
  EXPECT_EQ(r.reason_code, ReasonCode::ArcSealFailed);
  EXPECT_EQ(r.sets[1].seal_reason_code, ReasonCode::SignatureMismatch);
}

TEST_F(ArcValidator, DnsTemporaryFailureIsTempError) {
  const std::string text = sealed(2);
  resolver_.set_status("rsa._domainkey.lists.example.com", dns::Status::Timeout);
  ArcResult r = validate(resolver_, clock_, text);
  EXPECT_EQ(r.result, ChainResult::TempError);
  EXPECT_EQ(r.reason_code, ReasonCode::DnsTimeout);
  EXPECT_EQ(r.sets[0].seal_reason_code, ReasonCode::DnsTimeout);
  EXPECT_EQ(to_string(r.result), "temperror");
  resolver_.set_status("rsa._domainkey.lists.example.com", dns::Status::ServFail);
  r = validate(resolver_, clock_, text);
  EXPECT_EQ(r.result, ChainResult::TempError);
  EXPECT_EQ(r.reason_code, ReasonCode::DnsServerFailure);
  // A definite failure wins over a temporary one.
  std::string changed = text;
  changed.replace(changed.find("a few lines"), 11, "a few LINES");
  r = validate(resolver_, clock_, changed);
  EXPECT_EQ(r.result, ChainResult::Fail);
  EXPECT_EQ(r.reason_code, ReasonCode::ArcAmsFailed);
}

TEST_F(ArcValidator, MissingKeyFails) {
  const std::string text = sealed(2);
  resolver_.set_status("ed._domainkey.forward.example.net", dns::Status::NxDomain);
  const ArcResult r = validate(resolver_, clock_, text);
  EXPECT_EQ(r.result, ChainResult::Fail);
  EXPECT_EQ(r.reason_code, ReasonCode::ArcAmsFailed);
  EXPECT_EQ(r.sets[1].ams_reason_code, ReasonCode::KeyNotFound);
}

TEST_F(ArcValidator, KeysBelowTheMinimumSizeFail) {
  Limits limits;
  limits.min_rsa_bits = 4096;
  const ArcResult r = validate(resolver_, clock_, sealed(1), 0, limits);
  EXPECT_EQ(r.result, ChainResult::Fail);
  EXPECT_EQ(r.reason_code, ReasonCode::ArcAmsFailed);
  EXPECT_EQ(r.sets[0].ams_reason_code, ReasonCode::KeyTooSmall);
}

TEST_F(ArcValidator, TooManyHeaderFieldsFail) {
  Limits limits;
  limits.max_header_count = 5;
  const ArcResult r = validate(resolver_, clock_, sealed(1), 0, limits);
  EXPECT_EQ(r.result, ChainResult::Fail);
  EXPECT_EQ(r.reason_code, ReasonCode::HeaderLimit);
}

TEST_F(ArcValidator, InstanceLimitComesFromLimits) {
  Limits limits;
  limits.max_arc_instances = 2;
  const ArcResult r = validate(resolver_, clock_, sealed(3), 0, limits);
  EXPECT_EQ(r.result, ChainResult::Fail);
  EXPECT_EQ(r.reason_code, ReasonCode::ArcTooManyInstances);
}

TEST_F(ArcValidator, FailedChainIsMarkedAndNotExtended) {
  std::string text = sealed(1);
  text.replace(text.find("a few lines"), 11, "a few LINES");
  ArcResult incoming;
  text = seal_hop(resolver_, clock_, text, hop(2), "mx.example.net", &incoming);
  EXPECT_EQ(incoming.result, ChainResult::Fail);
  ASSERT_NE(text.find("cv=fail"), std::string::npos);
  const ArcResult r = validate(resolver_, clock_, text);
  EXPECT_EQ(r.result, ChainResult::Fail);
  EXPECT_EQ(r.reason_code, ReasonCode::ArcChainAlreadyFailed);
  EXPECT_EQ(r.instances, 2u);
  EXPECT_EQ(seal_hop(resolver_, clock_, text, hop(3)), text);  // no set added
}

TEST_F(ArcValidator, KeyCacheAvoidsQueries) {
  const std::string text = sealed(3);
  dkim::KeyCache cache;
  ValidatorOptions options;
  options.key_cache = &cache;
  resolver_.queries = 0;
  EXPECT_EQ(validate(resolver_, clock_, text, 0, {}, options).result, ChainResult::Pass);
  const int first = resolver_.queries;
  EXPECT_EQ(first, 3);
  EXPECT_EQ(validate(resolver_, clock_, text, 0, {}, options).result, ChainResult::Pass);
  EXPECT_EQ(resolver_.queries, first);
}

// A DKIM signature and an ARC set on one message: the DKIM verifier and the validator share one
// BodyHashSet, are fed the same events, and the body is canonicalized and hashed once per
// distinct (canonicalization, hash, l=), whatever the split and the order of feeding.
class SharedBodyHashes : public ArcValidator {
 protected:
  // Signs the sample message with DKIM (c= relaxed/<body>, rsa-sha256), then seals it `hops`
  // times (AMS: relaxed/relaxed with sha256).
  std::string signed_and_sealed(dkim::Canonicalization dkim_body, unsigned hops) {
    dkim::SignerOptions options;
    options.domain = "lists.example.com";
    options.selector = "rsa";
    options.key = rsa_key();
    options.canonicalization.body = dkim_body;
    auto signer = dkim::Signer::create(options, clock_);
    if (!signer) return "signer: " + signer.error().message;
    const SplitMessage m = split_message(sample_message());
    feed(*signer, m);
    auto signature = signer->finish();
    if (!signature) return "sign: " + signature.error().message;
    std::vector<message::HeaderField> headers = *signature;
    headers.insert(headers.end(), m.headers.begin(), m.headers.end());
    std::string text = join_message(headers, m.body);
    for (unsigned i = 1; i <= hops; ++i) text = seal_hop(resolver_, clock_, text, hop(i));
    return text;
  }

  struct Outcome {
    std::vector<dkim::DkimResult> dkim;
    ArcResult arc;
  };
  // Feeds both in lock step (interleaved) or one after the other (sequential).
  Outcome verify(const std::string& text, std::size_t chunk, bool interleaved,
                 dkim::BodyHashSet& shared) {
    const SplitMessage m = split_message(text);
    dkim::VerifyOptions dkim_options;
    dkim_options.shared_body_hashes = &shared;
    dkim::Verifier verifier(resolver_, clock_, {}, dkim_options);
    Validator validator(resolver_, clock_, {}, {.shared_body_hashes = &shared});
    if (interleaved) {
      for (const auto& h : m.headers) {
        verifier.header(h);
        validator.header(h);
      }
      verifier.end_of_headers();
      validator.end_of_headers();
      const std::string_view body = m.body;
      const std::size_t step = chunk == 0 ? std::max<std::size_t>(body.size(), 1) : chunk;
      for (std::size_t i = 0; i < body.size(); i += step) {
        verifier.body(body.substr(i, step));
        validator.body(body.substr(i, step));
      }
      return {verifier.finish(), validator.finish()};
    }
    feed(verifier, m, chunk);
    Outcome out;
    out.dkim = verifier.finish();
    feed(validator, m, chunk);
    out.arc = validator.finish();
    return out;
  }
};

TEST_F(SharedBodyHashes, SameCanonicalizationHashesTheBodyOnce) {
  const std::string text = signed_and_sealed(dkim::Canonicalization::Relaxed, 2);
  const std::size_t body_size = split_message(text).body.size();
  ASSERT_GT(body_size, 0u);
  for (bool interleaved : {true, false}) {
    for (std::size_t chunk : {1, 2, 3, 7, 64, 0}) {
      dkim::BodyHashSet shared;
      const Outcome out = verify(text, chunk, interleaved, shared);
      ASSERT_EQ(out.dkim.size(), 1u);
      EXPECT_EQ(out.dkim[0].result, dkim::Result::Pass) << chunk << ": " << out.dkim[0].reason;
      EXPECT_EQ(out.arc.result, ChainResult::Pass) << chunk << ": " << out.arc.reason;
      EXPECT_EQ(out.arc.instances, 2u);
      // One key (relaxed, sha256, no l=) for the DKIM signature and both AMSs, and each body
      // byte canonicalized and hashed once although both consumers were fed the whole body.
      EXPECT_EQ(shared.size(), 1u);
      EXPECT_EQ(shared.hashed_bytes(), body_size) << "chunk " << chunk;
    }
  }
}

TEST_F(SharedBodyHashes, DistinctCanonicalizationsHashOncePerKey) {
  const std::string text = signed_and_sealed(dkim::Canonicalization::Simple, 1);
  const std::size_t body_size = split_message(text).body.size();
  for (std::size_t chunk : {1, 7, 0}) {
    dkim::BodyHashSet shared;
    const Outcome out = verify(text, chunk, true, shared);
    ASSERT_EQ(out.dkim.size(), 1u);
    EXPECT_EQ(out.dkim[0].result, dkim::Result::Pass) << out.dkim[0].reason;
    EXPECT_EQ(out.arc.result, ChainResult::Pass) << out.arc.reason;
    EXPECT_EQ(shared.size(), 2u);  // simple for DKIM, relaxed for the AMS
    EXPECT_EQ(shared.hashed_bytes(), 2 * body_size);
  }
}

TEST_F(SharedBodyHashes, AlteredBodyFailsBoth) {
  std::string text = signed_and_sealed(dkim::Canonicalization::Relaxed, 1);
  const std::size_t at = text.find("a few lines");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 5, "many ");
  for (bool interleaved : {true, false}) {
    dkim::BodyHashSet shared;
    const Outcome out = verify(text, 3, interleaved, shared);
    ASSERT_EQ(out.dkim.size(), 1u);
    EXPECT_EQ(out.dkim[0].result, dkim::Result::Fail);
    EXPECT_EQ(out.dkim[0].reason_code, ReasonCode::BodyHashMismatch) << out.dkim[0].reason;
    EXPECT_EQ(out.arc.result, ChainResult::Fail);
    EXPECT_EQ(out.arc.reason_code, ReasonCode::ArcAmsFailed);
    EXPECT_EQ(out.arc.sets[0].ams_reason_code, ReasonCode::BodyHashMismatch);
  }
}

// The validator registers its key only after the verifier has fed part of the body: the set
// keeps the late hash waiting for the validator's own bytes instead of hashing a truncated body.
TEST_F(SharedBodyHashes, LateRegistrationStillSeesTheWholeBody) {
  const std::string text = signed_and_sealed(dkim::Canonicalization::Simple, 1);
  const SplitMessage m = split_message(text);
  dkim::BodyHashSet shared;
  dkim::VerifyOptions dkim_options;
  dkim_options.shared_body_hashes = &shared;
  dkim::Verifier verifier(resolver_, clock_, {}, dkim_options);
  Validator validator(resolver_, clock_, {}, {.shared_body_hashes = &shared});
  for (const auto& h : m.headers) {
    verifier.header(h);
    validator.header(h);
  }
  verifier.end_of_headers();
  const std::string_view body = m.body;
  const std::size_t half = body.size() / 2;
  verifier.body(body.substr(0, half));
  validator.end_of_headers();         // registers relaxed/sha256 now
  verifier.body(body.substr(half));   // a gap for the new hash: left to the validator
  validator.body(body.substr(0, 5));  // bytes the simple hash already has
  validator.body(body.substr(5));
  const auto dkim_results = verifier.finish();
  ASSERT_EQ(dkim_results.size(), 1u);
  EXPECT_EQ(dkim_results[0].result, dkim::Result::Pass) << dkim_results[0].reason;
  const ArcResult arc = validator.finish();
  EXPECT_EQ(arc.result, ChainResult::Pass) << arc.reason;
  EXPECT_EQ(shared.hashed_bytes(), 2 * body.size());
}

// The tags an ARC signature shares with DKIM are read by DKIM's parser: what it accepts and
// refuses, ARC accepts and refuses (l= past 2^64 saturates, t= has at most 12 digits, a q= list
// naming dns/txt is fine, h= names are field names, a selector has no trailing dot). The ARC
// parser of before read the first four the other way and took the last two without a check.
TEST_F(ArcValidator, SignatureTagsAreReadAsDkimReadsThem) {
  resolver_.add_txt("sel._domainkey.example.org", key_record(*rsa_key()));
  const std::vector<std::string> names{"from", "to", "subject"};
  struct Case {
    std::string name;
    std::string ams_tags;
    std::vector<std::string> signed_names;
    std::string seal_tags;
    ChainResult result;
    ReasonCode code;
  };
  const std::vector<Case> cases = {
      {"as the Sealer writes", "s=sel; h=from:to:subject", names, "s=sel", ChainResult::Pass,
       ReasonCode::None},
      {"l= past 2^64", "s=sel; h=from:to:subject; l=18446744073709551617", names, "s=sel",
       ChainResult::Pass, ReasonCode::None},
      {"q= list", "s=sel; h=from:to:subject; q=x-other:dns/txt", names, "s=sel", ChainResult::Pass,
       ReasonCode::None},
      {"q=dns", "s=sel; h=from:to:subject; q=dns", names, "s=sel", ChainResult::Fail,
       ReasonCode::UnsupportedQueryMethod},
      {"AMS t= of 13 digits", "s=sel; h=from:to:subject; t=1234567890123", names, "s=sel",
       ChainResult::Fail, ReasonCode::SignatureSyntax},
      {"AS t= of 13 digits", "s=sel; h=from:to:subject", names, "s=sel; t=1234567890123",
       ChainResult::Fail, ReasonCode::SignatureSyntax},
      {"empty h= item",
       "s=sel; h=from::subject",
       {"from", "subject"},
       "s=sel",
       ChainResult::Pass,
       ReasonCode::None},
      {"h= name that is no field name",
       "s=sel; h=from:to:sub ject",
       {"from", "to"},
       "s=sel",
       ChainResult::Fail,
       ReasonCode::SignatureSyntax},
      {"selector with a trailing dot", "s=sel.; h=from:to:subject", names, "s=sel",
       ChainResult::Fail, ReasonCode::BadDomain},
  };
  for (const Case& c : cases) {
    const std::string text = hand_sealed(sample_message(), *rsa_key(), "example.org", c.ams_tags,
                                         c.signed_names, c.seal_tags);
    const ArcResult r = validate(resolver_, clock_, text);
    EXPECT_EQ(r.result, c.result) << c.name << ": " << r.reason;
    EXPECT_EQ(r.reason_code, c.code) << c.name << ": " << r.reason;
  }
}

// A shared HeaderList replaces the validator's own copy; header() calls are then ignored.
TEST_F(ArcValidator, ReadsSharedHeaders) {
  const SplitMessage m = split_message(sealed(2));
  message::HeaderList headers;
  for (const auto& h : m.headers) headers.add(h.name, h.raw_value);
  ValidatorOptions options;
  options.shared_headers = &headers;
  Validator validator(resolver_, clock_, {}, options);
  validator.header("ARC-Seal", " i=9; garbage");
  validator.end_of_headers();
  validator.body(m.body);
  const ArcResult r = validator.finish();
  EXPECT_EQ(r.result, ChainResult::Pass) << r.reason;
  EXPECT_EQ(r.instances, 2u);
}

// The text fields of a result are printable whatever a hop wrote into its AAR.
TEST_F(ArcValidator, AarPayloadIsPrintable) {
  std::string text = sealed(1);
  const std::size_t at = text.find("arc=none");
  ASSERT_NE(at, std::string::npos);
  text.insert(at, "(x\x01y) ");
  const ArcResult r = validate(resolver_, clock_, text);
  ASSERT_EQ(r.sets.size(), 1u);
  for (char c : r.sets[0].authentication_results)
    EXPECT_TRUE(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
  EXPECT_NE(r.sets[0].authentication_results.find("(x y)"), std::string::npos)
      << r.sets[0].authentication_results;
}

// A valid chain of 50 sets over a 0.8 MB header: every AMS is verified over views of the
// fields, so validation allocates a small multiple of the header, not a copy of it per
// instance (about 45 MiB when each AMS copied the fields it may see).
TEST(ArcHostileChain, FiftySetsCostNoCopyPerInstance) {
  const SplitMessage m = hostile_chain();
  ASSERT_FALSE(m.headers.empty());
  TxtResolver resolver;
  resolver.add_txt("arc._domainkey.lists.example.org", key_record(*rsa_key()));
  const auto clock = FixedClock::at_unix(1795860200);
  message::HeaderList headers;
  for (const auto& h : m.headers) headers.add(h.name, h.raw_value);
  ASSERT_FALSE(headers.overflowed());
  // The validator's own copy of the header (about 1 MiB), or the caller's list.
  for (const bool shared : {false, true}) {
    ValidatorOptions options;
    if (shared) options.shared_headers = &headers;
    std::int64_t allocated = 0;
    ArcResult r;
    {
      const test_support::HeapTracker heap;
      Validator validator(resolver, clock, {}, options);
      for (const auto& h : m.headers) validator.header(h);
      validator.end_of_headers();
      validator.body(m.body);
      r = validator.finish();
      allocated = heap.allocated_bytes();
    }
    EXPECT_EQ(r.result, ChainResult::Pass) << r.reason;
    EXPECT_EQ(r.instances, 50u);
    EXPECT_EQ(r.oldest_pass, 0u);
    for (const SetResult& set : r.sets) EXPECT_EQ(set.ams_valid, true);
    EXPECT_LT(allocated, (shared ? 4 : 6) << 20) << "bytes allocated, shared headers " << shared;
  }
}

TEST_F(ArcValidator, Ed25519CanBeRefused) {
  ValidatorOptions options;
  options.allow_ed25519 = false;
  const ArcResult r = validate(resolver_, clock_, sealed(2), 0, {}, options);
  EXPECT_EQ(r.result, ChainResult::Fail);
  EXPECT_EQ(r.reason_code, ReasonCode::UnsupportedAlgorithm) << r.reason;
}

TEST_F(ArcValidator, GarbageNeverThrows) {
  const std::vector<std::string> values = {"",
                                           ";;;",
                                           "i=",
                                           "i=1; a=; b=; bh=; cv=; h=",
                                           std::string(5000, 'i'),
                                           "i=1; b=\x01\xff",
                                           " i=1;\r\n\t"};
  for (const std::string& v : values) {
    for (std::string_view name :
         {"ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results"}) {
      Validator validator(resolver_, clock_);
      validator.header(name, v);
      validator.header("From", " a@example.org");
      validator.end_of_headers();
      validator.body("x\r\n");
      const ArcResult r = validator.finish();
      EXPECT_EQ(r.result, ChainResult::Fail) << name << ": " << v;
      EXPECT_FALSE(r.reason.empty());
      EXPECT_NE(r.reason_code, ReasonCode::None) << r.reason;
    }
  }
}

}  // namespace
}  // namespace auth::arc::testing

namespace auth::arc::testing {
namespace {

// testdata/arc/chain3-20k.eml (sealed by `mailauth seal`, see testdata/arc/README.md) through
// the real ZoneResolver and the message parser.
class Collect final : public message::MessageHandler {
 public:
  explicit Collect(Validator& v) : validator_(v) {}
  void header(const message::HeaderField& field) override { validator_.header(field); }
  void end_of_headers() override { validator_.end_of_headers(); }
  void body(std::string_view chunk) override { validator_.body(chunk); }
  void end_of_message() override {}

 private:
  Validator& validator_;
};

TEST(ArcTestdata, ThreeSetChainFromZoneFile) {
  auto zone = dns::ZoneResolver::from_file(std::string(MAILAUTH_TESTDATA) + "/arc/arc.zone");
  ASSERT_TRUE(zone) << zone.error().message;
  const auto clock = FixedClock::at_unix(1795860200);
  Validator validator(**zone, clock);
  Collect handler(validator);
  ASSERT_TRUE(message::read_eml(std::string(MAILAUTH_TESTDATA) + "/arc/chain3-20k.eml", handler));
  const ArcResult r = validator.finish();
  EXPECT_EQ(r.result, ChainResult::Pass) << r.reason;
  EXPECT_EQ(r.instances, 3u);
  EXPECT_EQ(r.oldest_pass, 0u);
  EXPECT_EQ(
      r.sealing_domains(),
      (std::vector<std::string>{"lists.example.org", "forward.example.net", "mx.example.com"}));
}

}  // namespace
}  // namespace auth::arc::testing
