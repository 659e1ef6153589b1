// One message through the milter's adapter: libmilter's values in, header edits and an action
// out, over a runtime answering DNS from testdata/milter/lab.zone.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <auth/crypto.hpp>
#include <auth/dkim.hpp>

#include "message.hpp"
#include "session.hpp"

namespace mailauth::milter {
namespace {

const std::string testdata = MAILAUTH_TESTDATA;

// A 0600 copy of a test key (git keeps 0644).
std::string private_key_copy(const std::string& name) {
  const std::string path =
      "/tmp/mailauth-message-test-" + std::to_string(getpid()) + "-" + name + ".pem";
  std::filesystem::copy_file(testdata + "/keys/" + name + ".pkcs8.pem", path,
                             std::filesystem::copy_options::overwrite_existing);
  chmod(path.c_str(), 0600);
  return path;
}

std::shared_ptr<const Runtime> runtime(Config config) {
  config.dns_zone = testdata + "/milter/lab.zone";
  config.authserv_id = "mx.example.net";
  auto built = build_runtime(config);
  if (!built) {
    ADD_FAILURE() << built.error().front().text();
    return nullptr;
  }
  return *built;
}

struct Field {
  std::string name, value;
};

// Feeds a message as libmilter would (values with their leading space, LF folding).
Outcome run(const std::shared_ptr<const Runtime>& rt, const Client& client,
            const std::string& mail_from, const std::vector<Field>& fields,
            const std::string& body) {
  Message m(rt, client, mail_from, true);
  m.rcpt_to("<bob@mx.example.net>");
  for (const Field& f : fields) m.header(f.name, f.value);
  m.end_of_headers();
  for (std::size_t i = 0; i < body.size(); i += 5) m.body(std::string_view(body).substr(i, 5));
  return m.end_of_message();
}

const std::vector<Field> message_fields = {
    {"From", " Alice <alice@sender.example>"},
    {"To", " bob@mx.example.net"},
    {"Subject", " adapter test"},
    {"Authentication-Results", " MX.EXAMPLE.NET; dkim=pass header.d=forged.example"},
    {"Authentication-Results", " other.example; spf=pass smtp.mailfrom=a@b.example"},
    {"Authentication-Results", " (c) mx.example.net ; dmarc=pass"},
};
const std::string message_body = "Hello.\nSecond line.\n";

Client external() {
  Client c;
  c.ip = auth::IpAddress::parse("203.0.113.5").value();
  c.host = "mail.sender.example";
  c.helo = "mail.sender.example";
  return c;
}

TEST(MilterMessage, InboundResultsReplaceForgedOnes) {
  Config config;
  config.add_received_spf = true;
  const auto rt = runtime(config);
  ASSERT_TRUE(rt);
  const Outcome out = run(rt, external(), "<alice@sender.example>", message_fields, message_body);
  EXPECT_EQ(out.direction, Direction::Inbound);
  ASSERT_TRUE(out.verdict);
  EXPECT_EQ(out.verdict->dmarc.result, auth::dmarc::Result::Pass);  // SPF aligns
  ASSERT_EQ(out.edits.size(), 4u);
  // Forged fields deleted last first; the foreign one (occurrence 2) stays.
  EXPECT_EQ(out.edits[0].kind, HeaderEdit::Kind::Delete);
  EXPECT_EQ(out.edits[0].index, 3);
  EXPECT_EQ(out.edits[1].index, 1);
  EXPECT_EQ(out.edits[2].name, "Received-SPF");
  EXPECT_EQ(out.edits[2].value.rfind(" pass ", 0), 0u) << out.edits[2].value;
  EXPECT_EQ(out.edits[3].name, "Authentication-Results");
  EXPECT_EQ(out.edits[3].index, 0);
  EXPECT_EQ(out.edits[3].value.rfind(" mx.example.net;", 0), 0u) << out.edits[3].value;
  EXPECT_EQ(out.edits[3].value.find('\r'), std::string::npos) << "libmilter takes LF folding";
  EXPECT_NE(out.edits[3].value.find("spf=pass"), std::string::npos);
  EXPECT_NE(out.edits[3].value.find("dmarc=pass"), std::string::npos);
  EXPECT_EQ(out.action.kind, Action::Kind::Accept);
}

TEST(MilterMessage, OutboundIsSignedByEveryMatchingSigner) {
  Config config;
  config.mode = Mode::Both;
  const std::string rsa = private_key_copy("rsa2048");
  const std::string ed = private_key_copy("ed25519");
  config.signers = {{"internal.example", "out", rsa, "test"},
                    {"internal.example", "ed", ed, "test"},
                    {"other.example", "x", rsa, "test"}};
  const auto rt = runtime(config);
  ASSERT_TRUE(rt);
  Client laptop;
  laptop.ip = auth::IpAddress::parse("127.0.0.1").value();
  std::vector<Field> fields = {{"From", " Carol <carol@sub.internal.example>"},
                               {"To", " x@elsewhere.example"},
                               {"Subject", " hi"}};
  const Outcome out = run(rt, laptop, "<carol@sub.internal.example>", fields, message_body);
  EXPECT_EQ(out.direction, Direction::Outbound);
  ASSERT_EQ(out.edits.size(), 2u);
  for (const HeaderEdit& e : out.edits) {
    EXPECT_EQ(e.name, "DKIM-Signature");
    EXPECT_EQ(e.index, 0);
  }
  // Both verify against the zone, over the message as it will be delivered.
  auto zone = auth::dns::ZoneResolver::from_file(testdata + "/milter/lab.zone").value();
  auth::SystemClock clock;
  auth::dkim::Verifier verifier(*zone, clock);
  for (auto it = out.edits.rbegin(); it != out.edits.rend(); ++it)
    verifier.header(it->name, auth::message::normalize_folding(it->value));
  for (const Field& f : fields) verifier.header(f.name, f.value);
  verifier.end_of_headers();
  verifier.body("Hello.\r\nSecond line.\r\n");
  const auto results = verifier.finish();
  ASSERT_EQ(results.size(), 2u);
  for (const auto& r : results) EXPECT_EQ(r.result, auth::dkim::Result::Pass) << r.reason;
  std::filesystem::remove(rsa);
  std::filesystem::remove(ed);
}

TEST(MilterMessage, OutboundWithoutFromFollowsOnBadFrom) {
  Config config;
  config.mode = Mode::Sign;
  const std::string rsa = private_key_copy("rsa2048");
  config.signers = {{"internal.example", "out", rsa, "test"}};
  Client laptop;
  laptop.authenticated = true;
  const std::vector<Field> no_from = {{"Subject", " no from"}};
  Outcome out = run(runtime(config), laptop, "<c@internal.example>", no_from, "x\n");
  EXPECT_EQ(out.action.kind, Action::Kind::Reject);
  config.on_bad_from = BadFromAction::Accept;
  out = run(runtime(config), laptop, "<c@internal.example>", no_from, "x\n");
  EXPECT_EQ(out.action.kind, Action::Kind::Accept);
  EXPECT_TRUE(out.edits.empty());
  // Inbound mail passes untouched in sign mode.
  out = run(runtime(config), external(), "<a@sender.example>", message_fields, "x\n");
  EXPECT_TRUE(out.edits.empty());
  EXPECT_FALSE(out.verdict);
  std::filesystem::remove(rsa);
}

TEST(MilterSession, OneMessageAtATimeAndLiveCount) {
  Config config;
  const auto rt = runtime(config);
  ASSERT_TRUE(rt);
  const std::size_t before = Session::live_count();
  {
    Session s;
    EXPECT_EQ(Session::live_count(), before + 1);
    s.client() = external();
    EXPECT_EQ(s.message(), nullptr);
    s.begin_message(rt, "<a@sender.example>").header("From", " a@sender.example");
    ASSERT_NE(s.message(), nullptr);
    s.begin_message(rt, "<b@sender.example>");  // MAIL again without end: the old one goes
    EXPECT_NE(s.message(), nullptr);
    s.end_message();
    EXPECT_EQ(s.message(), nullptr);
    EXPECT_EQ(s.messages(), 2u);
  }
  EXPECT_EQ(Session::live_count(), before);
}

}  // namespace
}  // namespace mailauth::milter
