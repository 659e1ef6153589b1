// auth::MessageAuth: the per-message pipeline (docs/architecture.md). Fed the events an MTA sees,
// it runs SPF as soon as MAIL FROM is known, starts the DKIM, ARC and DMARC lookups at end of
// headers, hashes the body once for DKIM and ARC together, and gives one Verdict: SPF, every
// DKIM signature, the ARC chain, DMARC and the Authentication-Results header. The milter, the
// CLI, tests and benchmarks all feed it the same way.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <auth/arc.hpp>
#include <auth/authres.hpp>
#include <auth/clock.hpp>
#include <auth/dkim.hpp>
#include <auth/dmarc.hpp>
#include <auth/dns.hpp>
#include <auth/ip_address.hpp>
#include <auth/limits.hpp>
#include <auth/message.hpp>
#include <auth/spf.hpp>

namespace auth {

struct MessageAuthOptions {
  bool spf = true;                 // evaluate SPF when connect() gave a client address
  spf::CheckerOptions spf_checker;  // %{r} receiving host, default explanation
  bool arc = true;                 // validate the ARC chain
  bool allow_rsa_sha1 = false;     // RFC 8301: rsa-sha1 signatures are not valid (policy)
  // Hash variants of a failing body to explain the mismatch (costs a body copy up to 64 KiB):
  // on in the CLI, off in the milter.
  bool diagnose_body_mismatch = false;
  dmarc::EvaluatorOptions dmarc;
};

// What every message of a process shares: DNS, caches, limits and settings. Immutable after
// construction and thread-safe; the resolver and clock must outlive it.
class MessageAuthContext {
 public:
  MessageAuthContext(dns::Resolver& resolver, const Clock& clock, const Limits& limits = {},
                     MessageAuthOptions options = {});
  ~MessageAuthContext();
  MessageAuthContext(const MessageAuthContext&) = delete;
  MessageAuthContext& operator=(const MessageAuthContext&) = delete;

  dns::Resolver& resolver() const { return resolver_; }
  const Clock& clock() const { return clock_; }
  const Limits& limits() const { return limits_; }
  const MessageAuthOptions& options() const { return options_; }
  dkim::KeyCache& key_cache() const { return *key_cache_; }
  const spf::Checker& spf_checker() const { return *spf_checker_; }
  const dmarc::Evaluator& dmarc_evaluator() const { return *dmarc_; }

 private:
  dns::Resolver& resolver_;
  const Clock& clock_;
  Limits limits_;
  MessageAuthOptions options_;
  std::unique_ptr<dkim::KeyCache> key_cache_;
  std::unique_ptr<spf::Checker> spf_checker_;
  std::unique_ptr<dmarc::Evaluator> dmarc_;
};

// The SMTP envelope of one message, as the events gave it.
struct Envelope {
  std::optional<IpAddress> client_ip;  // absent: unknown (a unix-socket client, a saved file)
  std::string client_name;             // the client's host name as the MTA reports it
  std::string helo;
  std::optional<std::string> mail_from;  // the reverse-path; "" for the null path; absent: none
  std::vector<std::string> rcpt_to;
};

struct Verdict {
  Envelope envelope;
  // The MAIL FROM identity (the HELO identity for a null reverse-path); absent when SPF was not
  // evaluated (no client address, or no MAIL FROM).
  std::optional<spf::SpfResult> spf;
  std::vector<dkim::DkimResult> dkim;  // one per DKIM-Signature, topmost first
  arc::ArcResult arc;
  dmarc::DmarcResult dmarc;

  // A DNS failure left the DKIM or DMARC verdict open (the milter's on_temperror).
  bool temporary_failure() const;
  // The Authentication-Results of this verdict (RFC 8601): spf, dkim (each), arc, dmarc.
  authres::AuthenticationResults authentication_results_value(std::string_view authserv_id) const;
  // The same as a header field value: starting with a space, folded at 78 columns with CRLF TAB.
  std::string authentication_results(std::string_view authserv_id) const;
  // The payload for this hop's ARC-Authentication-Results ("authserv-id; spf=...; dkim=...").
  std::string arc_authentication_results(std::string_view authserv_id) const;
};

// One message. Feed the events in order; every event is optional except end_of_message (a saved
// file has no envelope). Never throws for anything the message or DNS contains.
class MessageAuth final : public message::MessageHandler {
 public:
  explicit MessageAuth(const MessageAuthContext& context);
  ~MessageAuth() override;
  MessageAuth(MessageAuth&&) noexcept;
  MessageAuth& operator=(MessageAuth&&) = delete;

  void connect(std::optional<IpAddress> client_ip, std::string_view client_name = {});
  void helo(std::string_view name);
  // The reverse-path as given to MAIL FROM, with or without angle brackets; "" or "<>" for the
  // null path. SPF runs here.
  void mail_from(std::string_view reverse_path);
  void rcpt_to(std::string_view forward_path);
  void header(std::string_view name, std::string_view raw_value);
  void header(const message::HeaderField& field) override { header(field.name, field.raw_value); }
  void end_of_headers() override;
  void body(std::string_view chunk) override;  // CRLF line endings, any split
  // MessageHandler's end of message: does nothing; call finish() for the verdict.
  void end_of_message() override {}
  // Verifies, evaluates and returns the verdict. Call once.
  Verdict finish();

  // The header fields received so far (one copy, shared by DKIM and ARC).
  const message::HeaderList& headers() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace auth
