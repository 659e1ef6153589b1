// The per-message pipeline (docs/architecture.md): SPF at MAIL FROM; DKIM, ARC and DMARC lookups
// started at end of headers so that DNS overlaps the body transfer; one body pass shared by DKIM
// and ARC; the verdict at the end.
#include <auth/domain_name.hpp>
#include <auth/message_auth.hpp>

namespace auth {

struct MessageAuth::Impl {
  explicit Impl(const MessageAuthContext& c)
      : context(c),
        headers(c.limits()),
        verifier(c.resolver(), c.clock(), c.limits(), verify_options(c, bodies)),
        validator(c.resolver(), c.clock(), c.limits(), validator_options(c, bodies)) {}

  static dkim::VerifyOptions verify_options(const MessageAuthContext& c,
                                            dkim::BodyHashSet& bodies) {
    dkim::VerifyOptions o;
    o.allow_rsa_sha1 = c.options().allow_rsa_sha1;
    o.diagnose_body_mismatch = c.options().diagnose_body_mismatch;
    o.key_cache = &c.key_cache();
    o.shared_body_hashes = &bodies;
    return o;
  }
  static arc::ValidatorOptions validator_options(const MessageAuthContext& c,
                                                 dkim::BodyHashSet& bodies) {
    arc::ValidatorOptions o;
    o.key_cache = &c.key_cache();
    o.shared_body_hashes = &bodies;
    return o;
  }

  const MessageAuthContext& context;
  Envelope envelope;
  std::optional<spf::SpfResult> spf;
  message::HeaderList headers;
  dkim::BodyHashSet bodies;  // declared before the verifiers that point to it
  dkim::Verifier verifier;
  arc::Validator validator;
  std::vector<std::string> from_values;
  bool headers_done = false;
  bool finished = false;
};

MessageAuth::MessageAuth(const MessageAuthContext& context)
    : impl_(std::make_unique<Impl>(context)) {}
MessageAuth::~MessageAuth() = default;
MessageAuth::MessageAuth(MessageAuth&&) noexcept = default;

const message::HeaderList& MessageAuth::headers() const { return impl_->headers; }

void MessageAuth::connect(std::optional<IpAddress> client_ip, std::string_view client_name) {
  impl_->envelope.client_ip = client_ip ? std::optional(client_ip->unmapped()) : std::nullopt;
  impl_->envelope.client_name = client_name;
}

void MessageAuth::helo(std::string_view name) { impl_->envelope.helo = name; }

void MessageAuth::mail_from(std::string_view reverse_path) {
  Impl& m = *impl_;
  m.envelope.mail_from = std::string(reverse_path);
  m.spf.reset();
  if (!m.context.options().spf || !m.envelope.client_ip) return;
  m.spf = m.context.spf_checker().check_mail_from(*m.envelope.client_ip, reverse_path,
                                                  m.envelope.helo);
}

void MessageAuth::rcpt_to(std::string_view forward_path) {
  impl_->envelope.rcpt_to.emplace_back(forward_path);
}

void MessageAuth::header(std::string_view name, std::string_view raw_value) {
  Impl& m = *impl_;
  if (m.headers_done) return;
  if (!m.headers.add(name, raw_value)) return;
  const message::HeaderField& field = m.headers.fields().back();
  m.verifier.header(field);
  if (m.context.options().arc) m.validator.header(field);
  if (field.is("From")) m.from_values.push_back(field.raw_value);
}

void MessageAuth::end_of_headers() {
  Impl& m = *impl_;
  if (m.headers_done) return;
  m.headers_done = true;
  m.verifier.end_of_headers();
  if (m.context.options().arc) m.validator.end_of_headers();
  // The policy record lookup overlaps the body transfer too.
  if (auto domains = dmarc::author_domains(m.from_values, m.context.limits()))
    for (const std::string& domain : *domains) m.context.dmarc_evaluator().prefetch(domain);
}

void MessageAuth::body(std::string_view chunk) {
  Impl& m = *impl_;
  if (!m.headers_done) end_of_headers();
  m.verifier.body(chunk);
  if (m.context.options().arc) m.validator.body(chunk);
}

Verdict MessageAuth::finish() {
  Impl& m = *impl_;
  Verdict verdict;
  if (m.finished) return verdict;
  m.finished = true;
  if (!m.headers_done) end_of_headers();
  verdict.envelope = m.envelope;
  verdict.spf = m.spf;
  verdict.dkim = m.verifier.finish();
  if (m.context.options().arc) verdict.arc = m.validator.finish();

  dmarc::Identifiers ids;
  if (verdict.spf) ids.spf = dmarc::spf_identity(*verdict.spf);
  ids.dkim.reserve(verdict.dkim.size());
  for (const dkim::DkimResult& r : verdict.dkim) ids.dkim.push_back(dmarc::dkim_identity(r));
  ids.arc = &verdict.arc;
  verdict.dmarc = m.context.dmarc_evaluator().evaluate(m.from_values, ids);
  ids.arc = nullptr;
  return verdict;
}

}  // namespace auth
