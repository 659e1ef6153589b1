#include "dmarc/evaluation.hpp"

#include "dmarc/idna.hpp"

namespace auth::dmarc {
namespace {

const PublicSuffixList* psl_of(const EvaluatorOptions& options) {
  return options.discovery == DiscoveryMethod::Psl ? options.psl.get() : nullptr;
}

std::string_view last_label(std::string_view name) {
  const auto dot = name.rfind('.');
  return dot == std::string_view::npos ? name : name.substr(dot + 1);
}

}  // namespace

Policy lower(Policy policy) {
  switch (policy) {
    case Policy::Reject:
      return Policy::Quarantine;
    case Policy::Quarantine:
    case Policy::None:
      return Policy::None;
  }
  return Policy::None;
}

bool is_at_or_below(std::string_view name, std::string_view suffix) {
  if (name.size() == suffix.size()) return name == suffix;
  return name.size() > suffix.size() && name.ends_with(suffix) &&
         name[name.size() - suffix.size() - 1] == '.';
}

Evaluation::Evaluation(dns::Resolver& resolver, const EvaluatorOptions& options,
                       std::string_view author)
    : lookups_(resolver),
      psl_(psl_of(options)),
      author_(author),
      author_walk_(author, false, psl_) {}

std::optional<std::string_view> Evaluation::author_org_domain() {
  author_walk_.run(lookups_);
  if (author_walk_.temporary_failure()) {
    if (!failure_) failure_ = author_walk_.failure();
    return std::nullopt;
  }
  return author_walk_.organizational_domain();
}

std::optional<std::string> Evaluation::org_domain(std::string_view name) {
  if (name == author_) {
    auto od = author_org_domain();
    return od ? std::optional<std::string>(std::string(*od)) : std::nullopt;
  }
  for (const auto& [known, od] : org_domains_)
    if (known == name) return od;
  std::optional<std::string> od;
  if (psl_ != nullptr) {
    od = psl_->organizational_domain(name);
  } else {
    TreeWalk walk(name, false);
    walk.run(lookups_);
    if (walk.temporary_failure()) {
      if (!failure_) failure_ = walk.failure();
    } else {
      od = std::string(walk.organizational_domain());
    }
  }
  org_domains_.emplace_back(std::string(name), od);
  return od;
}

Aligned Evaluation::aligned(std::string_view identifier, AlignmentMode mode) {
  auto id = to_a_labels(identifier);
  if (!id) return Aligned::No;
  if (*id == author_) return Aligned::Yes;  // strict alignment, and relaxed needs no walk
  if (mode == AlignmentMode::Strict) return Aligned::No;
  // Equal Organizational Domains are a common suffix of both names.
  if (last_label(*id) != last_label(author_)) return Aligned::No;
  const auto author_od = author_org_domain();
  if (author_od && !is_at_or_below(*id, *author_od)) return Aligned::No;
  const auto id_od = org_domain(*id);
  if (id_od && !is_at_or_below(author_, *id_od)) return Aligned::No;
  if (!id_od || !author_od) return Aligned::Unknown;
  return *id_od == *author_od ? Aligned::Yes : Aligned::No;
}

}  // namespace auth::dmarc
