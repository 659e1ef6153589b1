// Punycode (RFC 3492) and A-label conversion of Author Domains (RFC 9989 §5.3.1).
#include <gtest/gtest.h>

#include "dmarc/idna.hpp"

namespace auth::dmarc {
namespace {

struct Sample {
  const char* name;
  std::u32string code_points;
  std::string encoded;
};

// RFC 3492 §7.1 sample strings (the encoder writes lower case; case annotations are optional).
const Sample rfc3492_samples[] = {
    {"(A) Arabic (Egyptian)",
     U"\u0644\u064A\u0647\u0645\u0627\u0628\u062A\u0643\u0644\u0645\u0648\u0634\u0639\u0631"
     U"\u0628\u064A\u061F",
     "egbpdaj6bu4bxfgehfvwxn"},
    {"(B) Chinese (simplified)", U"\u4ED6\u4EEC\u4E3A\u4EC0\u4E48\u4E0D\u8BF4\u4E2D\u6587",
     "ihqwcrb4cv8a8dqg056pqjye"},
    {"(L) 3<nen>B<gumi><kinpachi><sensei>", U"\u0033\u5E74\u0042\u7D44\u91D1\u516B\u5148\u751F",
     "3B-ww4c5e180e575a65lsy2b"},
    {"(S) -> $1.00 <-", U"-> $1.00 <-", "-> $1.00 <--"},
};

TEST(Punycode, EncodesRfc3492Samples) {
  for (const auto& s : rfc3492_samples) {
    EXPECT_EQ(punycode_encode(s.code_points), s.encoded) << s.name;
  }
}

TEST(Punycode, DecodesRfc3492Samples) {
  for (const auto& s : rfc3492_samples) {
    EXPECT_EQ(punycode_decode(s.encoded), s.code_points) << s.name;
  }
}

TEST(Punycode, RoundTripsEveryPlane) {
  const std::u32string mixed = U"a\u00FC\u4E2D\U0001F600z\u0436";
  const auto encoded = punycode_encode(mixed);
  ASSERT_TRUE(encoded);
  EXPECT_EQ(punycode_decode(*encoded), mixed);
}

TEST(Punycode, RejectsMalformedInput) {
  EXPECT_FALSE(punycode_decode("ab!"));                              // not a base-36 digit
  EXPECT_FALSE(punycode_decode("egbpdaj6bu4bxfgehfvwx9999999999"));  // overflow
  EXPECT_FALSE(punycode_decode("a-\xC3"));                           // non-ASCII basic code point
  EXPECT_FALSE(punycode_decode("ihqwcrb4cv8a8dqg056pqjy"));          // cut in the middle of a delta
}

TEST(ALabels, ConvertsULabelsAndLowersAscii) {
  EXPECT_EQ(to_a_labels("Example.COM."), "example.com");
  EXPECT_EQ(to_a_labels("bücher.example"), "xn--bcher-kva.example");
  EXPECT_EQ(to_a_labels("MÜNCHEN.example"), "xn--mnchen-3ya.example");  // Ü mapped to ü
  EXPECT_EQ(to_a_labels("ایران.ir"), "xn--mgba3a4f16a.ir");
  EXPECT_EQ(to_a_labels("食狮.公司.cn"), "xn--85x722f.xn--55qx5d.cn");
  EXPECT_EQ(to_a_labels("www.食狮.中国"), "www.xn--85x722f.xn--fiqs8s");
  EXPECT_EQ(to_a_labels("Почта.рф"), "xn--80a1acny.xn--p1ai");
  // A-labels pass through (lower-cased).
  EXPECT_EQ(to_a_labels("XN--BCHER-KVA.example"), "xn--bcher-kva.example");
}

TEST(ALabels, RejectsWhatNoHostNameHolds) {
  EXPECT_FALSE(to_a_labels(""));
  EXPECT_FALSE(to_a_labels("a..example"));
  EXPECT_FALSE(to_a_labels(".example"));
  EXPECT_FALSE(to_a_labels("exa mple.com"));
  EXPECT_FALSE(to_a_labels("bad\xC3(.example"));          // invalid UTF-8
  EXPECT_FALSE(to_a_labels("over\xC0\xAFlong.example"));  // overlong '/'
  EXPECT_FALSE(to_a_labels("sur\xED\xA0\x80.example"));   // UTF-16 surrogate
  EXPECT_FALSE(to_a_labels("nbsp\xC2\xA0.example"));      // U+00A0
  EXPECT_FALSE(to_a_labels(std::string(64, 'a') + ".example"));
  EXPECT_TRUE(to_a_labels(std::string(63, 'a') + ".example"));
  // A U-label whose A-label passes 63 octets.
  // 59 octets as a U-label, over 63 as an A-label ("xn--" + 59 + "-" + the delta).
  EXPECT_FALSE(to_a_labels(std::string(58, 'a') + "ü.example"));
  EXPECT_TRUE(to_a_labels(std::string(54, 'a') + "ü.example"));
  std::string long_name;
  for (int i = 0; i < 64; ++i) long_name += "abc.";
  EXPECT_FALSE(to_a_labels(long_name + "com"));
}

}  // namespace
}  // namespace auth::dmarc
