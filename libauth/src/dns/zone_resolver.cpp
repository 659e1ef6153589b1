// ZoneResolver: a master file read by ldns into a name tree, answered as an authoritative server
// would (RFC 1034 §4.3.2, RFC 4592 wildcards), with CNAMEs chased as a recursive resolver does.
#include <algorithm>
#include <fstream>
#include <limits>
#include <sstream>
#include <unordered_map>

#include <auth/dns.hpp>

#include "dns/ldns_handles.hpp"
#include "dns/names.hpp"
#include "dns/records.hpp"
#include "dns/zone_directives.hpp"

namespace auth::dns {
namespace {

constexpr std::uint32_t default_negative_ttl = 300;
constexpr std::uint32_t default_ttl = 3600;  // records with no TTL and no $TTL
constexpr int max_cname_chain = 16;          // longer chains (and loops) answer SERVFAIL

struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct Node {
  std::vector<std::pair<RrType, Answer>> rrsets;  // ttl holds the least TTL of the set
  std::optional<std::string> cname_target;        // key of the first CNAME's target

  const Answer* find(RrType type) const {
    for (const auto& [t, answer] : rrsets)
      if (t == type) return &answer;
    return nullptr;
  }
  Answer& rrset(RrType type) {
    for (auto& [t, answer] : rrsets)
      if (t == type) return answer;
    Answer& added = rrsets.emplace_back(type, Answer{}).second;
    added.ttl = std::numeric_limits<std::uint32_t>::max();
    return added;
  }
};

template <class T>
void append_all(std::vector<T>& to, std::vector<T>& from) {
  std::move(from.begin(), from.end(), std::back_inserter(to));
}

// What ldns_rr_new_frm_fp_l carries from one entry to the next; ldns replaces the names as
// $ORIGIN lines and owners go by, and the last ones are ours to free.
struct ReaderState {
  std::uint32_t ttl = default_ttl;
  ldns_rdf* origin = nullptr;
  ldns_rdf* previous = nullptr;
  ReaderState() = default;
  ReaderState(const ReaderState&) = delete;
  ReaderState& operator=(const ReaderState&) = delete;
  ~ReaderState() {
    if (origin != nullptr) ldns_rdf_deep_free(origin);
    if (previous != nullptr) ldns_rdf_deep_free(previous);
  }
};

using NodeMap = std::unordered_map<std::string, Node, KeyHash, std::equal_to<>>;

}  // namespace

struct ZoneResolver::Impl {
  NodeMap nodes;  // every owner name and every ancestor of one (empty non-terminals)
  std::vector<FailureDirective> directives;
  std::uint32_t negative_ttl = default_negative_ttl;

  const Node* find(std::string_view key) const {
    const auto it = nodes.find(key);
    return it == nodes.end() ? nullptr : &it->second;
  }

  // RFC 4592 §3.3.1: the closest encloser is the longest existing ancestor; only "*." under it
  // may synthesize an answer, so an existing intermediate node blocks a wildcard above it.
  const Node* wildcard_for(std::string_view key) const {
    std::string_view encloser = key;
    while (!encloser.empty()) {
      encloser = parent_key(encloser);
      if (nodes.contains(encloser)) {
        std::string source = "\001*";
        source += encloser;
        return find(source);
      }
    }
    return nullptr;
  }

  const FailureDirective* directive_for(std::string_view key, RrType type) const {
    for (const auto& d : directives)
      if (d.matches(key, type)) return &d;
    return nullptr;
  }

  Answer resolve(std::string_view query_key, RrType type) const {
    std::uint32_t chain_ttl = std::numeric_limits<std::uint32_t>::max();
    std::string current(query_key);
    for (int step = 0; step <= max_cname_chain; ++step) {
      if (const auto* d = directive_for(current, type)) return empty_answer(d->status);
      const Node* node = find(current);
      if (node == nullptr) node = wildcard_for(current);
      if (node == nullptr) return negative(Status::NxDomain, chain_ttl);
      if (const Answer* rrset = node->find(type)) {
        Answer answer = *rrset;
        answer.ttl = std::min(answer.ttl, chain_ttl);
        return answer;
      }
      if (type == RrType::CNAME || !node->cname_target) return negative(Status::Ok, chain_ttl);
      chain_ttl = std::min(chain_ttl, node->find(RrType::CNAME)->ttl);
      current = *node->cname_target;
    }
    return empty_answer(Status::ServFail);
  }

  Answer negative(Status status, std::uint32_t chain_ttl) const {
    return empty_answer(status, std::min(negative_ttl, chain_ttl));
  }

  void add_node_and_ancestors(const std::string& key) {
    std::string_view k = key;
    while (true) {
      nodes.try_emplace(std::string(k));
      if (k.empty()) break;
      k = parent_key(k);
    }
  }

  void add(const ldns_rr& rr, bool& saw_soa) {
    const auto owner = rdf_name_key(ldns_rr_owner(&rr));
    if (!owner) return;
    add_node_and_ancestors(*owner);
    if (ldns_rr_get_type(&rr) == LDNS_RR_TYPE_SOA && !saw_soa) {
      if (const auto ttl = soa_negative_ttl(rr)) {
        negative_ttl = *ttl;
        saw_soa = true;
      }
    }
    const auto type = supported_type(ldns_rr_get_type(&rr));
    if (!type) return;  // other types still make the name exist
    Answer parsed;
    if (!append_record(parsed, rr)) return;
    Node& node = nodes[*owner];
    Answer& rrset = node.rrset(*type);
    append_all(rrset.txt, parsed.txt);
    append_all(rrset.txt_string_lengths, parsed.txt_string_lengths);
    append_all(rrset.addresses, parsed.addresses);
    append_all(rrset.mx, parsed.mx);
    append_all(rrset.names, parsed.names);
    rrset.ttl = std::min(rrset.ttl, ldns_rr_ttl(&rr));
    if (*type == RrType::CNAME && !node.cname_target)
      node.cname_target = rdf_name_key(ldns_rr_rdf(&rr, 0));
  }
};

ZoneResolver::ZoneResolver(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ZoneResolver::~ZoneResolver() = default;

Expected<std::unique_ptr<ZoneResolver>> ZoneResolver::from_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::Io, "cannot open zone file " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return fail(ErrorCode::Io, "cannot read zone file " + path.string());
  return from_string(text.str(), path.string());
}

Expected<std::unique_ptr<ZoneResolver>> ZoneResolver::from_string(std::string_view text,
                                                                  std::string_view source_name) {
  auto prepared = extract_directives(text, source_name);
  if (!prepared) return std::unexpected(prepared.error());
  auto impl = std::make_unique<Impl>();
  impl->directives = std::move(prepared->directives);

  std::string& zone_text = prepared->text;
  if (zone_text.find_first_not_of(" \t\r\n") != std::string::npos) {
    FilePtr file(fmemopen(zone_text.data(), zone_text.size(), "r"));
    if (!file) return fail(ErrorCode::Io, std::string(source_name) + ": cannot read zone text");
    // Our own loop over ldns_rr_new_frm_fp_l rather than ldns_zone_new_frm_fp_l: the latter
    // leaks every RR read so far when it meets a syntax error (ldns 1.8.3).
    ReaderState state;
    int line_number = 0;
    bool saw_soa = false;
    while (!std::feof(file.get())) {
      ldns_rr* raw = nullptr;
      ldns_status status = ldns_rr_new_frm_fp_l(&raw, file.get(), &state.ttl, &state.origin,
                                                &state.previous, &line_number);
      const RrPtr rr(raw);
      if (status == LDNS_STATUS_OK) {
        if (rr) impl->add(*rr, saw_soa);
        continue;
      }
      if (status == LDNS_STATUS_SYNTAX_EMPTY || status == LDNS_STATUS_SYNTAX_TTL ||
          status == LDNS_STATUS_SYNTAX_ORIGIN)
        continue;
      if (status == LDNS_STATUS_SYNTAX_INCLUDE) status = LDNS_STATUS_SYNTAX_INCLUDE_ERR_NOTIMPL;
      return fail(ErrorCode::Syntax, std::string(source_name) + " line " +
                                         std::to_string(line_number) + ": " +
                                         ldns_get_errorstr_by_id(status));
    }
  }
  return std::unique_ptr<ZoneResolver>(new ZoneResolver(std::move(impl)));
}

Answer ZoneResolver::query(std::string_view name, RrType type) {
  const auto key = name_key(name);
  // A name that cannot be written in DNS does not exist.
  if (!key) return empty_answer(Status::NxDomain, impl_->negative_ttl);
  return impl_->resolve(*key, type);
}

std::uint32_t ZoneResolver::negative_ttl() const { return impl_->negative_ttl; }

}  // namespace auth::dns
