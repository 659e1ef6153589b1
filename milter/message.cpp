#include "message.hpp"

#include <algorithm>
#include <ranges>

#include <auth/authres.hpp>
#include <auth/domain_name.hpp>
#include <auth/spf.hpp>

namespace mailauth::milter {
namespace {

// The From domains of a header block, for choosing signers; empty when there is no usable
// From (libauth decides what that means for DMARC).
std::vector<std::string> from_domains(const auth::message::HeaderList& headers,
                                      const auth::Limits& limits) {
  std::vector<std::string> values;
  for (const auth::message::HeaderField& field : headers.fields())
    if (field.is("From")) values.push_back(field.raw_value);
  auto domains = auth::dmarc::author_domains(values, limits);
  return domains ? std::move(*domains) : std::vector<std::string>{};
}

void append_summary(std::string& out, std::string_view text) {
  if (!out.empty()) out += ' ';
  out += text;
}

std::string verdict_summary(const auth::Verdict& v) {
  std::string out;
  if (v.spf)
    append_summary(out,
                   "spf=" + std::string(auth::spf::to_string(v.spf->result)) + ":" + v.spf->domain);
  if (v.dkim.empty()) append_summary(out, "dkim=none");
  for (const auth::dkim::DkimResult& r : v.dkim)
    append_summary(out, "dkim=" + std::string(auth::dkim::to_string(r.result)) + ":" +
                            (r.domain.empty() ? "-" : r.domain));
  append_summary(out, "arc=" + std::string(auth::arc::to_string(v.arc.result)));
  append_summary(out, "dmarc=" + std::string(auth::dmarc::to_string(v.dmarc.result)) + ":" +
                          (v.dmarc.author_domain.empty() ? "-" : v.dmarc.author_domain));
  if (v.dmarc.result == auth::dmarc::Result::Fail && v.dmarc.policy)
    out += "(" + std::string(auth::dmarc::to_string(*v.dmarc.policy)) + ")";
  return out;
}

}  // namespace

Message::Message(std::shared_ptr<const Runtime> runtime, const Client& client,
                 std::string_view mail_from, bool leading_space)
    : runtime_(std::move(runtime)),
      direction_(direction_of(runtime_->config, client.authenticated, client.ip)),
      leading_space_(leading_space),
      passthrough_(direction_ == Direction::Inbound && runtime_->config.mode == Mode::Sign),
      outbound_headers_(runtime_->limits) {
  if (passthrough_ || direction_ == Direction::Outbound) return;
  auth_.emplace(*runtime_->auth);
  auth_->connect(client.ip, client.host);
  auth_->helo(client.helo);
  auth_->mail_from(mail_from);
  if (runtime_->sealer) {
    auto sealer = auth::arc::Sealer::create(*runtime_->sealer, runtime_->clock, runtime_->limits);
    if (sealer) sealer_.emplace(std::move(*sealer));  // the keys were checked at start
  }
}

Message::~Message() = default;

void Message::rcpt_to(std::string_view address) {
  if (auth_) auth_->rcpt_to(address);
}

void Message::header(std::string_view name, std::string_view value) {
  if (passthrough_ || headers_done_) return;
  // Without SMFIP_HDR_LEADSPC the MTA strips the space after the colon; one space is what
  // nearly every sender writes, so restore it for `simple` canonicalization.
  std::string raw_value = leading_space_ ? "" : " ";
  raw_value += auth::message::normalize_folding(value);
  if (auth_) auth_->header(name, raw_value);
  if (sealer_) sealer_->header(name, raw_value);
  if (direction_ == Direction::Outbound) outbound_headers_.add(name, raw_value);
}

void Message::start_signer() {
  const std::vector<std::string> domains = from_domains(outbound_headers_, runtime_->limits);
  if (domains.empty()) {
    signer_problem_ = "no usable From field";
    return;
  }
  std::vector<auth::dkim::SignerOptions> options;
  for (const std::string& domain : domains)
    for (auth::dkim::SignerOptions& o : runtime_->signers_for(domain)) {
      const bool known = std::any_of(options.begin(), options.end(), [&](const auto& have) {
        return have.domain == o.domain && have.selector == o.selector;
      });
      if (!known) options.push_back(std::move(o));
    }
  if (options.empty()) {
    signer_problem_ = "no signer for " + domains.front();
    return;
  }
  auto signer =
      auth::dkim::Signer::create(options, runtime_->clock, runtime_->limits, &outbound_headers_);
  if (!signer) {
    signer_problem_ = signer.error().message;
    return;
  }
  signer_.emplace(std::move(*signer));
  signer_->end_of_headers();
  // finish() returns the signatures in the order of `options`.
  for (const auth::dkim::SignerOptions& o : options)
    append_summary(signed_by_, auth::to_lower(o.domain) + "/" + auth::to_lower(o.selector));
}

void Message::end_of_headers() {
  if (headers_done_) return;
  headers_done_ = true;
  if (auth_) auth_->end_of_headers();
  if (sealer_) sealer_->end_of_headers();
  if (direction_ == Direction::Outbound && !passthrough_) start_signer();
}

void Message::body(std::string_view chunk) {
  if (passthrough_) return;
  if (!headers_done_) end_of_headers();
  body_chunk_.clear();
  body_normalizer_.feed(chunk, body_chunk_);
  if (auth_) auth_->body(body_chunk_);
  if (sealer_) sealer_->body(body_chunk_);
  if (signer_) signer_->body(body_chunk_);
}

std::string Message::milter_value(std::string_view raw_value) const {
  // libmilter takes folded values with LF; with SMFIP_HDR_LEADSPC the space after the colon is
  // ours to give, otherwise the MTA adds it.
  if (!leading_space_ && raw_value.starts_with(' ')) raw_value.remove_prefix(1);
  std::string out;
  out.reserve(raw_value.size());
  for (std::size_t i = 0; i < raw_value.size(); ++i)
    if (!(raw_value[i] == '\r' && i + 1 < raw_value.size() && raw_value[i + 1] == '\n'))
      out.push_back(raw_value[i]);
  return out;
}

Outcome Message::end_of_message(std::string_view queue_id) {
  if (!headers_done_) end_of_headers();
  if (passthrough_) {
    Outcome out;
    out.summary = "not checked (inbound mail in sign mode)";
    return out;
  }
  return direction_ == Direction::Outbound ? finish_outbound() : finish_inbound(queue_id);
}

Outcome Message::finish_inbound(std::string_view queue_id) {
  const Config& config = runtime_->config;
  Outcome out;
  out.direction = Direction::Inbound;
  out.verdict = auth_->finish();
  const auth::Verdict& verdict = *out.verdict;

  // RFC 8601 §5: fields that claim our authserv-id came from outside; remove them, last first so
  // that the earlier indexes stay valid.
  std::vector<int> forged;
  int occurrence = 0;
  for (const auth::message::HeaderField& field : auth_->headers().fields()) {
    if (!field.is("Authentication-Results")) continue;
    ++occurrence;
    if (auth::authres::claims_authserv_id(field.raw_value, config.authserv_id))
      forged.push_back(occurrence);
  }
  for (const auto occurrence_to_delete : std::views::reverse(forged))
    out.edits.push_back(
        {HeaderEdit::Kind::Delete, "Authentication-Results", "", occurrence_to_delete});

  // Inserted at the top one after the other, so the last inserted ends up first: the ARC set,
  // then our Authentication-Results, then Received-SPF.
  if (config.add_received_spf && verdict.spf)
    out.edits.push_back(
        {HeaderEdit::Kind::Insert, "Received-SPF",
         milter_value(" " + auth::spf::received_spf(*verdict.spf, config.authserv_id)), 0});
  out.edits.push_back({HeaderEdit::Kind::Insert, "Authentication-Results",
                       milter_value(verdict.authentication_results(config.authserv_id)), 0});
  if (sealer_ && verdict.arc.result != auth::arc::ChainResult::TempError) {
    auth::arc::SealInput input;
    input.validation = &verdict.arc;
    const std::string payload = verdict.arc_authentication_results(config.authserv_id);
    input.authentication_results = payload;
    auto set = sealer_->finish(input);
    if (set) {
      for (const auto& field : std::views::reverse(*set))
        out.edits.push_back(
            {HeaderEdit::Kind::Insert, field.name, milter_value(field.raw_value), 0});
    } else {
      append_summary(out.summary, "not sealed: " + set.error().message);
    }
  }

  // Every evaluated message counts in the reports, also those refused below (RFC 9990 §2.1).
  if (runtime_->reporting)
    runtime_->reporting->report(ReportedMessage{
        &verdict, std::string(queue_id), verdict.arc_authentication_results(config.authserv_id),
        &auth_->headers().fields()});

  Action action = decide(config, verdict);
  if (config.dry_run && action.kind != Action::Kind::Accept) {
    out.dry_run_action = action;
    action = Action{};
    action.why = "dry_run";
  }
  out.action = std::move(action);
  std::string summary = verdict_summary(verdict);
  if (!out.summary.empty()) summary += " " + out.summary;
  out.summary = std::move(summary);
  return out;
}

Outcome Message::finish_outbound() {
  const Config& config = runtime_->config;
  Outcome out;
  out.direction = Direction::Outbound;
  if (!signer_) {
    out.summary = "not signed: " + signer_problem_;
    if (signer_problem_ == "no usable From field" && config.on_bad_from == BadFromAction::Reject) {
      out.action = Action{Action::Kind::Reject, "550", "5.7.1",
                          "Message refused: no usable From field (RFC 5322 requires exactly one)",
                          "bad_from"};
      if (config.dry_run) {
        out.dry_run_action = out.action;
        out.action = Action{};
        out.action.why = "dry_run";
      }
    }
    return out;
  }
  auto signatures = signer_->finish();
  if (!signatures) {
    out.summary = "not signed: " + signatures.error().message;
    return out;
  }
  for (const auto& field : std::views::reverse(*signatures))
    out.edits.push_back({HeaderEdit::Kind::Insert, field.name, milter_value(field.raw_value), 0});
  out.summary = "signed " + signed_by_;
  return out;
}

}  // namespace mailauth::milter
