// ARC chains sealed by dkimpy and Mail::DKIM validate with us, chains we seal validate with
// them, and a chain altered after sealing fails with all three. The other implementations run
// as child processes (arc_dkimpy.py, arc_maildkim.pl) on CRLF files; DNS comes from a file.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "../arc/arc_test_support.hpp"

namespace auth::arc::testing {
namespace {

namespace fs = std::filesystem;

struct ChildRun {
  int status = -1;
  std::string out;
  std::string err;
};

class ArcInterop : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() /
                        ("mailauth-arc-interop-" + std::to_string(::getpid())));
    fs::create_directories(*dir_);
  }
  static void TearDownTestSuite() {
    std::error_code ignored;
    fs::remove_all(*dir_, ignored);
    delete dir_;
  }

  void SetUp() override {
    ASSERT_TRUE(rsa_key());
    const std::string record = key_record(*rsa_key());
    std::ofstream dns(*dir_ / "dns.txt", std::ios::binary);
    for (const char* name :
         {"py._domainkey.py.example", "pl._domainkey.pl.example", "us._domainkey.us.example"}) {
      dns << name << ' ' << record << '\n';
      resolver_.add_txt(name, record);
    }
  }

  static ChildRun run(const std::string& command, const std::string& input) {
    const fs::path in = *dir_ / "in.eml", out = *dir_ / "out.eml", err = *dir_ / "err.txt";
    std::ofstream(in, std::ios::binary) << input;
    const std::string line =
        command + " < '" + in.string() + "' > '" + out.string() + "' 2> '" + err.string() + "'";
    const int raw = std::system(line.c_str());
    ChildRun r;
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    r.out = read_file(out.string());
    r.err = read_file(err.string());
    return r;
  }
  static std::string script(const char* name) {
    return std::string(MAILAUTH_INTEROP_DIR) + "/" + name;
  }
  static std::string python() { return "/usr/bin/python3 '" + script("arc_dkimpy.py") + "'"; }
  static std::string perl() { return "/usr/bin/perl '" + script("arc_maildkim.pl") + "'"; }
  static std::string dns_file() { return (*dir_ / "dns.txt").string(); }

  // Skips the test when a tool is not installed (status 77 from its driver).
  bool available(const std::string& tool) {
    const ChildRun r = run(tool + " verify '" + dns_file() + "'", sample_message());
    if (r.status == 77 || r.status == 127) return false;
    return r.status == 0;
  }

  // One hop by another implementation: it reads our A-R stamp (arc=<result>) and seals.
  std::string their_hop(const std::string& tool, const std::string& domain,
                        const std::string& selector, const std::string& text) {
    const ArcResult incoming = validate(resolver_, clock_, text);
    // One authserv-id per hop: dkimpy merges every A-R of its authserv-id into the AAR.
    const std::string srv_id = "hop" + std::to_string(incoming.instances + 1) + "." + domain;
    const std::string stamped = "Authentication-Results: " + srv_id +
                                "; arc=" + std::string(to_string(incoming.result)) + "\r\n" + text;
    const ChildRun r =
        run(tool + " seal " + domain + " " + selector + " '" + std::string(MAILAUTH_TESTDATA) +
                "/keys/rsa2048.pkcs1.pem' " + srv_id + " '" + dns_file() + "'",
            stamped);
    EXPECT_EQ(r.status, 0) << tool << ": " << r.err;
    return r.out;
  }
  std::string our_hop(const std::string& text) {
    return seal_hop(resolver_, clock_, text, SealingKey{"us.example", "us", rsa_key(), {}},
                    "hop.us.example");
  }
  std::string their_verdict(const std::string& tool, const std::string& text) {
    const ChildRun r = run(tool + " verify '" + dns_file() + "'", text);
    EXPECT_EQ(r.status, 0) << r.err;
    return r.out.substr(0, r.out.find('\n')) +
           (r.err.empty() ? "" : " (" + r.err.substr(0, r.err.find('\n')) + ")");
  }

  TxtResolver resolver_;
  SystemClock clock_;  // the other tools stamp t= with the real time
  static fs::path* dir_;
};

fs::path* ArcInterop::dir_ = nullptr;

TEST_F(ArcInterop, DkimpyChainsValidateWithUs) {
  if (!available(python())) GTEST_SKIP() << "python3-dkim (with python3-authres) not installed";
  std::string text = sample_message();
  for (unsigned n = 1; n <= 3; ++n) {
    text = their_hop(python(), "py.example", "py", text);
    const ArcResult r = validate(resolver_, clock_, text);
    EXPECT_EQ(r.result, ChainResult::Pass) << n << " sets: " << r.reason;
    EXPECT_EQ(r.instances, n);
  }
}

TEST_F(ArcInterop, MailDkimChainsValidateWithUs) {
  if (!available(perl())) GTEST_SKIP() << "libmail-dkim-perl not installed";
  std::string text = sample_message();
  for (unsigned n = 1; n <= 3; ++n) {
    text = their_hop(perl(), "pl.example", "pl", text);
    const ArcResult r = validate(resolver_, clock_, text);
    EXPECT_EQ(r.result, ChainResult::Pass) << n << " sets: " << r.reason;
    EXPECT_EQ(r.instances, n);
  }
}

TEST_F(ArcInterop, OurChainsValidateWithThem) {
  const bool py = available(python()), pl = available(perl());
  if (!py && !pl) GTEST_SKIP() << "neither python3-dkim nor libmail-dkim-perl installed";
  std::string text = sample_message();
  for (unsigned n = 1; n <= 3; ++n) {
    text = our_hop(text);
    if (py) {
      EXPECT_EQ(their_verdict(python(), text).substr(0, 4), "pass")
          << n << ": " << their_verdict(python(), text);
    }
    if (pl) {
      EXPECT_EQ(their_verdict(perl(), text).substr(0, 4), "pass")
          << n << ": " << their_verdict(perl(), text);
    }
  }
}

TEST_F(ArcInterop, MixedChainAndAlterationAfterSealing) {
  const bool py = available(python()), pl = available(perl());
  if (!py || !pl) GTEST_SKIP() << "needs both python3-dkim and libmail-dkim-perl";
  std::string text = their_hop(python(), "py.example", "py", sample_message());
  text = our_hop(text);
  text = their_hop(perl(), "pl.example", "pl", text);
  ArcResult r = validate(resolver_, clock_, text);
  EXPECT_EQ(r.result, ChainResult::Pass) << r.reason;
  EXPECT_EQ(r.instances, 3u);
  EXPECT_EQ(their_verdict(python(), text).substr(0, 4), "pass") << their_verdict(python(), text);
  EXPECT_EQ(their_verdict(perl(), text).substr(0, 4), "pass") << their_verdict(perl(), text);

  std::string altered = text;
  altered.replace(altered.find("a few lines"), 11, "a few LINES");
  r = validate(resolver_, clock_, altered);
  EXPECT_EQ(r.result, ChainResult::Fail);
  EXPECT_EQ(their_verdict(python(), altered).substr(0, 4), "fail")
      << their_verdict(python(), altered);
  EXPECT_EQ(their_verdict(perl(), altered).substr(0, 4), "fail") << their_verdict(perl(), altered);

  std::string resealed = text;  // a header of the oldest set changed: the seals break
  resealed.replace(resealed.find("i=1; hop1.py.example; arc=none"), 30,
                   "i=1; hop1.py.example; arc=pass");
  r = validate(resolver_, clock_, resealed);
  EXPECT_EQ(r.result, ChainResult::Fail);
  EXPECT_EQ(their_verdict(python(), resealed).substr(0, 4), "fail")
      << their_verdict(python(), resealed);
  EXPECT_EQ(their_verdict(perl(), resealed).substr(0, 4), "fail")
      << their_verdict(perl(), resealed);
}

}  // namespace
}  // namespace auth::arc::testing
