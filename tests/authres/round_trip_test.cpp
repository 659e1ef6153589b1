// RFC 8601 Appendix B examples (values after "Authentication-Results:", as the RFC prints them)
// parse to the structure the RFC describes, and format(parse(x)) parses back equal.
#include <gtest/gtest.h>

#include <random>

#include <auth/authres.hpp>

namespace auth::authres {
namespace {

AuthenticationResults parsed(std::string_view text) {
  auto result = parse(text);
  EXPECT_TRUE(result) << text << "\n -> " << result.error().message;
  return result ? *result : AuthenticationResults{};
}

void expect_round_trip(const AuthenticationResults& ar) {
  for (const std::string& text : {format(ar), format_unfolded(ar), format(ar, 60)}) {
    auto again = parse(text);
    ASSERT_TRUE(again) << text << "\n -> " << again.error().message;
    EXPECT_EQ(*again, ar) << text;
  }
}

MethodResult result(std::string method, std::string value, std::vector<Property> properties,
                    std::string comment = "", std::string reason = "") {
  MethodResult r;
  r.method = std::move(method);
  r.result = std::move(value);
  r.properties = std::move(properties);
  r.result_comment = std::move(comment);
  r.reason = std::move(reason);
  return r;
}

// B.2: service provided, but no authentication done.
TEST(Rfc8601AppendixB, B2NoAuthenticationDone) {
  const auto ar = parsed(" example.org 1; none");
  EXPECT_EQ(ar, (AuthenticationResults{"example.org", 1, {}}));
  EXPECT_EQ(format(ar), " example.org 1; none");
  expect_round_trip(ar);
}

// B.3: service provided, authentication done.
TEST(Rfc8601AppendixB, B3AuthenticationDone) {
  const auto ar = parsed(" example.com;\r\n          spf=pass smtp.mailfrom=example.net");
  EXPECT_EQ(
      ar,
      (AuthenticationResults{
          "example.com", {}, {result("spf", "pass", {{"smtp", "mailfrom", "example.net", ""}})}}));
  expect_round_trip(ar);
}

// B.4: several authentications done, single MTA (two header fields).
TEST(Rfc8601AppendixB, B4SeveralAuthenticationsSingleMta) {
  const auto first = parsed(
      " example.com;\r\n"
      "          auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n"
      "          spf=pass smtp.mailfrom=example.net");
  EXPECT_EQ(first,
            (AuthenticationResults{
                "example.com",
                {},
                {result("auth", "pass", {{"smtp", "auth", "sender@example.net", ""}}, "cram-md5"),
                 result("spf", "pass", {{"smtp", "mailfrom", "example.net", ""}})}}));
  expect_round_trip(first);

  const auto second = parsed(" example.com; iprev=pass\r\n          policy.iprev=192.0.2.200");
  EXPECT_EQ(
      second,
      (AuthenticationResults{
          "example.com", {}, {result("iprev", "pass", {{"policy", "iprev", "192.0.2.200", ""}})}}));
  expect_round_trip(second);
}

// B.5: several authentications done, different MTAs.
TEST(Rfc8601AppendixB, B5SeveralAuthenticationsDifferentMtas) {
  const auto at_border = parsed(
      " example.com;\r\n"
      "          dkim=pass (good signature) header.d=example.com");
  EXPECT_EQ(at_border,
            (AuthenticationResults{
                "example.com",
                {},
                {result("dkim", "pass", {{"header", "d", "example.com", ""}}, "good signature")}}));
  expect_round_trip(at_border);

  const auto at_submission = parsed(
      " example.com;\r\n"
      "          auth=pass (cram-md5) smtp.auth=sender@example.com;\r\n"
      "          spf=fail smtp.mailfrom=example.com");
  EXPECT_EQ(at_submission,
            (AuthenticationResults{
                "example.com",
                {},
                {result("auth", "pass", {{"smtp", "auth", "sender@example.com", ""}}, "cram-md5"),
                 result("spf", "fail", {{"smtp", "mailfrom", "example.com", ""}})}}));
  expect_round_trip(at_submission);
}

// B.6: multi-tiered authentication, reasons as quoted strings.
TEST(Rfc8601AppendixB, B6MultiTieredAuthentication) {
  const auto outer = parsed(
      " example.com;\r\n"
      "      dkim=pass reason=\"good signature\"\r\n"
      "        header.i=@mail-router.example.net;\r\n"
      "      dkim=fail reason=\"bad signature\"\r\n"
      "        header.i=@newyork.example.com");
  EXPECT_EQ(outer, (AuthenticationResults{
                       "example.com",
                       {},
                       {result("dkim", "pass", {{"header", "i", "@mail-router.example.net", ""}},
                               "", "good signature"),
                        result("dkim", "fail", {{"header", "i", "@newyork.example.com", ""}}, "",
                               "bad signature")}}));
  EXPECT_EQ(format_unfolded(outer),
            " example.com; dkim=pass reason=\"good signature\" header.i=@mail-router.example.net;"
            " dkim=fail reason=\"bad signature\" header.i=@newyork.example.com");
  expect_round_trip(outer);

  const auto inner = parsed(
      " example.net;\r\n"
      "      dkim=pass (good signature) header.i=@newyork.example.com");
  EXPECT_EQ(inner, (AuthenticationResults{
                       "example.net",
                       {},
                       {result("dkim", "pass", {{"header", "i", "@newyork.example.com", ""}},
                               "good signature")}}));
  expect_round_trip(inner);
}

// B.7: the comment-heavy but legal example. Comments between grammar elements that have no
// place in the structure are dropped.
TEST(Rfc8601AppendixB, B7CommentHeavy) {
  const auto ar = parsed(
      " foo.example.net (foobar) 1 (baz);\r\n"
      "    dkim (Because I like it) / 1 (One yay) = (wait for it) fail\r\n"
      "      policy (A dot can go here) . (like that) expired\r\n"
      "      (this surprised me) = (as I wasn't expecting it) 1362471462");
  MethodResult dkim = result("dkim", "fail", {{"policy", "expired", "1362471462", ""}});
  dkim.version = 1;
  EXPECT_EQ(ar, (AuthenticationResults{"foo.example.net", 1, {dkim}}));
  // 23 + 57 columns would pass 78: folded before the property.
  EXPECT_EQ(format(ar), " foo.example.net 1; dkim/1=fail\r\n\tpolicy.expired=1362471462");
  expect_round_trip(ar);
}

// Random structures with hostile values (quotes, backslashes, parentheses, ';', '@', UTF-8,
// white space at the ends) survive format then parse unchanged.
TEST(RoundTrip, RandomStructures) {
  std::mt19937 rng(8601);
  const std::string value_chars = "aZ09 \t\"\\()[];:@.,=/+-_\xC3\xA9!#";
  const std::string keyword_chars = "abcxyz019-_";
  auto text = [&](const std::string& chars, std::size_t max) {
    std::string out;
    for (std::size_t n = rng() % (max + 1); n > 0; --n) out += chars[rng() % chars.size()];
    return out;
  };
  auto keyword = [&] {
    std::string k = text(keyword_chars, 8);
    return k.empty() ? std::string("k") : k;
  };
  for (int round = 0; round < 2000; ++round) {
    AuthenticationResults ar;
    ar.authserv_id = text(value_chars, 20);
    if (ar.authserv_id.empty()) ar.authserv_id = "id";
    if (rng() % 3 == 0) ar.version = 1;
    for (std::size_t n = rng() % 5; n > 0; --n) {
      MethodResult r;
      r.method = keyword();
      if (rng() % 4 == 0) r.version = static_cast<unsigned>(rng() % 10);
      r.result = keyword();
      if (rng() % 2) r.result_comment = text(value_chars, 30);
      if (rng() % 3 == 0) r.reason = text(value_chars, 30);
      for (std::size_t m = rng() % 4; m > 0; --m) {
        Property p;
        p.ptype = keyword();
        p.property = keyword();
        p.value = text(value_chars, 30);
        if (rng() % 3 == 0) p.comment = text(value_chars, 20);
        r.properties.push_back(std::move(p));
      }
      ar.results.push_back(std::move(r));
    }
    expect_round_trip(ar);
    if (HasFailure()) break;
  }
}

}  // namespace
}  // namespace auth::authres
