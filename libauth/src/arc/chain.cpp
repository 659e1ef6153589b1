// ARC Set collection and chain structure (RFC 8617 §5.2 steps 1-3, §4.2.1). Each field is
// parsed once.
#include "arc/chain.hpp"

#include <auth/domain_name.hpp>

#include <array>

namespace auth::arc::detail {
namespace {

struct Found {
  FieldKind kind;
  unsigned instance;
  std::size_t field;
  Aar aar;  // parsed, for an ARC-Authentication-Results
};

Failure described(FieldKind kind, Failure failure) {
  failure.text = std::string(name_of(kind)) + ": " + failure.text;
  return failure;
}

// cv= of a seal whose full parse may fail, for step 2.
std::string seal_cv(std::string_view raw_value) {
  auto tags = dkim::parse_tag_list(raw_value);
  if (!tags) return {};
  const dkim::Tag* cv = dkim::find_tag(*tags, "cv");
  return cv == nullptr ? std::string() : to_lower(dkim::trim_fws(cv->value));
}

}  // namespace

Chain collect_chain(std::span<const message::HeaderField> fields, const ParseOptions& options) {
  Chain chain;
  std::vector<Found> found;
  Failure first_failure;
  bool over_limit = false;
  for (std::size_t index = 0; index < fields.size(); ++index) {
    const auto kind = kind_of(fields[index].name);
    if (!kind) continue;
    chain.present = true;
    Found f{*kind, 0, index, {}};
    Failure problem;
    if (*kind == FieldKind::Aar) {
      auto aar = parse_aar(fields[index].raw_value, options.max_instance);
      if (aar) {
        f.instance = aar->instance;
        f.aar = std::move(*aar);
      } else {
        problem = std::move(aar.error());
      }
    } else {
      auto instance = parse_signature_instance(fields[index].raw_value, options.max_instance);
      if (instance)
        f.instance = *instance;
      else
        problem = std::move(instance.error());
    }
    if (problem.code != ReasonCode::None) {
      if (problem.code == ReasonCode::ArcTooManyInstances) over_limit = true;
      if (first_failure.code == ReasonCode::None) first_failure = described(*kind, problem);
      continue;
    }
    chain.highest = std::max(chain.highest, f.instance);
    found.push_back(std::move(f));
  }
  if (!chain.present) return chain;
  if (over_limit) {
    chain.highest = options.max_instance + 1;
    chain.failure = {ReasonCode::ArcTooManyInstances,
                     "more than " + std::to_string(options.max_instance) + " ARC sets"};
    return chain;
  }
  // Step 2: a chain whose newest seal says cv=fail stays failed.
  for (const Found& f : found)
    if (f.kind == FieldKind::Seal && f.instance == chain.highest &&
        seal_cv(fields[f.field].raw_value) == "fail") {
      chain.failure = {ReasonCode::ArcChainAlreadyFailed,
                       "the newest ARC-Seal (i=" + std::to_string(f.instance) + ") says cv=fail"};
      chain.newest_says_fail = true;
      return chain;
    }
  if (first_failure.code != ReasonCode::None) {
    chain.failure = std::move(first_failure);
    return chain;
  }
  // Step 3: instances 1..N, each with exactly one field of each kind.
  const unsigned n = chain.highest;
  std::vector<std::array<std::vector<Found*>, 3>> by_instance(n + 1);
  for (Found& f : found) by_instance[f.instance][static_cast<std::size_t>(f.kind)].push_back(&f);
  for (unsigned i = 1; i <= n; ++i) {
    for (FieldKind kind : {FieldKind::Aar, FieldKind::Ams, FieldKind::Seal}) {
      const auto& list = by_instance[i][static_cast<std::size_t>(kind)];
      if (list.empty()) {
        chain.failure = {ReasonCode::ArcStructure,
                         "ARC set " + std::to_string(i) + " has no " + std::string(name_of(kind))};
        return chain;
      }
      if (list.size() > 1) {
        chain.failure = {ReasonCode::ArcStructure, "ARC set " + std::to_string(i) + " has " +
                                                       std::to_string(list.size()) + " " +
                                                       std::string(name_of(kind)) + " fields"};
        return chain;
      }
    }
  }
  std::vector<ArcSet> sets;
  sets.reserve(n);
  for (unsigned i = 1; i <= n; ++i) {
    ArcSet set;
    Found& aar = *by_instance[i][0].front();
    set.aar_field = aar.field;
    set.aar = std::move(aar.aar);
    set.ams_field = by_instance[i][1].front()->field;
    set.seal_field = by_instance[i][2].front()->field;
    auto ams = parse_ams(fields[set.ams_field].raw_value, options);
    if (!ams) {
      chain.failure = described(FieldKind::Ams, std::move(ams.error()));
      chain.failure.text += " (i=" + std::to_string(i) + ")";
      return chain;
    }
    auto seal = parse_seal(fields[set.seal_field].raw_value, options);
    if (!seal) {
      chain.failure = described(FieldKind::Seal, std::move(seal.error()));
      chain.failure.text += " (i=" + std::to_string(i) + ")";
      return chain;
    }
    set.ams = std::move(*ams);
    set.seal = std::move(*seal);
    // Step 3.3: cv=none for the first set, cv=pass for every later one.
    const std::string expected = i == 1 ? "none" : "pass";
    if (set.seal.cv != expected) {
      chain.failure = {ReasonCode::ArcInvalidCv, "ARC-Seal i=" + std::to_string(i) + " has cv=" +
                                                     set.seal.cv + " (" + expected + " expected)"};
      return chain;
    }
    sets.push_back(std::move(set));
  }
  chain.sets = std::move(sets);
  return chain;
}

}  // namespace auth::arc::detail
