// LdnsResolver: queries written straight from the name key (query.cpp), sent by transport.cpp
// (UDP, TCP on truncation) into a per-thread buffer, replies parsed by ldns in place; servers
// tried in order, each `1 + dns_retries` times on timeout.
#include <algorithm>
#include <fstream>
#include <limits>
#include <sstream>

#include <auth/dns.hpp>

#include "dns/ldns_handles.hpp"
#include "dns/names.hpp"
#include "dns/query.hpp"
#include "dns/records.hpp"
#include "dns/transport.hpp"

namespace auth::dns {
namespace {

constexpr int max_cname_chain = 16;

Expected<std::vector<std::string>> read_resolv_conf(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return fail(ErrorCode::Io, "cannot read " + path.string());
  std::vector<std::string> servers;
  std::string line;
  while (std::getline(in, line)) {
    std::string keyword, address;
    std::istringstream words(line);
    if (words >> keyword >> address && keyword == "nameserver") servers.push_back(address);
  }
  // resolv.conf(5): with no nameserver line, the local host is used.
  if (servers.empty()) servers.emplace_back("127.0.0.1");
  return servers;
}

PktPtr parse_reply(std::span<const std::uint8_t> wire) {
  ldns_pkt* pkt = nullptr;
  if (ldns_wire2pkt(&pkt, wire.data(), wire.size()) != LDNS_STATUS_OK) return nullptr;
  return PktPtr(pkt);
}

// Where replies land: one buffer per thread, sized for the largest answer any resolver on the
// thread allows, allocated once and never zeroed (recv overwrites what it reports).
std::span<std::uint8_t> receive_buffer(std::size_t size) {
  thread_local std::unique_ptr<std::uint8_t[]> buffer;
  thread_local std::size_t capacity = 0;
  if (capacity < size) {
    buffer = std::make_unique_for_overwrite<std::uint8_t[]>(size);
    capacity = size;
  }
  return {buffer.get(), size};
}

bool question_matches(const ldns_pkt& reply, std::string_view key, RrType type) {
  const ldns_rr_list* question = ldns_pkt_question(&reply);
  if (question == nullptr || ldns_rr_list_rr_count(question) != 1) return false;
  const ldns_rr* q = ldns_rr_list_rr(question, 0);
  return ldns_rr_get_type(q) == static_cast<ldns_rr_type>(type) &&
         rdf_name_is(ldns_rr_owner(q), key);
}

// RFC 2308 §5: the SOA in the authority section gives the negative TTL; without one, 0.
std::uint32_t negative_ttl(const ldns_pkt& reply) {
  const ldns_rr_list* authority = ldns_pkt_authority(&reply);
  for (std::size_t i = 0; authority != nullptr && i < ldns_rr_list_rr_count(authority); ++i)
    if (const auto ttl = soa_negative_ttl(*ldns_rr_list_rr(authority, i))) return *ttl;
  return 0;
}

// The records for `key`, following the CNAME chain in the answer section.
Answer to_answer(const ldns_pkt& reply, std::string_view key, RrType type) {
  Answer answer;
  answer.status = ldns_pkt_get_rcode(&reply) == LDNS_RCODE_NXDOMAIN ? Status::NxDomain : Status::Ok;
  const ldns_rr_list* section = ldns_pkt_answer(&reply);
  const std::size_t count = section == nullptr ? 0 : ldns_rr_list_rr_count(section);
  std::uint32_t ttl = std::numeric_limits<std::uint32_t>::max();
  std::string_view current = key;
  std::string target_key;  // owns `current` once a CNAME was followed
  for (int step = 0;; ++step) {
    bool found = false;
    const ldns_rr* cname = nullptr;
    for (std::size_t i = 0; i < count; ++i) {
      const ldns_rr* rr = ldns_rr_list_rr(section, i);
      if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN || !rdf_name_is(ldns_rr_owner(rr), current))
        continue;
      if (ldns_rr_get_type(rr) == static_cast<ldns_rr_type>(type)) {
        if (append_record(answer, *rr)) {
          found = true;
          ttl = std::min(ttl, ldns_rr_ttl(rr));
        }
      } else if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME && cname == nullptr) {
        cname = rr;
      }
    }
    if (found) {
      answer.status = Status::Ok;
      answer.ttl = ttl;
      return answer;
    }
    if (type == RrType::CNAME || cname == nullptr || ldns_rr_rd_count(cname) != 1) break;
    auto target = rdf_name_key(ldns_rr_rdf(cname, 0));
    if (!target) break;
    if (step == max_cname_chain) return empty_answer(Status::ServFail);
    ttl = std::min(ttl, ldns_rr_ttl(cname));
    target_key = std::move(*target);
    current = target_key;
  }
  answer.ttl = std::min(ttl, negative_ttl(reply));
  return answer;
}

}  // namespace

struct LdnsResolver::Impl {
  std::vector<ServerAddress> servers;
  std::uint16_t edns_buffer_size = 0;
  std::chrono::milliseconds timeout{};
  unsigned retries = 0;
  std::size_t max_answer_bytes = 0;

  Answer ask(std::string_view key, RrType type) const {
    bool saw_failure = false;
    const std::span<std::uint8_t> buffer = receive_buffer(max_answer_bytes);
    QueryBuffer query_buffer;
    for (const ServerAddress& server : servers) {
      std::uint16_t edns = edns_buffer_size;
      const std::uint16_t id = next_query_id();
      auto wire = build_query(query_buffer, key, type, id, edns);
      unsigned timeouts = 0;
      while (timeouts <= retries) {
        auto result = udp_exchange(server, wire, timeout, buffer);
        if (result.status == ExchangeStatus::Timeout) {
          ++timeouts;
          continue;
        }
        PktPtr reply;
        if (result.status == ExchangeStatus::Reply) reply = parse_reply(result.reply);
        if (reply && ldns_pkt_tc(reply.get())) {
          result = tcp_exchange(server, wire, timeout, buffer);
          reply = result.status == ExchangeStatus::Reply ? parse_reply(result.reply) : nullptr;
        }
        if (!reply || !question_matches(*reply, key, type)) {
          if (result.status != ExchangeStatus::Timeout) saw_failure = true;
          break;
        }
        const auto rcode = ldns_pkt_get_rcode(reply.get());
        if (rcode == LDNS_RCODE_NOERROR || rcode == LDNS_RCODE_NXDOMAIN)
          return to_answer(*reply, key, type);
        if (rcode == LDNS_RCODE_FORMERR && edns > 0) {
          // RFC 6891 §7: a server that does not know EDNS may answer FORMERR; ask it plainly
          // (once: edns is 0 from here on).
          edns = 0;
          wire = build_query(query_buffer, key, type, id, 0);
          continue;
        }
        saw_failure = true;  // SERVFAIL, REFUSED, NOTIMP, too large: the next server may do better
        break;
      }
    }
    return empty_answer(saw_failure ? Status::ServFail : Status::Timeout);
  }
};

LdnsResolver::LdnsResolver(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LdnsResolver::~LdnsResolver() = default;

Expected<std::unique_ptr<LdnsResolver>> LdnsResolver::create(const LdnsOptions& options,
                                                             const Limits& limits) {
  auto impl = std::make_unique<Impl>();
  // Every server may send 512 octets over UDP (RFC 1035 §4.2.1); no message exceeds 65535.
  impl->max_answer_bytes = std::clamp<std::size_t>(limits.max_dns_answer_bytes, 512, 65535);
  impl->edns_buffer_size = static_cast<std::uint16_t>(
      std::min<std::size_t>(options.edns_buffer_size, impl->max_answer_bytes));
  impl->timeout = std::max(limits.dns_timeout, std::chrono::milliseconds(1));
  impl->retries = limits.dns_retries;
  const bool from_resolv_conf = options.servers.empty();
  std::vector<std::string> names = options.servers;
  if (from_resolv_conf) {
    auto read = read_resolv_conf(options.resolv_conf);
    if (!read) return std::unexpected(read.error());
    names = std::move(*read);
  }
  for (const auto& text : names) {
    auto server = parse_server(text);
    if (server) {
      impl->servers.push_back(std::move(*server));
    } else if (!from_resolv_conf) {
      return std::unexpected(server.error());
    }
    // resolv.conf entries we cannot use (scoped IPv6 addresses) are skipped.
  }
  if (impl->servers.empty())
    return fail(ErrorCode::InvalidArgument,
                "no usable DNS server in " + options.resolv_conf.string());
  return std::unique_ptr<LdnsResolver>(new LdnsResolver(std::move(impl)));
}

Answer LdnsResolver::query(std::string_view name, RrType type) {
  const auto key = name_key(name);
  if (!key) return empty_answer(Status::NxDomain);
  return impl_->ask(*key, type);
}

}  // namespace auth::dns
