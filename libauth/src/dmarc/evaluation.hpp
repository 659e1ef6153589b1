// The state of one DMARC evaluation for one Author Domain: its DNS answers, the author's walk,
// and the Organizational Domains that alignment needs, each found at most once.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <auth/dmarc.hpp>

#include "dmarc/walk.hpp"

namespace auth::dmarc {

// Alignment with a DNS failure in the way may be unknown (RFC 9989 §5.3.6: temperror when it
// decides the verdict).
enum class Aligned { No, Yes, Unknown };

class Evaluation {
 public:
  // `author` (lower case, A-labels) must outlive this object.
  Evaluation(dns::Resolver& resolver, const EvaluatorOptions& options, std::string_view author);

  Lookups& lookups() { return lookups_; }
  TreeWalk& author_walk() { return author_walk_; }
  std::string_view author() const { return author_; }

  // The author's Organizational Domain, completing its walk if needed; nullopt when a DNS
  // failure leaves it open.
  std::optional<std::string_view> author_org_domain();
  // The Organizational Domain of any other name (lower case, A-labels); nullopt likewise.
  std::optional<std::string> org_domain(std::string_view name);
  // Identifier Alignment of `identifier` with the Author Domain (RFC 9989 §4.4, §4.10.2).
  Aligned aligned(std::string_view identifier, AlignmentMode mode);
  // The first DNS failure that left an Organizational Domain open (reason, code).
  const std::optional<std::pair<std::string, ReasonCode>>& failure() const { return failure_; }

 private:
  Lookups lookups_;
  const PublicSuffixList* psl_;
  std::string_view author_;
  TreeWalk author_walk_;
  std::vector<std::pair<std::string, std::optional<std::string>>> org_domains_;
  std::optional<std::pair<std::string, ReasonCode>> failure_;
};

// A DMARC fail accepted on the word of a trusted ARC sealer (EvaluatorOptions::
// trusted_arc_sealers): the chain passes and its oldest passing set was sealed by a trusted
// domain whose ARC-Authentication-Results say dmarc=pass for the Author Domain, or a dkim or spf
// pass aligned with it under `record`. Returns the explanation, or nullopt.
std::optional<std::string> trusted_forwarder(Evaluation& evaluation, const Record& record,
                                             const arc::ArcResult& arc,
                                             std::span<const std::string> trusted_sealers);

// One level lower (RFC 9989 §4.7 t=y): reject to quarantine, quarantine to none.
Policy lower(Policy policy);

// The name is `suffix` or lies below it (both lower case).
bool is_at_or_below(std::string_view name, std::string_view suffix);

}  // namespace auth::dmarc
