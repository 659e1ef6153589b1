// The test parsers read the stalwart samples in ../shared/conformance/dmarc the way stalwart's
// own parser did (its JSON beside each sample): ARF feedback reports field by field, aggregate
// reports (XML, and mail with a gzip or zip attachment) element by element. The same parsers
// then read what mailauth writes (aggregate_test.cpp, failure_test.cpp).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include <auth/report.hpp>

#include "report_test_support.hpp"
#include "test_parsers.hpp"

namespace auth::report_test {
namespace {

using nlohmann::json;

// Stalwart's enum names ("TrustedForwarder", "BodyHash") as RFC words ("trusted_forwarder").
std::string snake(const std::string& camel) {
  std::string out;
  for (std::size_t i = 0; i < camel.size(); ++i) {
    const char c = camel[i];
    if (std::isupper(static_cast<unsigned char>(c))) {
      if (i != 0) out.push_back('_');
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string words(const std::string& text) {  // "auth-failure" -> "auth_failure"
  std::string out = text;
  for (char& c : out)
    c = c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

json load_json(const std::filesystem::path& p) { return json::parse(read_file(p)); }

std::optional<std::string> opt(const json& j) {
  if (j.is_null()) return std::nullopt;
  return j.get<std::string>();
}

std::optional<std::string> first_field(const std::vector<std::pair<std::string, std::string>>& f,
                                       std::string_view name) {
  for (const auto& [n, v] : f)
    if (words(n) == words(std::string(name))) return v;
  return std::nullopt;
}
std::vector<std::string> all_fields(const std::vector<std::pair<std::string, std::string>>& f,
                                    std::string_view name) {
  std::vector<std::string> out;
  for (const auto& [n, v] : f)
    if (words(n) == words(std::string(name))) out.push_back(v);
  return out;
}

const MimeEntity* find_part(const MimeEntity& e, std::string_view type) {
  if (e.media_type() == type) return &e;
  for (const auto& p : e.parts)
    if (const auto* found = find_part(p, type)) return found;
  return nullptr;
}

std::vector<std::filesystem::path> samples(const std::string& folder, const std::string& ext) {
  std::vector<std::filesystem::path> out;
  const auto dir = conformance_dir() / folder;
  if (!std::filesystem::is_directory(dir)) return out;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ext) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(StalwartArfSamples, ParsedFieldByField) {
  const auto files = samples("stalwart-arf", ".eml");
  if (files.empty()) GTEST_SKIP() << "no stalwart ARF samples under " << conformance_dir();
  for (const auto& eml : files) {
    SCOPED_TRACE(eml.filename().string());
    const json want = load_json(std::filesystem::path(eml).replace_extension(".json"));
    const MimeEntity message = parse_mime(read_file(eml));
    const MimeEntity* report = find_part(message, "message/feedback-report");
    ASSERT_NE(report, nullptr);
    const auto f = parse_fields(report->body);
    EXPECT_EQ(words(first_field(f, "Feedback-Type").value_or("")), snake(want["feedback_type"]));
    EXPECT_EQ(first_field(f, "User-Agent"), opt(want["user_agent"]));
    EXPECT_EQ(std::stoi(first_field(f, "Version").value_or("0")), want["version"].get<int>());
    EXPECT_EQ(first_field(f, "Original-Mail-From"), opt(want["original_mail_from"]));
    EXPECT_EQ(first_field(f, "Original-Rcpt-To"), opt(want["original_rcpt_to"]));
    EXPECT_EQ(first_field(f, "Original-Envelope-Id"), opt(want["original_envelope_id"]));
    EXPECT_EQ(all_fields(f, "Reported-Domain"),
              want["reported_domain"].get<std::vector<std::string>>());
    EXPECT_EQ(all_fields(f, "Reported-Uri"), want["reported_uri"].get<std::vector<std::string>>());
    EXPECT_EQ(all_fields(f, "Authentication-Results"),
              want["authentication_results"].get<std::vector<std::string>>());
    std::optional<std::string> ip = first_field(f, "Source-IP");
    if (ip) ip = ip->substr(0, ip->find(' '));
    EXPECT_EQ(ip, opt(want["source_ip"]));
    EXPECT_EQ(std::stoi(first_field(f, "Incidents").value_or("1")), want["incidents"].get<int>());
    const std::string failure = first_field(f, "Auth-Failure").value_or("Unspecified");
    // RFC 6591 writes "bodyhash" where stalwart's enum says BodyHash.
    auto squeeze = [](std::string t) {
      t.erase(std::remove(t.begin(), t.end(), '_'), t.end());
      return t;
    };
    EXPECT_EQ(squeeze(words(failure)), squeeze(snake(want["auth_failure"])));
    EXPECT_EQ(first_field(f, "DKIM-Domain"), opt(want["dkim_domain"]));
    EXPECT_EQ(first_field(f, "DKIM-Identity"), opt(want["dkim_identity"]));
    EXPECT_EQ(first_field(f, "DKIM-Selector"), opt(want["dkim_selector"]));
    EXPECT_EQ(first_field(f, "DKIM-Canonicalized-Body"), opt(want["dkim_canonicalized_body"]));
    EXPECT_EQ(first_field(f, "SPF-DNS"), opt(want["spf_dns"]));
    EXPECT_EQ(words(first_field(f, "Identity-Alignment").value_or("Unspecified")),
              snake(want["identity_alignment"]));
    std::optional<std::string> mta = first_field(f, "Reporting-MTA");
    if (mta && mta->find(';') != std::string::npos)
      mta = collapse_whitespace(mta->substr(mta->find(';') + 1));
    EXPECT_EQ(mta, opt(want["reporting_mta"]));
    std::optional<std::string> arrival = first_field(f, "Arrival-Date");
    if (!arrival) arrival = first_field(f, "Received-Date");
    if (want["arrival_date"].is_null()) {
      EXPECT_FALSE(arrival);
    } else {
      ASSERT_TRUE(arrival);
      EXPECT_EQ(parse_date(*arrival), want["arrival_date"].get<std::int64_t>());
    }
    const MimeEntity* headers = find_part(message, "text/rfc822-headers");
    if (want["headers"].is_null()) {
      EXPECT_EQ(headers, nullptr);
    } else {
      ASSERT_NE(headers, nullptr);
      std::string body = headers->body;
      body.erase(std::remove(body.begin(), body.end(), '\r'), body.end());
      // The part ends where the blank line before the boundary starts.
      while (body.ends_with("\n\n")) body.pop_back();
      EXPECT_EQ(body, want["headers"].get<std::string>());
    }
  }
}

// One aggregate report compared with stalwart's reading of it.
void compare_feedback(const XmlNode& feedback, const json& want) {
  EXPECT_EQ(feedback.name, "feedback");
  const auto version = feedback.text_at("version");
  EXPECT_DOUBLE_EQ(version ? std::stod(*version) : 0.0, want["version"].get<double>());
  const json& meta = want["report_metadata"];
  EXPECT_EQ(feedback.text_at("report_metadata/org_name"), opt(meta["org_name"]));
  EXPECT_EQ(feedback.text_at("report_metadata/email"), opt(meta["email"]));
  EXPECT_EQ(feedback.text_at("report_metadata/extra_contact_info"),
            opt(meta["extra_contact_info"]));
  EXPECT_EQ(feedback.text_at("report_metadata/report_id"), opt(meta["report_id"]));
  EXPECT_EQ(std::stoll(feedback.text_at("report_metadata/date_range/begin").value_or("-1")),
            meta["date_range"]["begin"].get<std::int64_t>());
  EXPECT_EQ(std::stoll(feedback.text_at("report_metadata/date_range/end").value_or("-1")),
            meta["date_range"]["end"].get<std::int64_t>());
  const json& pp = want["policy_published"];
  EXPECT_EQ(feedback.text_at("policy_published/domain"), opt(pp["domain"]));
  for (const char* tag : {"p", "sp", "adkim", "aspf"}) {
    std::string got =
        feedback.text_at(std::string("policy_published/") + tag).value_or("unspecified");
    if (got == "r") got = "relaxed";
    if (got == "s") got = "strict";
    EXPECT_EQ(got, snake(pp[tag])) << tag;
  }
  EXPECT_EQ(feedback.text_at("policy_published/testing").value_or("n") == "y",
            pp["testing"].get<bool>());
  EXPECT_EQ(feedback.text_at("policy_published/fo"), opt(pp["fo"]));

  const auto records =
      feedback.child("record") ? feedback.all("record") : std::vector<const XmlNode*>{};
  ASSERT_EQ(records.size(), want["record"].size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    SCOPED_TRACE("record " + std::to_string(i));
    const XmlNode& r = *records[i];
    const json& w = want["record"][i];
    EXPECT_EQ(r.text_at("row/source_ip"), opt(w["row"]["source_ip"]));
    EXPECT_EQ(std::stoull(r.text_at("row/count").value_or("0")),
              w["row"]["count"].get<std::uint64_t>());
    const json& pe = w["row"]["policy_evaluated"];
    EXPECT_EQ(r.text_at("row/policy_evaluated/disposition").value_or(""), snake(pe["disposition"]));
    EXPECT_EQ(r.text_at("row/policy_evaluated/dkim").value_or(""), snake(pe["dkim"]));
    EXPECT_EQ(r.text_at("row/policy_evaluated/spf").value_or(""), snake(pe["spf"]));
    const auto reasons = r.child("row")->child("policy_evaluated")->all("reason");
    ASSERT_EQ(reasons.size(), pe["reason"].size());
    for (std::size_t k = 0; k < reasons.size(); ++k) {
      std::string type = reasons[k]->text_at("type").value_or("");
      // RFC 9990 dropped "forwarded" and "sampled_out"; a reader takes them as "other".
      if (type == "sampled_out" || type == "forwarded") type = "other";
      EXPECT_EQ(type, snake(pe["reason"][k]["type_"]));
      EXPECT_EQ(reasons[k]->text_at("comment"), opt(pe["reason"][k]["comment"]));
    }
    EXPECT_EQ(r.text_at("identifiers/header_from"), opt(w["identifiers"]["header_from"]));
    EXPECT_EQ(r.text_at("identifiers/envelope_from").value_or(""),
              w["identifiers"]["envelope_from"].is_null()
                  ? ""
                  : w["identifiers"]["envelope_from"].get<std::string>());
    EXPECT_EQ(r.text_at("identifiers/envelope_to"), opt(w["identifiers"]["envelope_to"]));
    const auto dkim = r.child("auth_results")->all("dkim");
    ASSERT_EQ(dkim.size(), w["auth_results"]["dkim"].size());
    for (std::size_t k = 0; k < dkim.size(); ++k) {
      const json& d = w["auth_results"]["dkim"][k];
      EXPECT_EQ(dkim[k]->text_at("domain"), opt(d["domain"]));
      EXPECT_EQ(dkim[k]->text_at("selector").value_or(""), d["selector"].get<std::string>());
      EXPECT_EQ(dkim[k]->text_at("result").value_or(""), snake(d["result"]));
    }
    const auto spf = r.child("auth_results")->all("spf");
    ASSERT_EQ(spf.size(), w["auth_results"]["spf"].size());
    for (std::size_t k = 0; k < spf.size(); ++k) {
      const json& s = w["auth_results"]["spf"][k];
      EXPECT_EQ(spf[k]->text_at("domain"), opt(s["domain"]));
      std::string scope = spf[k]->text_at("scope").value_or("unspecified");
      if (scope == "mfrom") scope = "mail_from";
      EXPECT_EQ(scope, snake(s["scope"]));
      EXPECT_EQ(spf[k]->text_at("result").value_or(""), snake(s["result"]));
    }
  }
}

TEST(StalwartFeedbackSamples, XmlParsedElementByElement) {
  const auto files = samples("stalwart-feedback", ".xml");
  if (files.empty()) GTEST_SKIP() << "no stalwart feedback samples under " << conformance_dir();
  for (const auto& xml : files) {
    SCOPED_TRACE(xml.filename().string());
    const XmlNode feedback = parse_xml(read_file(xml));
    compare_feedback(feedback, load_json(std::filesystem::path(xml).replace_extension(".json")));
  }
}

TEST(StalwartFeedbackSamples, MailWithCompressedReportsParsed) {
  const auto files = samples("stalwart-feedback", ".eml");
  if (files.empty()) GTEST_SKIP() << "no stalwart feedback samples under " << conformance_dir();
  for (const auto& eml : files) {
    SCOPED_TRACE(eml.filename().string());
    const MimeEntity message = parse_mime(read_file(eml));
    // The attachment: the part whose file name ends in .gz or .zip.
    const MimeEntity* attachment = nullptr;
    std::string file_name;
    std::vector<const MimeEntity*> todo{&message};
    while (!todo.empty()) {
      const MimeEntity* e = todo.back();
      todo.pop_back();
      for (const auto& p : e->parts) todo.push_back(&p);
      auto name = e->parameter("Content-Disposition", "filename");
      if (!name) name = e->parameter("Content-Type", "name");
      if (name && (name->ends_with(".gz") || name->ends_with(".zip"))) {
        attachment = e;
        file_name = *name;
      }
    }
    ASSERT_NE(attachment, nullptr);
    const std::string data = attachment->decoded_body();
    std::string xml;
    if (file_name.ends_with(".zip")) {
      auto inflated = unzip_first(data);
      ASSERT_TRUE(inflated);
      xml = *inflated;
    } else {
      auto inflated = dmarc::gzip_decompress(data);
      ASSERT_TRUE(inflated) << inflated.error().message;
      xml = *inflated;
    }
    compare_feedback(parse_xml(xml),
                     load_json(std::filesystem::path(eml).replace_extension(".json")));
  }
}

TEST(TestParsers, Rfc5322DatesWithObsoleteZones) {
  EXPECT_EQ(parse_date("Thu, 8 Mar 2005 14:00:00 EDT"), 1110304800);
  EXPECT_EQ(parse_date("Wed, 14 Apr 2010 12:15:31 -0700 (PDT)"), 1271272531);
  EXPECT_EQ(parse_date("8 Oct 2011 20:15:58 +0000 (GMT)"), 1318104958);
  EXPECT_FALSE(parse_date("yesterday"));
}

}  // namespace
}  // namespace auth::report_test
