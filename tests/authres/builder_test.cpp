#include <gtest/gtest.h>

#include <sstream>

#include <auth/authres.hpp>

namespace auth::authres {
namespace {

MethodResult method(std::string name, std::string result, std::vector<Property> properties = {}) {
  MethodResult r;
  r.method = std::move(name);
  r.result = std::move(result);
  r.properties = std::move(properties);
  return r;
}

Property prop(std::string ptype, std::string property, std::string value) {
  return Property{std::move(ptype), std::move(property), std::move(value), ""};
}

TEST(Format, NoResultIsNone) {
  AuthenticationResults ar{"example.org", 1, {}};
  EXPECT_EQ(format(ar), " example.org 1; none");
  EXPECT_EQ(format_unfolded(ar), " example.org 1; none");
  ar.version.reset();
  EXPECT_EQ(format(ar), " example.org; none");
}

TEST(Format, SingleResult) {
  AuthenticationResults ar{
      "example.com", {}, {method("spf", "pass", {prop("smtp", "mailfrom", "example.net")})}};
  EXPECT_EQ(format(ar), " example.com; spf=pass smtp.mailfrom=example.net");
}

TEST(Format, CommentsReasonAndMethodVersion) {
  MethodResult auth = method("auth", "pass", {prop("smtp", "auth", "sender@example.net")});
  auth.result_comment = "cram-md5";
  MethodResult dkim = method("dkim", "fail", {prop("header", "i", "@newyork.example.com")});
  dkim.version = 1;
  dkim.reason = "bad signature";
  dkim.properties[0].comment = "from the signature";
  AuthenticationResults ar{"example.com", {}, {auth, dkim}};
  EXPECT_EQ(format_unfolded(ar),
            " example.com; auth=pass (cram-md5) smtp.auth=sender@example.net;"
            " dkim/1=fail reason=\"bad signature\" header.i=@newyork.example.com"
            " (from the signature)");
}

TEST(Format, QuotesValuesThatAreNotTokens) {
  MethodResult r = method("x", "pass",
                          {prop("smtp", "mailfrom", "user@example.com"),        // addr-spec: bare
                           prop("header", "i", "@example.com"),                 // bare
                           prop("header", "d", "example.com"),                  // token
                           prop("smtp", "mailfrom", "\"john q\"@example.com"),  // quoted local-part
                           prop("policy", "iprev", "2001:db8::1"),              // ':' -> quoted
                           prop("header", "b", "ab/cd+ef"),                     // '/' -> quoted
                           prop("header", "from", "not an address"),
                           prop("smtp", "mailfrom", "user@localhost"),  // not a domain-name
                           prop("x", "empty", ""), prop("x", "q", "say \"hi\" \\ bye")});
  r.reason = "sig=ok";
  AuthenticationResults ar{"my server", {}, {r}};
  EXPECT_EQ(format_unfolded(ar),
            " \"my server\"; x=pass reason=\"sig=ok\" smtp.mailfrom=user@example.com"
            " header.i=@example.com header.d=example.com smtp.mailfrom=\"john q\"@example.com"
            " policy.iprev=\"2001:db8::1\" header.b=\"ab/cd+ef\" header.from=\"not an address\""
            " smtp.mailfrom=\"user@localhost\" x.empty=\"\" x.q=\"say \\\"hi\\\" \\\\ bye\"");
}

TEST(Format, EscapesCommentsAndNeutralisesLineBreaks) {
  MethodResult r = method("spf", "pass");
  r.result_comment = "a (b) c\\ d";
  r.reason = "line\r\nbreak";
  r.properties.push_back(prop("smtp", "mailfrom", "a\r\nb"));
  r.properties.back().comment = "x\ny";
  AuthenticationResults ar{"example.com", {}, {r}};
  EXPECT_EQ(format_unfolded(ar),
            " example.com; spf=pass (a \\(b\\) c\\\\ d) reason=\"line  break\""
            " smtp.mailfrom=\"a  b\" (x y)");
}

// Keywords cannot be quoted: anything but letters, digits, '-' and '_' is dropped, so no
// caller-supplied text can end the header or start a new result.
TEST(Format, KeywordsKeepOnlyKeywordCharacters) {
  AuthenticationResults ar{
      "example.com", {}, {method("dk im;\r\n", "PASS x", {prop("sm.tp", "mail from", "v")})}};
  EXPECT_EQ(format_unfolded(ar), " example.com; dkim=PASSx smtp.mailfrom=v");
}

TEST(Format, FoldsAt78Columns) {
  AuthenticationResults ar{
      "mx.example.org",
      {},
      {method("spf", "pass", {prop("smtp", "mailfrom", "sender@example.net")}),
       method("dkim", "pass",
              {prop("header", "d", "example.net"), prop("header", "s", "selector1"),
               prop("header", "b", "AbCdEfGh")}),
       method("dmarc", "pass", {prop("header", "from", "example.net")})}};
  // Hand-folded: "Authentication-Results:" takes 23 columns of the first line, and the TAB that
  // starts a continuation line 8 (libauth's one line folder: lines fit 78 columns on a terminal).
  EXPECT_EQ(format(ar),
            " mx.example.org; spf=pass\r\n"
            "\tsmtp.mailfrom=sender@example.net; dkim=pass header.d=example.net\r\n"
            "\theader.s=selector1 header.b=AbCdEfGh; dmarc=pass\r\n"
            "\theader.from=example.net");
  EXPECT_EQ(format_unfolded(ar),
            " mx.example.org; spf=pass smtp.mailfrom=sender@example.net; dkim=pass"
            " header.d=example.net header.s=selector1 header.b=AbCdEfGh; dmarc=pass"
            " header.from=example.net");
}

std::vector<std::string> lines_of(const std::string& folded) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (true) {
    const auto end = folded.find("\r\n", start);
    lines.push_back(folded.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 2;
  }
  return lines;
}

TEST(Format, EveryLineFitsAndUnfoldsToTheSameText) {
  AuthenticationResults ar{"authserv.example.com", 1, {}};
  for (int i = 0; i < 12; ++i) {
    MethodResult r = method("dkim", i % 2 ? "pass" : "fail",
                            {prop("header", "d", "d" + std::to_string(i) + ".example.com"),
                             prop("header", "i", "@sub.d" + std::to_string(i) + ".example.com")});
    r.result_comment = "signature " + std::to_string(i);
    ar.results.push_back(r);
  }
  for (std::size_t used : {23u, 32u, 50u}) {
    const std::string folded = format(ar, used);
    const auto lines = lines_of(folded);
    ASSERT_GT(lines.size(), 3u);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      EXPECT_LE(lines[i].size() + (i == 0 ? used : 7), 78u) << lines[i];  // a TAB: 8 columns
      if (i != 0) {
        EXPECT_EQ(lines[i][0], '\t');
      }
    }
    std::string unfolded = folded;
    for (std::size_t at; (at = unfolded.find("\r\n\t")) != std::string::npos;) {
      unfolded.replace(at, 3, " ");
    }
    EXPECT_EQ(unfolded, format_unfolded(ar));
  }
}

TEST(Format, OverlongUnitStaysWholeOnItsOwnLine) {
  const std::string long_value = std::string(90, 'a') + "@example.com";
  AuthenticationResults ar{
      "example.com", {}, {method("spf", "pass", {prop("smtp", "mailfrom", long_value)})}};
  EXPECT_EQ(format(ar), " example.com; spf=pass\r\n\tsmtp.mailfrom=" + long_value);
}

}  // namespace
}  // namespace auth::authres
