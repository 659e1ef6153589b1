// DMARC Policy Record parsing (RFC 9989 §4.7, §4.8, §4.10.1) and the Appendix B.2 records.
#include <gtest/gtest.h>

#include <algorithm>

#include "dmarc/report_uri.hpp"
#include "dmarc_test_support.hpp"

namespace auth::dmarc {
namespace {

bool has_warning(const Record& r, std::string_view part) {
  return std::any_of(r.warnings.begin(), r.warnings.end(),
                     [&](const std::string& w) { return w.find(part) != std::string::npos; });
}

TEST(Record, AppendixB21MonitoringMode) {
  // Zone text ( "v=DMARC1; p=none; " "rua=mailto:dmarc-feedback@example.com" ), strings joined.
  auto r = parse_record("v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->p, Policy::None);
  EXPECT_FALSE(r->sp);
  EXPECT_FALSE(r->np);
  EXPECT_FALSE(r->testing);
  EXPECT_EQ(r->adkim, AlignmentMode::Relaxed);
  EXPECT_EQ(r->aspf, AlignmentMode::Relaxed);
  EXPECT_EQ(r->psd, PsdFlag::Unspecified);
  ASSERT_EQ(r->rua.size(), 1u);
  EXPECT_EQ(r->rua[0].uri, "mailto:dmarc-feedback@example.com");
  EXPECT_EQ(r->rua[0].scheme, "mailto");
  EXPECT_EQ(r->rua[0].address, "dmarc-feedback@example.com");
  EXPECT_EQ(r->rua[0].host, "example.com");
  EXPECT_TRUE(r->ruf.empty());
  EXPECT_EQ(r->tags, (std::vector<std::string>{"p", "rua"}));
  EXPECT_TRUE(r->warnings.empty());
  EXPECT_TRUE(r->usable());
  EXPECT_EQ(r->domain_policy(), Policy::None);
}

TEST(Record, AppendixB22And23FailureReports) {
  auto r = parse_record(
      "v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com; "
      "ruf=mailto:auth-reports@thirdparty.example.net");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->ruf.size(), 1u);
  EXPECT_EQ(r->ruf[0].host, "thirdparty.example.net");
  EXPECT_TRUE(r->fo.all_fail);  // fo= default "0"
  EXPECT_EQ(r->fo_text, "0");
}

TEST(Record, AppendixB25TestingAndTwoUris) {
  // ( "v=DMARC1; p=quarantine; " "rua=mailto:dmarc-feedback@example.com,"
  //   "mailto:tld-test@thirdparty.example.net; " "t=y" )
  auto r = parse_record(
      "v=DMARC1; p=quarantine; rua=mailto:dmarc-feedback@example.com,"
      "mailto:tld-test@thirdparty.example.net; t=y");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->p, Policy::Quarantine);
  EXPECT_TRUE(r->testing);
  ASSERT_EQ(r->rua.size(), 2u);
  EXPECT_EQ(r->rua[1].address, "tld-test@thirdparty.example.net");
  auto later = parse_record(
      "v=DMARC1; p=reject; rua=mailto:dmarc-feedback@example.com,"
      "mailto:tld-test@thirdparty.example.net");
  ASSERT_TRUE(later);
  EXPECT_EQ(later->p, Policy::Reject);
  EXPECT_FALSE(later->testing);
}

TEST(Record, VersionMustComeFirstAndBeExact) {
  EXPECT_FALSE(parse_record(""));
  EXPECT_FALSE(parse_record("   "));
  EXPECT_FALSE(parse_record("p=reject; v=DMARC1"));
  EXPECT_FALSE(parse_record("v=DMARC2; p=reject"));
  EXPECT_FALSE(parse_record("v=dmarc1; p=reject"));  // %s"DMARC1": case-sensitive
  EXPECT_FALSE(parse_record("v=DMARC1p=reject"));
  EXPECT_FALSE(parse_record("v=spf1 -all"));
  EXPECT_TRUE(parse_record("v=DMARC1"));
  EXPECT_TRUE(parse_record("v = DMARC1 ; p = reject ;"));  // equals and dmarc-sep allow WSP
  EXPECT_TRUE(parse_record("V=DMARC1; p=reject"));         // "v" is a case-insensitive ABNF string
  EXPECT_EQ(parse_record("v=DMARC1;\tp=reject\t")->p, Policy::Reject);
}

TEST(Record, EveryTagWithItsValues) {
  auto r = parse_record(
      "v=DMARC1; p=Reject; sp=quarantine; np=none; psd=n; adkim=s; aspf=S; "
      "rua=mailto:a@example.com; ruf=mailto:f@example.com; fo=1:d:s; t=y");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->p, Policy::Reject);  // dmarc-request is a case-insensitive ABNF string
  EXPECT_EQ(r->sp, Policy::Quarantine);
  EXPECT_EQ(r->np, Policy::None);
  EXPECT_EQ(r->psd, PsdFlag::No);
  EXPECT_EQ(r->adkim, AlignmentMode::Strict);
  EXPECT_EQ(r->aspf, AlignmentMode::Strict);
  EXPECT_TRUE(r->testing);
  EXPECT_FALSE(r->fo.all_fail);
  EXPECT_TRUE(r->fo.any_fail);
  EXPECT_TRUE(r->fo.dkim);
  EXPECT_TRUE(r->fo.spf);
  EXPECT_EQ(r->fo_text, "1:d:s");
  EXPECT_EQ(r->tags, (std::vector<std::string>{"p", "sp", "np", "psd", "adkim", "aspf", "rua",
                                               "ruf", "fo", "t"}));
  EXPECT_TRUE(r->warnings.empty());
  EXPECT_EQ(r->text,
            "v=DMARC1; p=Reject; sp=quarantine; np=none; psd=n; adkim=s; aspf=S; "
            "rua=mailto:a@example.com; ruf=mailto:f@example.com; fo=1:d:s; t=y");
}

TEST(Record, BadValuesFallBackToDefaults) {
  // RFC 9989 §4.8: syntax errors after v are discarded in favour of defaults.
  auto r = parse_record("v=DMARC1; p=reject; adkim=x; aspf=relaxed; psd=maybe; t=yes; fo=0:1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->p, Policy::Reject);
  EXPECT_EQ(r->adkim, AlignmentMode::Relaxed);
  EXPECT_EQ(r->aspf, AlignmentMode::Relaxed);
  EXPECT_EQ(r->psd, PsdFlag::Unspecified);
  EXPECT_FALSE(r->testing);
  EXPECT_TRUE(r->fo.all_fail);
  EXPECT_EQ(r->fo_text, "0");
  EXPECT_EQ(r->invalid_tags, (std::vector<std::string>{"adkim", "aspf", "psd", "t", "fo"}));
  EXPECT_EQ(r->tags, (std::vector<std::string>{"p"}));
  EXPECT_TRUE(has_warning(*r, "invalid value 'x' for adkim= ignored"));
  EXPECT_TRUE(r->usable());
}

TEST(Record, FailureOptionsGrammar) {
  const auto fo = [](std::string_view v) {
    auto r = parse_record("v=DMARC1; p=none; ruf=mailto:f@example.com; fo=" + std::string(v));
    return r->invalid_tags.empty() ? std::optional<FailureOptions>(r->fo) : std::nullopt;
  };
  EXPECT_TRUE(fo("0"));
  EXPECT_TRUE(fo("d"));
  EXPECT_TRUE(fo("d:s"));
  EXPECT_TRUE(fo("s:1"));
  EXPECT_TRUE(fo("d : 0 : s"));
  EXPECT_FALSE(fo("0:1"));
  EXPECT_FALSE(fo("d:d"));
  EXPECT_FALSE(fo("x"));
  EXPECT_FALSE(fo("0:"));
  EXPECT_FALSE(fo("01"));
  EXPECT_FALSE(fo("d")->all_fail);  // only DKIM reports
  EXPECT_TRUE(fo("0:s")->all_fail);
}

TEST(Record, UnknownRemovedRepeatedAndMalformedTags) {
  auto r =
      parse_record("v=DMARC1; p=none; pct=50; rf=afrf; ri=3600; foo=bar; p=reject; junk; 9x=1; ;");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->p, Policy::None);  // the first p= applies
  EXPECT_TRUE(has_warning(*r, "pct= is no longer part of DMARC"));
  EXPECT_TRUE(has_warning(*r, "rf= is no longer part of DMARC"));
  EXPECT_TRUE(has_warning(*r, "ri= is no longer part of DMARC"));
  EXPECT_TRUE(has_warning(*r, "unknown tag foo= ignored"));
  EXPECT_TRUE(has_warning(*r, "repeated tag p= ignored"));
  EXPECT_TRUE(has_warning(*r, "malformed tag 'junk' ignored"));
  EXPECT_TRUE(has_warning(*r, "malformed tag '9x=1' ignored"));
  EXPECT_TRUE(r->invalid_tags.empty());
  EXPECT_TRUE(r->usable());
}

TEST(Record, MissingOrInvalidPolicyNeedsRua) {
  // RFC 9989 §4.10.1.
  auto none = parse_record("v=DMARC1; sp=reject");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->p);
  EXPECT_FALSE(none->usable());
  EXPECT_TRUE(has_warning(*none, "no p= tag"));

  auto rua = parse_record("v=DMARC1; rua=mailto:agg@example.com; sp=reject");
  ASSERT_TRUE(rua);
  EXPECT_TRUE(rua->usable());
  EXPECT_EQ(rua->domain_policy(), Policy::None);
  EXPECT_EQ(rua->subdomain_policy(true), Policy::None);  // the record counts as p=none

  auto bad_p = parse_record("v=DMARC1; p=bob");
  ASSERT_TRUE(bad_p);
  EXPECT_TRUE(bad_p->p_invalid);
  EXPECT_FALSE(bad_p->usable());

  auto bad_sp = parse_record("v=DMARC1; p=reject; sp=bob");
  ASSERT_TRUE(bad_sp);
  EXPECT_TRUE(bad_sp->sp_invalid);
  EXPECT_FALSE(bad_sp->usable());

  auto bad_np_rua = parse_record("v=DMARC1; p=reject; np=; rua=mailto:a@example.com");
  ASSERT_TRUE(bad_np_rua);
  EXPECT_TRUE(bad_np_rua->np_invalid);
  EXPECT_TRUE(bad_np_rua->usable());
  EXPECT_EQ(bad_np_rua->domain_policy(), Policy::None);

  // A rua= with no valid URI does not save the record.
  auto bad_rua = parse_record("v=DMARC1; rua=mailto:a@example.com!x");
  ASSERT_TRUE(bad_rua);
  EXPECT_FALSE(bad_rua->usable());
  EXPECT_EQ(bad_rua->invalid_tags, (std::vector<std::string>{"rua"}));
}

TEST(Record, SubdomainPolicyFallbacks) {
  // np falls back to sp, then p; sp falls back to p (RFC 9989 §4.7 np, sp).
  auto p_only = parse_record("v=DMARC1; p=reject").value();
  EXPECT_EQ(p_only.subdomain_policy(true), Policy::Reject);
  EXPECT_EQ(p_only.subdomain_policy(false), Policy::Reject);
  auto sp = parse_record("v=DMARC1; p=reject; sp=none").value();
  EXPECT_EQ(sp.subdomain_policy(true), Policy::None);
  EXPECT_EQ(sp.subdomain_policy(false), Policy::None);
  auto np = parse_record("v=DMARC1; p=none; np=reject").value();
  EXPECT_EQ(np.subdomain_policy(true), Policy::None);
  EXPECT_EQ(np.subdomain_policy(false), Policy::Reject);
  auto all = parse_record("v=DMARC1; p=none; sp=quarantine; np=reject").value();
  EXPECT_EQ(all.domain_policy(), Policy::None);
  EXPECT_EQ(all.subdomain_policy(true), Policy::Quarantine);
  EXPECT_EQ(all.subdomain_policy(false), Policy::Reject);
}

TEST(Record, ReportUris) {
  auto r = parse_record(
      "v=DMARC1; p=none; rua=mailto:a@example.com!10m , https://reports.example.net:8443/x,"
      " mailto:%61b@Example.ORG?subject=x, mailto:bad,uri, ftp://abuse.com; "
      "ruf=mailto://abuse.com");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->rua.size(), 5u);
  EXPECT_EQ(r->rua[0].uri, "mailto:a@example.com");  // the obsolete size is dropped
  EXPECT_EQ(r->rua[1].scheme, "https");
  EXPECT_EQ(r->rua[1].host, "reports.example.net");
  EXPECT_TRUE(r->rua[1].address.empty());
  EXPECT_EQ(r->rua[2].address, "ab@Example.ORG");  // %-decoded, headers dropped
  EXPECT_EQ(r->rua[2].host, "example.org");
  EXPECT_EQ(r->rua[3].uri, "mailto:bad");  // valid URI syntax, but no address
  EXPECT_TRUE(r->rua[3].address.empty());
  EXPECT_EQ(r->rua[4].scheme, "ftp");
  EXPECT_TRUE(has_warning(*r, "invalid URI in rua= ignored"));  // "uri" has no scheme
  ASSERT_EQ(r->ruf.size(), 1u);
  EXPECT_TRUE(r->ruf[0].address.empty());
  EXPECT_TRUE(has_warning(*r, "has no e-mail address"));
}

TEST(ReportUri, SyntaxChecks) {
  EXPECT_TRUE(parse_report_uri("mailto:a@example.com!20"));
  EXPECT_TRUE(parse_report_uri("mailto:a@example.com!20K"));
  EXPECT_FALSE(parse_report_uri("mailto:a@example.com!"));
  EXPECT_FALSE(parse_report_uri("mailto:a@example.com!big"));
  EXPECT_FALSE(parse_report_uri("mailto:a@exa mple.com"));
  EXPECT_FALSE(parse_report_uri("mailto:a@example.com%zz"));
  EXPECT_FALSE(parse_report_uri("1mailto:a@example.com"));
  EXPECT_FALSE(parse_report_uri("a@example.com"));
  EXPECT_FALSE(parse_report_uri("mailto:"));
  EXPECT_EQ(parse_report_uri("MAILTO:X@Example.com")->scheme, "mailto");
  EXPECT_EQ(parse_report_uri("https://user@[2001:db8::1]:443/r")->host, "[2001:db8::1]");
}

TEST(Record, NonPrintableValuesAreInvalid) {
  auto r = parse_record(std::string("v=DMARC1; p=reject; adkim=\x01s"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->invalid_tags, (std::vector<std::string>{"adkim"}));
  for (const auto& w : r->warnings) {
    for (char c : w) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << w;
  }
}

TEST(Record, EffectiveTagsFillInDefaults) {
  const auto tags = effective_tags(
      parse_record("v=DMARC1; p=quarantine; np=reject; adkim=x; rua=mailto:a@example.com,"
                   "mailto:b@example.org!5m")
          .value());
  std::string shown;
  for (const auto& t : tags) shown += t.name + "=" + t.value + (t.defaulted ? "* " : " ");
  EXPECT_EQ(shown,
            "v=DMARC1 p=quarantine sp=quarantine* np=reject psd=u* adkim=r* aspf=r* "
            "rua=mailto:a@example.com,mailto:b@example.org ruf=* fo=0* t=n* ");
  // A record that counts as p=none asks for nothing anywhere.
  const auto none = effective_tags(parse_record("v=DMARC1; sp=reject; rua=mailto:a@example.com").value());
  EXPECT_EQ(none[1].value, "none");
  EXPECT_TRUE(none[1].defaulted);
  EXPECT_EQ(none[2].value, "none");
  EXPECT_FALSE(none[2].defaulted);
}

}  // namespace
}  // namespace auth::dmarc
