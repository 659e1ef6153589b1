// The Author Domain from From header fields (RFC 9989 §5.3.1, §4.4, §11.5): anything but one
// From field with usable addresses is a permerror, never a pass.
#include <gtest/gtest.h>

#include "dmarc_test_support.hpp"

namespace auth::dmarc {
namespace {

using test::dkim;
using test::ids;

std::vector<std::string> domains(std::vector<std::string> from) {
  auto r = author_domains(from);
  return r ? *r : std::vector<std::string>{"ERROR: " + r.error().message};
}

ReasonCode reason(std::vector<std::string> from) {
  auto r = author_domains(from);
  return r ? ReasonCode::None : author_domain_reason(r.error());
}

TEST(AuthorDomains, OneFieldOneAddress) {
  EXPECT_EQ(domains({" Joe Johnson <joe@Joe.COM>"}), (std::vector<std::string>{"joe.com"}));
  EXPECT_EQ(domains({" joe@joe.com"}), (std::vector<std::string>{"joe.com"}));
  EXPECT_EQ(domains({" (Joe Johnson) joe@joe.com"}), (std::vector<std::string>{"joe.com"}));
  // Folded value with a comment after the address.
  EXPECT_EQ(domains({" \"Joe\"\r\n\t<joe@joe.com> (work@evil.example)"}),
            (std::vector<std::string>{"joe.com"}));
}

TEST(AuthorDomains, DisplayNamesWithAtSignsDoNotCount) {
  EXPECT_EQ(domains({" \"ceo@bank.example\" <x@attacker.example>"}),
            (std::vector<std::string>{"attacker.example"}));
  EXPECT_EQ(domains({" \"Johnson, Joe <joe@joe.com>\" <joe@other.example>"}),
            (std::vector<std::string>{"other.example"}));
  // An unquoted @ in a display name is not an address: unparsable.
  EXPECT_EQ(reason({" ceo@bank.example <x@attacker.example>"}), ReasonCode::DmarcFromUnparsable);
}

TEST(AuthorDomains, EncodedWords) {
  // RFC 2047 words stay as written; they never supply the domain.
  EXPECT_EQ(domains({" =?utf-8?B?Y2VvQGJhbmsuZXhhbXBsZQ==?= <x@attacker.example>"}),
            (std::vector<std::string>{"attacker.example"}));
  // A Q-encoded word with a bare '@' is not an atom: the field is unparsable.
  EXPECT_EQ(reason({" =?utf-8?Q?ceo@bank.example?= <x@attacker.example>"}),
            ReasonCode::DmarcFromUnparsable);
}

TEST(AuthorDomains, GroupsAndSeveralAddresses) {
  EXPECT_EQ(domains({" Team: a@one.example, b@Two.example;"}),
            (std::vector<std::string>{"one.example", "two.example"}));
  EXPECT_EQ(domains({" a@one.example, b@ONE.example"}), (std::vector<std::string>{"one.example"}));
  EXPECT_EQ(reason({" undisclosed-recipients:;"}), ReasonCode::DmarcFromUnparsable);
}

TEST(AuthorDomains, FieldCountAndSyntax) {
  EXPECT_EQ(reason({}), ReasonCode::DmarcFromMissing);
  EXPECT_EQ(reason({" a@one.example", " a@one.example"}), ReasonCode::DmarcFromMultiple);
  EXPECT_EQ(reason({""}), ReasonCode::DmarcFromUnparsable);
  EXPECT_EQ(reason({" joe"}), ReasonCode::DmarcFromUnparsable);
  EXPECT_EQ(reason({" joe@"}), ReasonCode::DmarcFromUnparsable);
  EXPECT_EQ(reason({" <joe@joe.com"}), ReasonCode::DmarcFromUnparsable);
  EXPECT_EQ(reason({" joe@[192.0.2.1]"}), ReasonCode::DmarcFromUnparsable);
  EXPECT_EQ(reason({" joe@exa_mple..com"}), ReasonCode::DmarcFromUnparsable);
  EXPECT_EQ(reason({" joe@bad\xC3(.example"}), ReasonCode::DmarcFromUnparsable);
  Limits limits;
  limits.max_dmarc_author_domains = 1;
  auto r = author_domains(std::vector<std::string>{" a@one.example, b@two.example"}, limits);
  ASSERT_FALSE(r);
  EXPECT_EQ(author_domain_reason(r.error()), ReasonCode::DmarcTooManyDomains);
}

TEST(AuthorDomains, ULabelsBecomeALabels) {
  EXPECT_EQ(domains({" Ünïcode <u@Bücher.Example>"}),
            (std::vector<std::string>{"xn--bcher-kva.example"}));
}

// The evaluator turns every From problem into permerror, never pass, even when the first
// address of the first field would align (CVE-2019-16378).
TEST(AuthorDomains, EvaluatorGivesPermErrorNeverPass) {
  auto z = dns::ZoneResolver::from_string(
      "_dmarc.bank.example. IN TXT \"v=DMARC1; p=reject\"\n"
      "_dmarc.attacker.example. IN TXT \"v=DMARC1; p=none\"\n");
  ASSERT_TRUE(z);
  Evaluator evaluator(**z);
  const auto signed_by_bank = ids(std::nullopt, {dkim(auth::dkim::Result::Pass, "bank.example")});
  const std::vector<std::vector<std::string>> bad = {
      {},
      {" a@bank.example", " evil@attacker.example"},
      {" a@bank.example", " a@bank.example"},
      {" a@bank.example <b@attacker.example>"},
      {" "},
  };
  for (const auto& from : bad) {
    const auto r = evaluator.evaluate(from, signed_by_bank);
    EXPECT_EQ(r.result, Result::PermError) << (from.empty() ? "(none)" : from[0]);
    EXPECT_FALSE(r.reason.empty());
    EXPECT_EQ(r.disposition, Policy::None);
  }
  EXPECT_EQ(evaluator.evaluate(std::vector<std::string>{}, signed_by_bank).reason,
            "no From header field");
  EXPECT_EQ(
      evaluator
          .evaluate(std::vector<std::string>{" a@bank.example", " b@x.example"}, signed_by_bank)
          .reason_code,
      ReasonCode::DmarcFromMultiple);
  // One field naming the bank and the attacker's own (signed) domain: both are evaluated and
  // the bank's failing policy applies.
  const auto signed_by_attacker =
      ids(std::nullopt, {dkim(auth::dkim::Result::Pass, "attacker.example")});
  auto r = evaluator.evaluate(std::vector<std::string>{" evil@attacker.example, ceo@bank.example"},
                              signed_by_attacker);
  EXPECT_EQ(r.result, Result::Fail);
  EXPECT_EQ(r.author_domain, "bank.example");
  EXPECT_EQ(r.disposition, Policy::Reject);
  EXPECT_EQ(r.author_domains, (std::vector<std::string>{"attacker.example", "bank.example"}));
  // Signed by the bank only: attacker.example fails, with a policy that asks for nothing.
  r = evaluator.evaluate(std::vector<std::string>{" a@bank.example, b@attacker.example"},
                         signed_by_bank);
  EXPECT_EQ(r.result, Result::Fail);
  EXPECT_EQ(r.author_domain, "attacker.example");
  EXPECT_EQ(r.disposition, Policy::None);
  // A second domain without any record does not fail: the bank's pass stands.
  r = evaluator.evaluate(std::vector<std::string>{" a@bank.example, b@norecord.example"},
                         signed_by_bank);
  EXPECT_EQ(r.result, Result::Pass);
  EXPECT_EQ(r.author_domain, "bank.example");
}

}  // namespace
}  // namespace auth::dmarc
