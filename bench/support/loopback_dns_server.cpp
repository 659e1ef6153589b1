#include "support/loopback_dns_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdbool.h>  // before ldns: see libauth/src/dns/ldns.hpp

#include <ldns/ldns.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

namespace auth::bench {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Lower-cased wire name (root byte included) followed by the two type octets.
std::string rrset_key(const std::uint8_t* name, std::size_t name_size, std::uint16_t type) {
  std::string key;
  for (std::size_t i = 0; i < name_size; ++i) key += lower(static_cast<char>(name[i]));
  key += static_cast<char>(type >> 8);
  key += static_cast<char>(type & 0xff);
  return key;
}

struct RrSet {
  std::uint16_t count = 0;
  std::vector<std::uint8_t> wire;  // the answer section, uncompressed
};

}  // namespace

struct LoopbackDnsServer::Impl {
  std::unordered_map<std::string, RrSet> rrsets;
  std::unordered_map<std::string, bool> names;  // owner names (wire, lower case)
  int fd = -1;
  std::uint16_t port = 0;
  std::atomic<std::uint64_t> queries{0};
  std::jthread thread;

  void load(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "r");
    if (f == nullptr) throw std::runtime_error("cannot read " + path);
    ldns_zone* zone = nullptr;
    int line = 0;
    const ldns_status status =
        ldns_zone_new_frm_fp_l(&zone, f, nullptr, 3600, LDNS_RR_CLASS_IN, &line);
    std::fclose(f);
    if (status != LDNS_STATUS_OK)
      throw std::runtime_error(path + " line " + std::to_string(line) + ": " +
                               ldns_get_errorstr_by_id(status));
    const ldns_rr_list* rrs = ldns_zone_rrs(zone);
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(rrs); ++i) {
      const ldns_rr* rr = ldns_rr_list_rr(rrs, i);
      ldns_buffer* buffer = ldns_buffer_new(512);
      ldns_rr2buffer_wire(buffer, rr, LDNS_SECTION_ANSWER);
      const ldns_rdf* owner = ldns_rr_owner(rr);
      const std::string key = rrset_key(ldns_rdf_data(owner), ldns_rdf_size(owner),
                                        static_cast<std::uint16_t>(ldns_rr_get_type(rr)));
      RrSet& set = rrsets[key];
      ++set.count;
      const auto* data = static_cast<const std::uint8_t*>(ldns_buffer_begin(buffer));
      set.wire.insert(set.wire.end(), data, data + ldns_buffer_position(buffer));
      names[key.substr(0, key.size() - 2)] = true;
      ldns_buffer_free(buffer);
    }
    ldns_zone_deep_free(zone);
  }

  // The reply to one query in `in`, written to `out`; 0 when the query is not one we answer.
  std::size_t respond(const std::uint8_t* in, std::size_t size, std::uint8_t* out,
                      std::size_t capacity) const {
    if (size < 12 || (in[2] & 0x80) != 0 || in[4] != 0 || in[5] != 1) return 0;
    std::size_t end = 12;
    while (end < size && in[end] != 0) end += 1 + in[end];
    if (end + 5 > size) return 0;
    const std::size_t name_size = end + 1 - 12;
    const auto type = static_cast<std::uint16_t>(in[end + 1] << 8 | in[end + 2]);
    const std::string key = rrset_key(in + 12, name_size, type);
    const auto found = rrsets.find(key);
    const bool exists = found != rrsets.end() || names.contains(key.substr(0, name_size));
    const std::size_t question = name_size + 4;
    const std::size_t answer = found == rrsets.end() ? 0 : found->second.wire.size();
    if (12 + question + answer > capacity) return 0;
    out[0] = in[0];
    out[1] = in[1];
    out[2] = static_cast<std::uint8_t>(0x84 | (in[2] & 0x01));    // QR, AA, RD as asked
    out[3] = static_cast<std::uint8_t>(0x80 | (exists ? 0 : 3));  // RA; NXDOMAIN
    out[4] = 0;
    out[5] = 1;
    const std::uint16_t count = found == rrsets.end() ? 0 : found->second.count;
    out[6] = static_cast<std::uint8_t>(count >> 8);
    out[7] = static_cast<std::uint8_t>(count & 0xff);
    for (int i = 8; i < 12; ++i) out[i] = 0;
    std::copy_n(in + 12, question, out + 12);
    if (answer > 0) std::copy_n(found->second.wire.data(), answer, out + 12 + question);
    return 12 + question + answer;
  }

  void serve(std::stop_token stop) {
    std::uint8_t in[4096], out[4096];
    while (!stop.stop_requested()) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      sockaddr_storage from{};
      socklen_t from_size = sizeof from;
      const ssize_t n =
          ::recvfrom(fd, in, sizeof in, 0, reinterpret_cast<sockaddr*>(&from), &from_size);
      if (n <= 0) continue;
      queries.fetch_add(1, std::memory_order_relaxed);
      const std::size_t reply = respond(in, static_cast<std::size_t>(n), out, sizeof out);
      if (reply > 0)
        ::sendto(fd, out, reply, 0, reinterpret_cast<const sockaddr*>(&from), from_size);
    }
  }
};

LoopbackDnsServer::LoopbackDnsServer(const std::string& zone_file, std::uint16_t port)
    : impl_(std::make_unique<Impl>()) {
  impl_->load(zone_file);
  impl_->fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  if (impl_->fd < 0 ||
      ::bind(impl_->fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(impl_->fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    if (impl_->fd >= 0) ::close(impl_->fd);
    throw std::runtime_error("cannot bind 127.0.0.1:" + std::to_string(port));
  }
  impl_->port = ntohs(address.sin_port);
  impl_->thread = std::jthread([impl = impl_.get()](std::stop_token stop) { impl->serve(stop); });
}

LoopbackDnsServer::~LoopbackDnsServer() {
  impl_->thread.request_stop();
  impl_->thread.join();
  ::close(impl_->fd);
}

std::uint16_t LoopbackDnsServer::port() const { return impl_->port; }
std::uint64_t LoopbackDnsServer::queries() const { return impl_->queries.load(); }

}  // namespace auth::bench
