#include <auth/message.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace auth::message {
namespace {

struct Expect {
  std::string display_name;
  std::string local_part;
  std::string domain;
};

void expect_list(std::string_view raw, const std::vector<Expect>& expected) {
  SCOPED_TRACE(std::string(raw));
  const auto list = parse_address_list(raw);
  ASSERT_TRUE(list.has_value()) << list.error().message;
  ASSERT_EQ(list->size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ((*list)[i].display_name, expected[i].display_name) << "address " << i;
    EXPECT_EQ((*list)[i].local_part, expected[i].local_part) << "address " << i;
    EXPECT_EQ((*list)[i].domain, expected[i].domain) << "address " << i;
  }
}

Error expect_error(std::string_view raw) {
  const auto list = parse_address_list(raw);
  EXPECT_FALSE(list.has_value()) << "accepted: " << raw;
  if (list) return {};
  EXPECT_EQ(list.error().code, ErrorCode::Syntax);
  return list.error();
}

// --- Simple forms ----------------------------------------------------------------------------

TEST(AddressList, BareAddrSpec) {
  expect_list(" alice@example.org", {{"", "alice", "example.org"}});
  expect_list("alice@example.org", {{"", "alice", "example.org"}});
  expect_list(" first.last+tag@sub.Example.ORG ", {{"", "first.last+tag", "sub.Example.ORG"}});
}

TEST(AddressList, NameAddr) {
  expect_list(" Alice Example <alice@example.org>", {{"Alice Example", "alice", "example.org"}});
  expect_list(" <alice@example.org>", {{"", "alice", "example.org"}});
  expect_list("Alice<alice@example.org>", {{"Alice", "alice", "example.org"}});
}

TEST(AddressList, MailboxAddressJoinsLocalPartAndDomain) {
  const auto list = parse_address_list(" Bob <bob@example.net>");
  ASSERT_TRUE(list.has_value());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].address(), "bob@example.net");
}

TEST(AddressList, QuotedDisplayNameIsDecoded) {
  expect_list(R"( "Doe, John" <jdoe@example.com>)", {{"Doe, John", "jdoe", "example.com"}});
  expect_list(R"( "a \"quoted\" \\ name" <x@example.com>)",
              {{R"(a "quoted" \ name)", "x", "example.com"}});
  expect_list(R"( "" <x@example.com>)", {{"", "x", "example.com"}});
}

TEST(AddressList, DisplayNameMixesAtomsAndQuotedStrings) {
  expect_list(R"( John "the Man" Doe <j@example.com>)", {{"John the Man Doe", "j", "example.com"}});
}

TEST(AddressList, QuotedLocalPart) {
  expect_list(R"( "john doe"@example.com)", {{"", "john doe", "example.com"}});
  expect_list(R"( <"very.(),:;<>[]\".unusual"@example.com>)",
              {{"", R"(very.(),:;<>[]".unusual)", "example.com"}});
}

TEST(AddressList, DomainLiteralKeepsBrackets) {
  expect_list(" user@[192.0.2.1]", {{"", "user", "[192.0.2.1]"}});
  expect_list(" Admin <root@[IPv6:2001:db8::1]>", {{"Admin", "root", "[IPv6:2001:db8::1]"}});
}

TEST(AddressList, FoldedRawValueIsUnfolded) {
  expect_list(" Alice\r\n Example\r\n\t<alice@example.org>,\r\n bob@example.net",
              {{"Alice Example", "alice", "example.org"}, {"", "bob", "example.net"}});
}

TEST(AddressList, CommentsAreDropped) {
  expect_list(" alice@example.org (Alice Example)", {{"", "alice", "example.org"}});
  expect_list(" (lead) Alice (middle) Example <alice@example.org> (tail)",
              {{"Alice Example", "alice", "example.org"}});
  expect_list(" a(nested (comment \\) here) ok)@example.org", {{"", "a", "example.org"}});
}

TEST(AddressList, Utf8AddressesAndNames) {
  // RFC 6532: UTF-8 is allowed in atoms.
  expect_list(" J\xC3\xBCrgen <j\xC3\xBCrgen@b\xC3\xBC\x63her.example>",
              {{"J\xC3\xBCrgen", "j\xC3\xBCrgen", "b\xC3\xBC\x63her.example"}});
}

TEST(AddressList, EncodedWordDisplayNameIsLeftEncoded) {
  expect_list(" =?UTF-8?Q?J=C3=BCrgen?= <j@example.com>",
              {{"=?UTF-8?Q?J=C3=BCrgen?=", "j", "example.com"}});
}

TEST(AddressList, SeveralAddresses) {
  expect_list(" a@example.org, B <b@example.net>,c@example.com",
              {{"", "a", "example.org"}, {"B", "b", "example.net"}, {"", "c", "example.com"}});
}

// --- RFC 5322 Appendix A ---------------------------------------------------------------------

TEST(AddressListRfc5322, A11AddressingExample) {
  expect_list(" John Doe <jdoe@machine.example>", {{"John Doe", "jdoe", "machine.example"}});
  expect_list(" Mary Smith <mary@example.net>", {{"Mary Smith", "mary", "example.net"}});
}

TEST(AddressListRfc5322, A12DifferentTypesOfMailboxes) {
  expect_list(" \"Joe Q. Public\" <john.q.public@example.com>",
              {{"Joe Q. Public", "john.q.public", "example.com"}});
  expect_list(
      " Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>",
      {{"Mary Smith", "mary", "x.test"}, {"", "jdoe", "example.org"}, {"Who?", "one", "y.test"}});
  expect_list(" <boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>",
              {{"", "boss", "nil.test"}, {"Giant; \"Big\" Box", "sysservices", "example.net"}});
}

TEST(AddressListRfc5322, A13GroupAddresses) {
  expect_list(
      " A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;",
      {{"Ed Jones", "c", "a.test"}, {"", "joe", "where.test"}, {"John", "jdoe", "one.test"}});
  expect_list(" Undisclosed recipients:;", {});
}

TEST(AddressListRfc5322, A5WhiteSpaceCommentsAndOtherOddities) {
  expect_list(" Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>",
              {{"Pete", "pete", "silly.test"}});
  expect_list(
      "A Group(Some people)\r\n"
      "     :Chris Jones <c@(Chris's host.)public.example>,\r\n"
      "         joe@example.org,\r\n"
      "  John <jdoe@one.test> (my dear friend); (the end of the group)",
      {{"Chris Jones", "c", "public.example"},
       {"", "joe", "example.org"},
       {"John", "jdoe", "one.test"}});
  expect_list("(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;", {});
}

TEST(AddressListRfc5322, A61ObsoleteAddressing) {
  expect_list(" Joe Q. Public <john.q.public@example.com>",
              {{"Joe Q. Public", "john.q.public", "example.com"}});
  expect_list(" Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example",
              {{"Mary Smith", "mary", "example.net"}, {"", "jdoe", "test.example"}});
}

TEST(AddressListRfc5322, A63ObsoleteWhiteSpaceAndComments) {
  expect_list(" John Doe <jdoe@machine(comment).  example>",
              {{"John Doe", "jdoe", "machine.example"}});
  expect_list(" Mary Smith\r\n  \r\n          <mary@example.net>",
              {{"Mary Smith", "mary", "example.net"}});
}

// --- Other obsolete forms --------------------------------------------------------------------

TEST(AddressListObsolete, RouteWithSeveralDomains) {
  expect_list(" <@a.example,@b.example:user@c.example>", {{"", "user", "c.example"}});
  expect_list(" Name <,@a.example, ,@b.example:user@c.example>", {{"Name", "user", "c.example"}});
}

TEST(AddressListObsolete, LocalPartOfWordsWithCfws) {
  expect_list(" john . \"q\" . public @ example . com", {{"", "john.q.public", "example.com"}});
}

TEST(AddressListObsolete, EmptyListElements) {
  expect_list(" , a@example.org ,, b@example.org ,",
              {{"", "a", "example.org"}, {"", "b", "example.org"}});
  expect_list(" G: , a@example.org, ,;", {{"", "a", "example.org"}});
}

TEST(AddressListObsolete, StrayDotsInLocalPartAreTolerated) {
  expect_list(" john..doe@example.jp", {{"", "john..doe", "example.jp"}});
  expect_list(" john.@example.jp", {{"", "john.", "example.jp"}});
}

TEST(AddressList, GroupsMixedWithMailboxes) {
  expect_list(" first@example.org, Team: a@example.org, B <b@example.org>;, last@example.org",
              {{"", "first", "example.org"},
               {"", "a", "example.org"},
               {"B", "b", "example.org"},
               {"", "last", "example.org"}});
  expect_list(" Empty:;, x@example.org", {{"", "x", "example.org"}});
}

// --- Errors ----------------------------------------------------------------------------------

TEST(AddressListErrors, EmptyValue) {
  EXPECT_NE(expect_error("").message.find("no address"), std::string::npos);
  expect_error("   ");
  expect_error(" (only a comment)");
  expect_error(" , ,");
}

TEST(AddressListErrors, MissingAtOrAngle) {
  const Error e = expect_error(" John Doe");
  EXPECT_NE(e.message.find("\"John Doe\" is not an address"), std::string::npos) << e.message;
  expect_error(" alice");
  expect_error(" alice@");
  expect_error(" @example.org");
  expect_error(" John Doe jdoe@example.com");  // unquoted words in a local part
}

TEST(AddressListErrors, UnterminatedConstructs) {
  EXPECT_NE(expect_error(" \"Alice <a@example.org>").message.find("unterminated quoted string"),
            std::string::npos);
  EXPECT_NE(expect_error(" a@example.org (comment").message.find("unterminated comment"),
            std::string::npos);
  EXPECT_NE(expect_error(" a@[192.0.2.1").message.find("unterminated domain literal"),
            std::string::npos);
  expect_error(" Alice <a@example.org");
  expect_error(" \"ends with backslash\\");
  expect_error(" Group: a@example.org");  // no ';'
}

TEST(AddressListErrors, BadDomains) {
  expect_error(" a@example..org");
  expect_error(" a@example.org.");
  expect_error(" a@.example.org");
  expect_error(" a@\"quoted\".org");
}

TEST(AddressListErrors, StrayCharacters) {
  expect_error(" a@example.org)");
  expect_error(" a@example.org]");
  expect_error(" a@example.org b@example.org");
  expect_error(" a@example.org; b@example.org");
  expect_error(" <>");
  expect_error(" :;");             // group without display name
  expect_error(" G: H: a@b.c;;");  // nested group
  expect_error(std::string(" a\x01@example.org"));
  expect_error(" <a@b.c> <d@e.f>");
}

TEST(AddressListErrors, MessageNamesOffsetAndText) {
  const Error e = expect_error(" a@example.org x");
  EXPECT_EQ(e.message,
            "expected ',' between addresses, found \"x\" at offset 15 in \" a@example.org x\"");
}

TEST(AddressListErrors, DeepCommentNestingIsHandled) {
  const std::string deep = " a@example.org " + std::string(100000, '(') + std::string(100000, ')');
  expect_list(deep, {{"", "a", "example.org"}});
  expect_error(" a@example.org " + std::string(100000, '('));
}

// --- domain_of -------------------------------------------------------------------------------

TEST(DomainOf, ReturnsTextAfterLastAt) {
  EXPECT_EQ(domain_of("alice@example.org"), "example.org");
  EXPECT_EQ(domain_of("\"a@b\"@example.org"), "example.org");
  EXPECT_EQ(domain_of("user@[192.0.2.1]"), "[192.0.2.1]");
  EXPECT_EQ(domain_of("@x"), "x");
}

TEST(DomainOf, NoDomain) {
  EXPECT_EQ(domain_of("postmaster"), std::nullopt);
  EXPECT_EQ(domain_of("alice@"), std::nullopt);
  EXPECT_EQ(domain_of(""), std::nullopt);
}

TEST(DomainOf, WorksOnParsedMailbox) {
  const auto list = parse_address_list(" Alice <alice@Mail.Example.ORG>");
  ASSERT_TRUE(list.has_value());
  ASSERT_EQ(list->size(), 1u);
  const std::string address = (*list)[0].address();
  EXPECT_EQ(domain_of(address), "Mail.Example.ORG");
}

}  // namespace
}  // namespace auth::message
