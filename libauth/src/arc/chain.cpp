// ARC Set collection and chain structure (RFC 8617 §5.2 steps 1-3, §4.2.1).
#include "chain.hpp"

#include <auth/domain_name.hpp>

#include <array>

namespace auth::arc::detail {
namespace {

struct Found {
  FieldKind kind;
  unsigned instance;
  std::size_t field;
};

std::string describe(FieldKind kind, const Error& error) {
  const std::string name(name_of(kind));
  const std::string& message = error.message;
  if (message.starts_with(name)) return message;
  return name + ": " + message;
}

// cv= of a seal whose full parse may fail, for step 2.
std::string seal_cv(std::string_view raw_value) {
  auto tags = dkim::parse_tag_list(raw_value);
  if (!tags) return {};
  const dkim::Tag* cv = dkim::find_tag(*tags, "cv");
  return cv == nullptr ? std::string() : to_lower(cv->value);
}

}  // namespace

Chain collect_chain(std::span<const message::HeaderField> fields, const ParseOptions& options) {
  Chain chain;
  std::vector<Found> found;
  std::string first_error;
  bool over_limit = false;
  for (std::size_t index = 0; index < fields.size(); ++index) {
    const auto kind = kind_of(fields[index].name);
    if (!kind) continue;
    chain.present = true;
    Expected<unsigned> instance = 0u;
    if (*kind == FieldKind::Aar) {
      auto aar = parse_aar(fields[index].raw_value, options.max_instance);
      instance = aar ? Expected<unsigned>(aar->instance) : std::unexpected(aar.error());
    } else {
      instance = parse_signature_instance(fields[index].raw_value, options.max_instance);
    }
    if (!instance) {
      if (instance.error().code == ErrorCode::LimitExceeded) over_limit = true;
      if (first_error.empty()) first_error = describe(*kind, instance.error());
      continue;
    }
    found.push_back(Found{*kind, *instance, index});
    chain.highest = std::max(chain.highest, *instance);
  }
  if (!chain.present) return chain;
  if (over_limit) {
    chain.highest = options.max_instance + 1;
    chain.failure = "more than " + std::to_string(options.max_instance) + " ARC sets";
    return chain;
  }
  // Step 2: a chain whose newest seal says cv=fail stays failed.
  for (const Found& f : found)
    if (f.kind == FieldKind::Seal && f.instance == chain.highest &&
        seal_cv(fields[f.field].raw_value) == "fail") {
      chain.failure = "the newest ARC-Seal (i=" + std::to_string(f.instance) + ") says cv=fail";
      chain.newest_says_fail = true;
      return chain;
    }
  if (!first_error.empty()) {
    chain.failure = first_error;
    return chain;
  }
  // Step 3: instances 1..N, each with exactly one field of each kind.
  const unsigned n = chain.highest;
  std::vector<std::array<std::vector<std::size_t>, 3>> by_instance(n + 1);
  for (const Found& f : found)
    by_instance[f.instance][static_cast<std::size_t>(f.kind)].push_back(f.field);
  for (unsigned i = 1; i <= n; ++i) {
    for (FieldKind kind : {FieldKind::Aar, FieldKind::Ams, FieldKind::Seal}) {
      const auto& list = by_instance[i][static_cast<std::size_t>(kind)];
      if (list.empty()) {
        chain.failure = "ARC set " + std::to_string(i) + " has no " + std::string(name_of(kind));
        return chain;
      }
      if (list.size() > 1) {
        chain.failure = "ARC set " + std::to_string(i) + " has " + std::to_string(list.size()) +
                        " " + std::string(name_of(kind)) + " fields";
        return chain;
      }
    }
  }
  std::vector<ArcSet> sets;
  sets.reserve(n);
  for (unsigned i = 1; i <= n; ++i) {
    ArcSet set;
    set.aar_field = by_instance[i][0].front();
    set.ams_field = by_instance[i][1].front();
    set.seal_field = by_instance[i][2].front();
    set.aar = *parse_aar(fields[set.aar_field].raw_value, options.max_instance);
    auto ams = parse_ams(fields[set.ams_field].raw_value, options);
    if (!ams) {
      chain.failure = describe(FieldKind::Ams, ams.error()) + " (i=" + std::to_string(i) + ")";
      return chain;
    }
    auto seal = parse_seal(fields[set.seal_field].raw_value, options);
    if (!seal) {
      chain.failure = describe(FieldKind::Seal, seal.error()) + " (i=" + std::to_string(i) + ")";
      return chain;
    }
    set.ams = std::move(*ams);
    set.seal = std::move(*seal);
    // Step 3.3: cv=none for the first set, cv=pass for every later one.
    const std::string expected = i == 1 ? "none" : "pass";
    if (set.seal.cv != expected) {
      chain.failure = "ARC-Seal i=" + std::to_string(i) + " has cv=" + set.seal.cv + " (" +
                      expected + " expected)";
      return chain;
    }
    sets.push_back(std::move(set));
  }
  chain.sets = std::move(sets);
  return chain;
}

}  // namespace auth::arc::detail
