// Sealing (RFC 8617 §5.1): options checked once, the new set's fields and their format, cv=,
// instance numbering, several sealing domains, split-insensitivity.
#include <gtest/gtest.h>

#include "arc_test_support.hpp"

namespace auth::arc::testing {
namespace {

SealerOptions options_for(std::vector<SealingKey> keys) {
  SealerOptions o;
  o.keys = std::move(keys);
  return o;
}

const FixedClock clock_at = FixedClock::at_unix(1795000000);

TEST(ArcSealer, CreateChecksOptions) {
  ASSERT_TRUE(rsa_key());
  const auto key = rsa_key();
  struct Case {
    std::string name;
    SealerOptions options;
    std::string error_part;
  };
  auto with_headers = [&](std::vector<std::string> headers) {
    SealerOptions o = options_for({{"example.org", "s", key, {}}});
    o.headers = std::move(headers);
    return o;
  };
  const std::vector<Case> cases = {
      {"no key", options_for({}), "no sealing domain"},
      {"bad domain", options_for({{"exa mple.org", "s", key, {}}}), "bad sealing domain"},
      {"empty selector", options_for({{"example.org", "", key, {}}}), "bad selector"},
      {"no private key", options_for({{"example.org", "s", nullptr, {}}}), "no private key"},
      {"twice", options_for({{"example.org", "s", key, {}}, {"EXAMPLE.org", "t", key, {}}}),
       "given twice"},
      {"rsa-sha1", options_for({{"example.org", "s", key, dkim::Algorithm::RsaSha1}}), "rsa-sha1"},
      {"wrong type", options_for({{"example.org", "s", key, dkim::Algorithm::Ed25519Sha256}}),
       "does not fit"},
      {"arc-seal signed", with_headers({"from", "ARC-Seal"}), "must not sign ARC-Seal"},
      {"A-R signed", with_headers({"from", "authentication-results"}), "must not sign"},
      {"AAR signed", with_headers({"from", "arc-authentication-results"}), "must not sign"},
      {"no from", with_headers({"to", "subject"}), "must include From"},
      {"bad name", with_headers({"from", "sub ject"}), "bad header name"},
  };
  for (const Case& c : cases) {
    auto sealer = Sealer::create(c.options, clock_at);
    ASSERT_FALSE(sealer) << c.name;
    EXPECT_NE(sealer.error().message.find(c.error_part), std::string::npos)
        << c.name << ": " << sealer.error().message;
  }
  EXPECT_TRUE(Sealer::create(
      options_for({{"example.org", "s", key, {}}, {"example.net", "t", ed25519_key(), {}}}),
      clock_at));
}

std::vector<message::HeaderField> seal(const SealerOptions& options, std::string_view text,
                                       const SealInput& input, std::size_t chunk = 0) {
  auto sealer = Sealer::create(options, clock_at);
  EXPECT_TRUE(sealer);
  if (!sealer) return {};
  feed(*sealer, split_message(text), chunk);
  auto set = sealer->finish(input);
  EXPECT_TRUE(set) << set.error().message;
  return set ? *set : std::vector<message::HeaderField>{};
}

// The value as relaxed canonicalization reads it: unfolded, each fold one space.
std::string flat(std::string_view raw_value) {
  std::string out = message::unfold(raw_value);
  std::replace(out.begin(), out.end(), '\t', ' ');
  return out;
}

// sample_message() has 8 header fields of 304 bytes (each line with its CRLF). A set over a
// header the sealer could not keep whole would be wrong: finish() refuses, naming the limit.
TEST(ArcSealer, RefusesAHeaderPastTheLimits) {
  const SealerOptions options = options_for({{"example.org", "s", ed25519_key(), {}}});
  auto finish_with = [&](const Limits& limits) {
    auto sealer = Sealer::create(options, clock_at, limits);
    EXPECT_TRUE(sealer) << sealer.error().message;
    feed(*sealer, split_message(sample_message()));
    SealInput input;
    input.authentication_results = "mx.example.net; spf=pass smtp.mailfrom=alice@example.org";
    return sealer->finish(input);
  };
  Limits count;
  count.max_header_count = 7;
  auto set = finish_with(count);
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error().code, ErrorCode::LimitExceeded);
  EXPECT_EQ(set.error().message, "cannot seal: more than max_header_count (7) header fields");

  Limits bytes;
  bytes.max_header_bytes = 303;
  set = finish_with(bytes);
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error().code, ErrorCode::LimitExceeded);
  EXPECT_EQ(set.error().message,
            "cannot seal: header fields larger than max_header_bytes (303 bytes)");

  Limits exact;
  exact.max_header_count = 8;
  exact.max_header_bytes = 304;
  set = finish_with(exact);
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set->size(), 3u);
}

TEST(ArcSealer, FirstSetFormat) {
  const SealerOptions options = options_for({{"Lists.Example.com", "rsa", rsa_key(), {}}});
  SealInput input;
  input.authentication_results = "  mx.example.net; spf=pass smtp.mailfrom=alice@example.org  ";
  const auto set = seal(options, sample_message(), input);
  ASSERT_EQ(set.size(), 3u);
  EXPECT_EQ(set[0].name, "ARC-Seal");
  EXPECT_EQ(set[1].name, "ARC-Message-Signature");
  EXPECT_EQ(set[2].name, "ARC-Authentication-Results");
  EXPECT_EQ(flat(set[2].raw_value),
            " i=1; mx.example.net; spf=pass smtp.mailfrom=alice@example.org");
  EXPECT_NE(set[2].raw_value.find("\r\n\t"), std::string::npos);  // folded after a ";"
  // i= opens each signature field (dkimpy finds a set by it), the other tags alphabetical.
  const std::string seal_value = flat(set[0].raw_value);
  EXPECT_TRUE(seal_value.starts_with(" i=1; a=rsa-sha256; b=")) << seal_value;
  EXPECT_TRUE(seal_value.ends_with("; cv=none; d=lists.example.com; s=rsa; t=1795000000"))
      << seal_value;
  const std::string ams = flat(set[1].raw_value);
  EXPECT_TRUE(ams.starts_with(" i=1; a=rsa-sha256; b=")) << ams;
  EXPECT_NE(ams.find("; c=relaxed/relaxed; d=lists.example.com; "
                     "h=from:subject:date:to:message-id:mime-version:content-type:from; "
                     "s=rsa; t=1795000000"),
            std::string::npos)
      << ams;
  // The ValiMail signing suite's format: every tag in alphabetical order.
  SealerOptions suite = options;
  suite.instance_first = false;
  const auto alphabetical = seal(suite, sample_message(), input);
  ASSERT_EQ(alphabetical.size(), 3u);
  EXPECT_TRUE(flat(alphabetical[0].raw_value)
                  .ends_with("; cv=none; d=lists.example.com; i=1; "
                             "s=rsa; t=1795000000"))
      << alphabetical[0].raw_value;
  EXPECT_TRUE(flat(alphabetical[1].raw_value).starts_with(" a=rsa-sha256; b="));
  // Folded only where a tag starts; no line over 78 columns except a long b= value.
  for (const auto& field : set) {
    std::size_t start = 0;
    while (start < field.raw_value.size()) {
      const std::size_t end = std::min(field.raw_value.find("\r\n", start), field.raw_value.size());
      const std::string_view line = std::string_view(field.raw_value).substr(start, end - start);
      if (line.find("b=") == std::string_view::npos) {
        EXPECT_LE(line.size(), 78u) << line;
      }
      start = end + 2;
    }
  }
}

TEST(ArcSealer, DefaultHeaderListSkipsArcAndAuthenticationResults) {
  std::string text =
      "Authentication-Results: mx.example.net; spf=pass\r\nARC-Seal: i=1; cv=none\r\n" +
      sample_message();
  // A chain present needs a validation outcome: give a failed one (the fields are garbage).
  ArcResult failed;
  failed.result = ChainResult::Fail;
  SealInput input;
  input.validation = &failed;
  input.authentication_results = "mx.example.net; arc=fail";
  const auto set = seal(options_for({{"example.org", "s", rsa_key(), {}}}), text, input);
  ASSERT_EQ(set.size(), 3u);
  const std::string ams = message::unfold(set[1].raw_value);
  EXPECT_EQ(ams.find("authentication-results"), std::string::npos) << ams;
  EXPECT_EQ(ams.find("arc-"), std::string::npos) << ams;
  const std::string seal_value = message::unfold(set[0].raw_value);
  EXPECT_TRUE(seal_value.starts_with(" i=2; ")) << seal_value;
  EXPECT_NE(seal_value.find("; cv=fail; d=example.org;"), std::string::npos) << seal_value;
}

TEST(ArcSealer, ChoosesTheSealingDomain) {
  TxtResolver resolver;
  resolver.add_txt("a._domainkey.one.example", key_record(*rsa_key()));
  resolver.add_txt("b._domainkey.two.example", key_record(*ed25519_key()));
  const SealerOptions options =
      options_for({{"one.example", "a", rsa_key(), {}}, {"two.example", "b", ed25519_key(), {}}});
  for (std::string_view domain : {"", "one.example", "TWO.example"}) {
    SealInput input;
    input.domain = domain;
    input.authentication_results = "mx.example.net; none";
    const auto set = seal(options, sample_message(), input);
    ASSERT_EQ(set.size(), 3u);
    const std::string expected_d = domain == "TWO.example" ? "d=two.example" : "d=one.example";
    EXPECT_NE(set[0].raw_value.find(expected_d), std::string::npos) << set[0].raw_value;
    const SplitMessage m = split_message(sample_message());
    std::vector<message::HeaderField> headers = set;
    headers.insert(headers.end(), m.headers.begin(), m.headers.end());
    const ArcResult r = validate(resolver, clock_at, join_message(headers, m.body));
    EXPECT_EQ(r.result, ChainResult::Pass) << r.reason;
  }
  auto sealer = Sealer::create(options, clock_at);
  ASSERT_TRUE(sealer);
  feed(*sealer, split_message(sample_message()));
  SealInput unknown;
  unknown.domain = "three.example";
  auto set = sealer->finish(unknown);
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error().message, "no sealing key for domain three.example");
}

TEST(ArcSealer, OutputDoesNotDependOnTheSplit) {
  const SealerOptions options = options_for({{"example.org", "s", rsa_key(), {}}});
  SealInput input;
  input.authentication_results = "mx.example.net; dkim=pass header.d=example.org";
  const auto whole = seal(options, sample_message(), input);
  for (std::size_t chunk : {1, 2, 3, 7, 64}) {
    const auto split = seal(options, sample_message(), input, chunk);
    ASSERT_EQ(split.size(), whole.size());
    for (std::size_t i = 0; i < split.size(); ++i)
      EXPECT_EQ(split[i].raw_value, whole[i].raw_value) << chunk;
  }
}

TEST(ArcSealer, RefusesWhatItCannotSeal) {
  const SealerOptions options = options_for({{"example.org", "s", rsa_key(), {}}});
  auto sealer = Sealer::create(options, clock_at);
  ASSERT_TRUE(sealer);
  feed(*sealer, split_message(sample_message()));
  ArcResult temporary;
  temporary.result = ChainResult::TempError;
  temporary.reason = "DNS timeout";
  SealInput input;
  input.validation = &temporary;
  auto set = sealer->finish(input);
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error().code, ErrorCode::DnsTemporary);

  // Fields present but no validation given.
  auto other = Sealer::create(options, clock_at);
  ASSERT_TRUE(other);
  feed(*other, split_message("ARC-Seal: i=1\r\n" + sample_message()));
  auto refused = other->finish(SealInput{});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::InvalidArgument);
}

TEST(ArcSealer, FiftySetsAreTheEnd) {
  TxtResolver resolver;
  resolver.add_txt("s._domainkey.example.org", key_record(*ed25519_key()));
  const SealingKey key{"example.org", "s", ed25519_key(), {}};
  std::string text = sample_message();
  for (unsigned i = 1; i <= 50; ++i) text = seal_hop(resolver, clock_at, text, key);
  const ArcResult r = validate(resolver, clock_at, text);
  ASSERT_EQ(r.result, ChainResult::Pass) << r.reason;
  EXPECT_EQ(r.instances, 50u);
  EXPECT_EQ(seal_hop(resolver, clock_at, text, key), text);  // a 51st set may not be added
}

// The sealer honours Limits::max_arc_instances as the validator does (it used the parse
// default of 50 whatever the limits said).
TEST(ArcSealer, InstanceLimitComesFromLimits) {
  TxtResolver resolver;
  resolver.add_txt("s._domainkey.example.org", key_record(*ed25519_key()));
  const SealingKey key{"example.org", "s", ed25519_key(), {}};
  std::string text = sample_message();
  for (unsigned i = 1; i <= 2; ++i) text = seal_hop(resolver, clock_at, text, key);
  Limits two;
  two.max_arc_instances = 2;
  const ArcResult incoming = validate(resolver, clock_at, text, 0, two);
  ASSERT_EQ(incoming.result, ChainResult::Pass) << incoming.reason;
  for (const Limits& limits : {two, Limits{}}) {
    auto sealer = Sealer::create(options_for({key}), clock_at, limits);
    ASSERT_TRUE(sealer);
    feed(*sealer, split_message(text));
    SealInput input;
    input.validation = &incoming;
    input.authentication_results = "mx.example.net; arc=pass";
    auto set = sealer->finish(input);
    ASSERT_TRUE(set) << set.error().message;
    EXPECT_EQ(set->size(), limits.max_arc_instances == 2 ? 0u : 3u);
  }
}

// A shared HeaderList replaces the sealer's own copy: the same set as when fed the fields.
TEST(ArcSealer, ReadsSharedHeaders) {
  const SealerOptions fed_options = options_for({{"example.org", "s", rsa_key(), {}}});
  SealInput input;
  input.authentication_results = "mx.example.net; spf=pass smtp.mailfrom=example.org";
  const auto expected = seal(fed_options, sample_message(), input);
  const SplitMessage m = split_message(sample_message());
  message::HeaderList headers;
  for (const auto& h : m.headers) headers.add(h.name, h.raw_value);
  SealerOptions shared_options = fed_options;
  shared_options.shared_headers = &headers;
  auto sealer = Sealer::create(shared_options, clock_at);
  ASSERT_TRUE(sealer);
  sealer->header("From", " someone@else.example");  // ignored
  sealer->end_of_headers();
  sealer->body(m.body);
  auto set = sealer->finish(input);
  ASSERT_TRUE(set) << set.error().message;
  ASSERT_EQ(set->size(), expected.size());
  for (std::size_t i = 0; i < set->size(); ++i)
    EXPECT_EQ((*set)[i].raw_value, expected[i].raw_value);
}

}  // namespace
}  // namespace auth::arc::testing
