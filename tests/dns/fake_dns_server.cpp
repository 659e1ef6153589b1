#include "fake_dns_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

#include "dns/ldns_handles.hpp"

namespace auth::dns::testing {
namespace {

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

std::vector<std::uint8_t> to_wire(const ldns_pkt* pkt) {
  std::uint8_t* raw = nullptr;
  std::size_t size = 0;
  if (ldns_pkt2wire(&raw, pkt, &size) != LDNS_STATUS_OK) return {};
  WirePtr owned(raw);
  return {raw, raw + size};
}

PktPtr build_reply(const ldns_pkt& query, const FakeReply& reply, bool with_records) {
  PktPtr pkt(ldns_pkt_new());
  ldns_pkt_set_id(pkt.get(), ldns_pkt_id(&query));
  ldns_pkt_set_qr(pkt.get(), true);
  ldns_pkt_set_rd(pkt.get(), ldns_pkt_rd(&query));
  ldns_pkt_set_ra(pkt.get(), true);
  ldns_pkt_set_rcode(pkt.get(), reply.rcode);
  const ldns_rr_list* question = ldns_pkt_question(&query);
  for (std::size_t i = 0; i < ldns_rr_list_rr_count(question); ++i)
    ldns_pkt_push_rr(pkt.get(), LDNS_SECTION_QUESTION, ldns_rr_clone(ldns_rr_list_rr(question, i)));
  if (ldns_pkt_edns(&query)) ldns_pkt_set_edns_udp_size(pkt.get(), 1232);
  if (!with_records) return pkt;
  const auto push = [&](const std::vector<std::string>& rrs, ldns_pkt_section section) {
    for (const auto& text : rrs) {
      ldns_rr* rr = nullptr;
      if (ldns_rr_new_frm_str(&rr, text.c_str(), 3600, nullptr, nullptr) != LDNS_STATUS_OK)
        throw std::invalid_argument("fake DNS server: bad RR text: " + text);
      ldns_pkt_push_rr(pkt.get(), section, rr);
    }
  };
  push(reply.answer, LDNS_SECTION_ANSWER);
  push(reply.authority, LDNS_SECTION_AUTHORITY);
  return pkt;
}

bool read_exactly(int fd, std::uint8_t* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::recv(fd, data, size, 0);
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

FakeDnsServer::FakeDnsServer(Handler handler, std::chrono::seconds lifetime)
    : handler_(std::move(handler)) {
  // UDP first on an ephemeral port, then TCP on the same number (retry if that one is taken).
  for (int attempt = 0; attempt < 50 && port_ == 0; ++attempt) {
    udp_fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in any = loopback(0);
    socklen_t len = sizeof any;
    if (::bind(udp_fd_, reinterpret_cast<sockaddr*>(&any), sizeof any) != 0 ||
        ::getsockname(udp_fd_, reinterpret_cast<sockaddr*>(&any), &len) != 0)
      throw std::runtime_error("fake DNS server: cannot bind UDP");
    const std::uint16_t port = ntohs(any.sin_port);
    tcp_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(tcp_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in same = loopback(port);
    if (::bind(tcp_fd_, reinterpret_cast<sockaddr*>(&same), sizeof same) == 0 &&
        ::listen(tcp_fd_, 8) == 0) {
      port_ = port;
    } else {
      ::close(udp_fd_);
      ::close(tcp_fd_);
    }
  }
  if (port_ == 0) throw std::runtime_error("fake DNS server: no port for UDP and TCP");
  const auto until = std::chrono::steady_clock::now() + lifetime;
  thread_ = std::jthread([this, until](std::stop_token stop) { serve(stop, until); });
}

FakeDnsServer::~FakeDnsServer() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
  ::close(udp_fd_);
  ::close(tcp_fd_);
}

std::vector<std::vector<std::uint8_t>> FakeDnsServer::respond(const std::vector<std::uint8_t>& wire,
                                                              bool tcp) {
  ldns_pkt* raw = nullptr;
  if (ldns_wire2pkt(&raw, wire.data(), wire.size()) != LDNS_STATUS_OK) return {};
  PktPtr query(raw);
  const ldns_rr_list* question = ldns_pkt_question(query.get());
  if (ldns_rr_list_rr_count(question) != 1) return {};
  const ldns_rr* q = ldns_rr_list_rr(question, 0);
  FakeQuery fq;
  char* name = ldns_rdf2str(ldns_rr_owner(q));
  fq.name = name;
  std::free(name);
  if (fq.name.size() > 1 && fq.name.back() == '.') fq.name.pop_back();
  fq.type = static_cast<std::uint16_t>(ldns_rr_get_type(q));
  fq.tcp = tcp;
  fq.edns = ldns_pkt_edns(query.get());
  fq.edns_size = ldns_pkt_edns_udp_size(query.get());
  (tcp ? tcp_queries_ : udp_queries_)++;

  FakeReply reply;
  try {
    reply = handler_(fq);
    build_reply(*query, reply, true);  // bad RR text shows up here, not halfway through
  } catch (const std::exception&) {
    ++errors_;
    return {};
  }
  if (reply.mode == FakeReply::Mode::Silent) return {};
  if (reply.mode == FakeReply::Mode::Garbage) {
    std::vector<std::uint8_t> junk(wire.begin(), wire.begin() + 12);
    junk[2] |= 0x80;
    junk[7] = 5;  // ANCOUNT 5, with nothing behind it but noise
    junk.insert(junk.end(), {0xc0, 0xff, 0x3f, 0x01, 0x02});
    return {junk};
  }
  const bool truncate = !tcp && reply.mode == FakeReply::Mode::Truncate;
  PktPtr pkt = build_reply(*query, reply, !truncate);
  std::vector<std::uint8_t> out = to_wire(pkt.get());
  const std::size_t limit = fq.edns ? std::max<std::size_t>(512, fq.edns_size) : 512;
  if (truncate || (!tcp && out.size() > limit)) {
    pkt = build_reply(*query, reply, false);
    ldns_pkt_set_tc(pkt.get(), true);
    out = to_wire(pkt.get());
  }
  std::vector<std::vector<std::uint8_t>> datagrams;
  if (!tcp && reply.mode == FakeReply::Mode::WrongIdFirst) {
    FakeReply spoof = reply;
    spoof.answer = reply.forged;
    std::vector<std::uint8_t> forged = to_wire(build_reply(*query, spoof, true).get());
    forged[1] = static_cast<std::uint8_t>(forged[1] + 1);
    datagrams.push_back(std::move(forged));
  }
  datagrams.push_back(std::move(out));
  return datagrams;
}

void FakeDnsServer::serve_tcp_client(int fd) {
  timeval tv{0, 500'000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::uint8_t length[2];
  if (!read_exactly(fd, length, 2)) return;
  std::vector<std::uint8_t> query(static_cast<std::size_t>(length[0] << 8 | length[1]));
  if (!read_exactly(fd, query.data(), query.size())) return;
  for (const auto& reply : respond(query, true)) {
    std::vector<std::uint8_t> framed{static_cast<std::uint8_t>(reply.size() >> 8),
                                     static_cast<std::uint8_t>(reply.size() & 0xff)};
    framed.insert(framed.end(), reply.begin(), reply.end());
    ::send(fd, framed.data(), framed.size(), MSG_NOSIGNAL);
  }
}

void FakeDnsServer::serve(std::stop_token stop, std::chrono::steady_clock::time_point until) {
  std::vector<std::uint8_t> buffer(65535);
  while (!stop.stop_requested() && std::chrono::steady_clock::now() < until) {
    pollfd fds[2] = {{udp_fd_, POLLIN, 0}, {tcp_fd_, POLLIN, 0}};
    if (::poll(fds, 2, 20) <= 0) continue;
    if (fds[0].revents & POLLIN) {
      sockaddr_in from{};
      socklen_t len = sizeof from;
      const ssize_t n = ::recvfrom(udp_fd_, buffer.data(), buffer.size(), 0,
                                   reinterpret_cast<sockaddr*>(&from), &len);
      if (n > 0) {
        const std::vector<std::uint8_t> query(buffer.begin(), buffer.begin() + n);
        for (const auto& reply : respond(query, false))
          ::sendto(udp_fd_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
      }
    }
    if (fds[1].revents & POLLIN) {
      const int client = ::accept4(tcp_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client >= 0) {
        serve_tcp_client(client);
        ::close(client);
      }
    }
  }
}

}  // namespace auth::dns::testing
