#include <gtest/gtest.h>

#include <auth/spf.hpp>

#include "fake_resolver.hpp"

namespace auth::spf {
namespace {

using test::FakeResolver;

IpAddress ip(std::string_view text) { return IpAddress::parse(text).value(); }

class SpfEvaluator : public ::testing::Test {
 protected:
  SpfResult mail_from(std::string_view client, std::string_view sender,
                      std::string_view helo = "mail.example.org") {
    Checker checker(dns_, limits_, clock_, options_);
    return checker.check_mail_from(ip(client), sender, helo);
  }
  FakeResolver dns_;
  Limits limits_;
  FixedClock clock_ = FixedClock::at_unix(1700000000);
  CheckerOptions options_{"mx.receiver.example", "DEFAULT %{i} %{d}"};
};

TEST_F(SpfEvaluator, Ip4PassReportsMechanismAndNoLookups) {
  dns_.txt("example.com", "v=spf1 ip4:192.0.2.0/24 -all");
  const auto r = mail_from("192.0.2.77", "alice@example.com");
  EXPECT_EQ(r.result, Result::Pass);
  EXPECT_EQ(r.mechanism, "ip4:192.0.2.0/24");
  EXPECT_EQ(r.domain, "example.com");
  EXPECT_EQ(r.sender, "alice@example.com");
  EXPECT_EQ(r.identity, Identity::MailFrom);
  EXPECT_EQ(r.lookups, 0u);
  EXPECT_TRUE(r.explanation.empty());
}

TEST_F(SpfEvaluator, FailCarriesExpandedExpOrDefault) {
  dns_.txt("example.com", "v=spf1 -all exp=why.%{d}")
      .txt("why.example.com", "%{s} may not send from %{c} (checked by %{r} at %{t})");
  auto r = mail_from("198.51.100.1", "<bob@EXAMPLE.com>");
  EXPECT_EQ(r.result, Result::Fail);
  EXPECT_EQ(r.mechanism, "-all");
  EXPECT_EQ(r.explanation,
            "bob@EXAMPLE.com may not send from 198.51.100.1 (checked by mx.receiver.example at "
            "1700000000)");
  EXPECT_EQ(r.domain, "example.com");

  dns_.txt("other.example", "v=spf1 -all");
  r = mail_from("198.51.100.1", "bob@other.example");
  EXPECT_EQ(r.explanation, "DEFAULT 198.51.100.1 other.example");
}

TEST_F(SpfEvaluator, QualifiersGiveTheirResults) {
  dns_.txt("p.example", "v=spf1 +all")
      .txt("f.example", "v=spf1 -all")
      .txt("s.example", "v=spf1 ~all")
      .txt("n.example", "v=spf1 ?all")
      .txt("d.example", "v=spf1 ip4:10.0.0.1");
  EXPECT_EQ(mail_from("192.0.2.1", "a@p.example").result, Result::Pass);
  EXPECT_EQ(mail_from("192.0.2.1", "a@f.example").result, Result::Fail);
  EXPECT_EQ(mail_from("192.0.2.1", "a@s.example").result, Result::SoftFail);
  EXPECT_EQ(mail_from("192.0.2.1", "a@n.example").result, Result::Neutral);
  const auto r = mail_from("192.0.2.1", "a@d.example");
  EXPECT_EQ(r.result, Result::Neutral);
  EXPECT_EQ(r.mechanism, "default");
}

TEST_F(SpfEvaluator, NoneForMissingRecordsAndBadDomains) {
  dns_.txt("norecord.example", "google-site-verification=abc");
  EXPECT_EQ(mail_from("192.0.2.1", "a@norecord.example").result, Result::None);
  EXPECT_EQ(mail_from("192.0.2.1", "a@nxdomain.example").result, Result::None);
  EXPECT_EQ(mail_from("192.0.2.1", "a@singlelabel").result, Result::None);
  EXPECT_EQ(mail_from("192.0.2.1", "a@[192.0.2.1]").result, Result::None);
  EXPECT_EQ(mail_from("192.0.2.1", "a@" + std::string(64, 'x') + ".example").result, Result::None);
}

TEST_F(SpfEvaluator, SelectionErrors) {
  dns_.txt("two.example", "v=spf1 -all").txt("two.example", "V=SPF1 +all");
  dns_.status("tmp.example", dns::RrType::TXT, dns::Status::Timeout);
  dns_.status("sf.example", dns::RrType::TXT, dns::Status::ServFail);
  const auto two = mail_from("192.0.2.1", "a@two.example");
  EXPECT_EQ(two.result, Result::PermError);
  EXPECT_TRUE(two.mechanism.empty());
  EXPECT_NE(two.reason.find("2 SPF records"), std::string::npos) << two.reason;
  EXPECT_EQ(mail_from("192.0.2.1", "a@tmp.example").result, Result::TempError);
  EXPECT_EQ(mail_from("192.0.2.1", "a@sf.example").result, Result::TempError);
}

TEST_F(SpfEvaluator, AAndMxQueryByClientFamilyWithDualCidr) {
  dns_.txt("example.com", "v=spf1 a/24//64 mx:mx.example.com -all")
      .address("example.com", "192.0.2.10")
      .address("example.com", "2001:db8:1::10")
      .mx("mx.example.com", 10, "mail.example.com")
      .address("mail.example.com", "203.0.113.5")
      .address("mail.example.com", "2001:db8:2::5");
  EXPECT_EQ(mail_from("192.0.2.200", "a@example.com").result, Result::Pass);
  EXPECT_EQ(mail_from("2001:db8:1::ffff", "a@example.com").result, Result::Pass);
  EXPECT_EQ(mail_from("2001:db8:1:1::1", "a@example.com").result, Result::Fail);
  auto r = mail_from("203.0.113.5", "a@example.com");
  EXPECT_EQ(r.result, Result::Pass);
  EXPECT_EQ(r.mechanism, "mx:mx.example.com");
  EXPECT_EQ(r.lookups, 2u);
  EXPECT_EQ(mail_from("2001:db8:2::5", "a@example.com").result, Result::Pass);
  // An IPv4-mapped IPv6 client is an IPv4 client: A queries, ip4 mechanisms.
  dns_ = FakeResolver{};
  dns_.txt("example.com", "v=spf1 a ip6:::ffff:0:0/96 -all").address("example.com", "192.0.2.10");
  r = mail_from("::ffff:192.0.2.10", "a@example.com");
  EXPECT_EQ(r.result, Result::Pass);
  EXPECT_EQ(r.ip, ip("192.0.2.10"));
  EXPECT_EQ(dns_.count(dns::RrType::AAAA), 0u);
  EXPECT_EQ(mail_from("::ffff:192.0.2.11", "a@example.com").result, Result::Fail);
}

TEST_F(SpfEvaluator, IncludeResultMapping) {
  dns_.txt("pass.example", "v=spf1 +all")
      .txt("fail.example", "v=spf1 -all")
      .txt("perm.example", "v=spf1 moo")
      .status("temp.example", dns::RrType::TXT, dns::Status::Timeout)
      .txt("a.example", "v=spf1 include:pass.example -all")
      .txt("b.example", "v=spf1 include:fail.example ?all")
      .txt("c.example", "v=spf1 include:perm.example +all")
      .txt("d.example", "v=spf1 include:temp.example +all")
      .txt("e.example", "v=spf1 include:none.example +all");
  auto r = mail_from("192.0.2.1", "x@a.example");
  EXPECT_EQ(r.result, Result::Pass);
  EXPECT_EQ(r.mechanism, "include:pass.example");
  EXPECT_EQ(mail_from("192.0.2.1", "x@b.example").result, Result::Neutral);
  EXPECT_EQ(mail_from("192.0.2.1", "x@c.example").result, Result::PermError);
  EXPECT_EQ(mail_from("192.0.2.1", "x@d.example").result, Result::TempError);
  EXPECT_EQ(mail_from("192.0.2.1", "x@e.example").result, Result::PermError);
}

TEST_F(SpfEvaluator, RedirectUsesTargetRecordAndItsExplanation) {
  dns_.txt("example.com", "v=spf1 ip4:10.0.0.1 redirect=_spf.example.net exp=no.example.com")
      .txt("_spf.example.net", "v=spf1 -all exp=yes.example.net")
      .txt("no.example.com", "outer")
      .txt("yes.example.net", "inner %{d}")
      .txt("loop.example", "v=spf1 redirect=loop.example")
      .txt("gone.example", "v=spf1 redirect=none.example");
  auto r = mail_from("192.0.2.1", "a@example.com");
  EXPECT_EQ(r.result, Result::Fail);
  EXPECT_EQ(r.explanation, "inner _spf.example.net");
  EXPECT_EQ(r.lookups, 1u);
  r = mail_from("192.0.2.1", "a@loop.example");
  EXPECT_EQ(r.result, Result::PermError);
  EXPECT_EQ(r.lookups, 11u);
  EXPECT_EQ(mail_from("192.0.2.1", "a@gone.example").result, Result::PermError);
}

TEST_F(SpfEvaluator, PtrMatchesValidatedNamesOnly) {
  dns_.txt("example.com", "v=spf1 ptr -all")
      .ptr("192.0.2.1", "mail.EXAMPLE.com")
      .address("mail.example.com", "192.0.2.1")
      .ptr("192.0.2.2", "fake.example.com")  // no A record: does not validate
      .ptr("192.0.2.3", "mail.example.net")
      .address("mail.example.net", "192.0.2.3");
  EXPECT_EQ(mail_from("192.0.2.1", "a@example.com").result, Result::Pass);
  EXPECT_EQ(mail_from("192.0.2.2", "a@example.com").result, Result::Fail);
  EXPECT_EQ(mail_from("192.0.2.3", "a@example.com").result, Result::Fail);
  dns_.status(ip("192.0.2.9").reverse_name(), dns::RrType::PTR, dns::Status::ServFail);
  EXPECT_EQ(mail_from("192.0.2.9", "a@example.com").result, Result::Fail);  // §5.5: no match
}

TEST_F(SpfEvaluator, ValidatedNameMacroPrefersNamesWithinDomain) {
  dns_.txt("example.com", "v=spf1 exists:%{p}.allow.example.com -all")
      .ptr("192.0.2.1", "other.example.net")
      .ptr("192.0.2.1", "mx.example.com")
      .address("other.example.net", "192.0.2.1")
      .address("mx.example.com", "192.0.2.1")
      .address("mx.example.com.allow.example.com", "127.0.0.2")
      .txt("p.example", "v=spf1 -all exp=e.p.example")
      .txt("e.p.example", "from %{p}");
  EXPECT_EQ(mail_from("192.0.2.1", "a@example.com").result, Result::Pass);
  EXPECT_EQ(mail_from("192.0.2.1", "a@p.example").explanation, "from other.example.net");
  EXPECT_EQ(mail_from("192.0.2.50", "a@p.example").explanation, "from unknown");
}

TEST_F(SpfEvaluator, NullSenderUsesPostmasterAtHelo) {
  dns_.txt("mail.example.org", "v=spf1 -all exp=e.example.org")
      .txt("e.example.org", "%{s} %{l} %{o}");
  auto r = mail_from("192.0.2.1", "<>", "mail.example.org");
  EXPECT_EQ(r.result, Result::Fail);
  EXPECT_EQ(r.identity, Identity::MailFrom);
  EXPECT_EQ(r.sender, "postmaster@mail.example.org");
  EXPECT_EQ(r.domain, "mail.example.org");
  EXPECT_EQ(r.explanation, "postmaster@mail.example.org postmaster mail.example.org");
  r = mail_from("192.0.2.1", "@mail.example.org");
  EXPECT_EQ(r.sender, "postmaster@mail.example.org");
  r = mail_from("192.0.2.1", "<@relay.example:bob@mail.example.org>");
  EXPECT_EQ(r.sender, "bob@mail.example.org");
}

TEST_F(SpfEvaluator, HeloIdentityOnItsOwn) {
  dns_.txt("mail.example.org", "v=spf1 a -all").address("mail.example.org", "192.0.2.1");
  Checker checker(dns_, limits_, clock_, options_);
  auto r = checker.check_helo(ip("192.0.2.1"), "mail.example.org");
  EXPECT_EQ(r.result, Result::Pass);
  EXPECT_EQ(r.identity, Identity::Helo);
  EXPECT_EQ(r.helo, "mail.example.org");
  EXPECT_EQ(checker.check_helo(ip("192.0.2.1"), "OEMCOMPUTER").result, Result::None);
  EXPECT_EQ(checker.check_helo(ip("192.0.2.1"), "[192.0.2.1]").result, Result::None);
}

TEST_F(SpfEvaluator, DnsErrorsInMechanismsAreTemperror) {
  dns_.txt("a.example", "v=spf1 a:broken.example -all")
      .status("broken.example", dns::RrType::A, dns::Status::Timeout)
      .txt("x.example", "v=spf1 exists:broken.example -all")
      .txt("m.example", "v=spf1 mx -all")
      .status("m.example", dns::RrType::MX, dns::Status::ServFail);
  EXPECT_EQ(mail_from("192.0.2.1", "a@a.example").result, Result::TempError);
  EXPECT_EQ(mail_from("192.0.2.1", "a@x.example").result, Result::TempError);
  const auto r = mail_from("192.0.2.1", "a@m.example");
  EXPECT_EQ(r.result, Result::TempError);
  EXPECT_NE(r.reason.find("m.example"), std::string::npos) << r.reason;
}

TEST_F(SpfEvaluator, SyntaxErrorAfterMatchIsStillPermerror) {
  dns_.txt("example.com", "v=spf1 +all foo=%x");
  const auto r = mail_from("192.0.2.1", "a@example.com");
  EXPECT_EQ(r.result, Result::PermError);
  EXPECT_NE(r.reason.find("foo=%x"), std::string::npos) << r.reason;
}

TEST_F(SpfEvaluator, BadExpFallsBackToDefault) {
  dns_.txt("example.com", "v=spf1 -all exp=e.example.com")
      .txt("e.example.com", "bad %{x} macro")
      .txt("two.example", "v=spf1 -all exp=e2.example")
      .txt("e2.example", "one")
      .txt("e2.example", "two");
  EXPECT_EQ(mail_from("192.0.2.1", "a@example.com").explanation, "DEFAULT 192.0.2.1 example.com");
  EXPECT_EQ(mail_from("192.0.2.1", "a@two.example").explanation, "DEFAULT 192.0.2.1 two.example");
}

// A quoted local part reaches %{l} and %{s} as written, quotes included (RFC 7208 §7.3 takes
// the local-part of <sender>; pyspf, libspf2 and Mail::SPF keep the quotes too), with or
// without angle brackets and source route; dots inside the quotes split labels like any others.
TEST_F(SpfEvaluator, QuotedLocalPartExpandsAsWritten) {
  dns_.txt("example.com", "v=spf1 exists:%{l}.lp.%{d} -all exp=why.example.com")
      .txt("why.example.com", "l=%{l} s=%{s} L=%{L} lr=%{l1r}")
      .address("\"a.b\".lp.example.com", "127.0.0.2");
  for (std::string_view sender :
       {"\"a.b\"@example.com", "<\"a.b\"@example.com>", "<@relay.example:\"a.b\"@example.com>"}) {
    SCOPED_TRACE(sender);
    const auto r = mail_from("192.0.2.1", sender);
    EXPECT_EQ(r.result, Result::Pass) << r.reason;
    EXPECT_EQ(r.sender, "\"a.b\"@example.com");
    EXPECT_EQ(r.mechanism, "exists:%{l}.lp.%{d}");
  }
  EXPECT_EQ(dns_.log().back(),
            std::make_pair(std::string("\"a.b\".lp.example.com"), dns::RrType::A));

  // Quoted text may hold '@', spaces and escaped quotes; the domain follows the last '@'.
  const auto r = mail_from("192.0.2.1", "<\"x@y z\"@example.com>");
  EXPECT_EQ(r.result, Result::Fail);
  EXPECT_EQ(r.domain, "example.com");
  EXPECT_EQ(r.explanation, "l=\"x@y z\" s=\"x@y z\"@example.com L=%22x%40y%20z%22 lr=\"x@y z\"");
  EXPECT_EQ(mail_from("192.0.2.1", "\"a.b\"@example.com").result, Result::Pass);
  EXPECT_EQ(mail_from("192.0.2.1", "\"a.c\"@example.com").explanation,
            "l=\"a.c\" s=\"a.c\"@example.com L=%22a.c%22 lr=\"a");
}

}  // namespace
}  // namespace auth::spf
