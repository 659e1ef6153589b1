#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <thread>

#include <auth/dns.hpp>

#include "dns/query.hpp"
#include "fake_dns_server.hpp"

namespace auth::dns {
namespace {

using namespace std::chrono_literals;
using testing::FakeDnsServer;
using testing::FakeQuery;
using testing::FakeReply;

IpAddress ip(std::string_view text) { return *IpAddress::parse(text); }

constexpr std::uint16_t type_a = 1, type_mx = 15, type_txt = 16;
constexpr std::uint8_t rcode_formerr = 1, rcode_servfail = 2, rcode_nxdomain = 3;

FakeReply answer(std::vector<std::string> rrs) {
  FakeReply r;
  r.answer = std::move(rrs);
  return r;
}

FakeReply failure(std::uint8_t rcode) {
  FakeReply r;
  r.rcode = rcode;
  return r;
}

FakeReply silence() {
  FakeReply r;
  r.mode = FakeReply::Mode::Silent;
  return r;
}

std::unique_ptr<LdnsResolver> resolver_for(std::vector<std::string> servers, unsigned retries = 2,
                                           std::uint16_t edns = 1232) {
  LdnsOptions options;
  options.servers = std::move(servers);
  options.edns_buffer_size = edns;
  Limits limits;
  limits.dns_timeout = 200ms;
  limits.dns_retries = retries;
  auto created = LdnsResolver::create(options, limits);
  EXPECT_TRUE(created.has_value()) << (created ? "" : created.error().message);
  return created ? std::move(*created) : nullptr;
}

TEST(LdnsResolver, AnswersA) {
  FakeQuery seen;
  FakeDnsServer server([&](const FakeQuery& q) {
    seen = q;
    return answer({"example.com. 300 IN A 192.0.2.1", "example.com. 200 IN A 192.0.2.2"});
  });
  auto resolver = resolver_for({server.address()});
  const Answer a = resolver->query("Example.COM.", RrType::A);
  ASSERT_EQ(a.status, Status::Ok);
  EXPECT_EQ(a.addresses, (std::vector<IpAddress>{ip("192.0.2.1"), ip("192.0.2.2")}));
  EXPECT_EQ(a.ttl, 200u);
  EXPECT_EQ(seen.name, "example.com");
  EXPECT_EQ(seen.type, type_a);
  EXPECT_TRUE(seen.edns);
  EXPECT_EQ(seen.edns_size, 1232);
  EXPECT_EQ(server.udp_queries(), 1);
  EXPECT_EQ(server.tcp_queries(), 0);
}

TEST(LdnsResolver, TxtStringsJoinedOneEntryPerRr) {
  FakeDnsServer server([](const FakeQuery&) {
    return answer({"example.com. 60 IN TXT \"v=spf1 \" \"ip4:192.0.2.0/24\" \" -all\"",
                   "example.com. 60 IN TXT \"other\""});
  });
  auto resolver = resolver_for({server.address()});
  const Answer a = resolver->query("example.com", RrType::TXT);
  ASSERT_EQ(a.status, Status::Ok);
  EXPECT_EQ(a.txt, (std::vector<std::string>{"v=spf1 ip4:192.0.2.0/24 -all", "other"}));
}

TEST(LdnsResolver, MxAaaaAndPtr) {
  FakeDnsServer server([](const FakeQuery& q) {
    if (q.type == type_mx)
      return answer({"example.com. 60 IN MX 10 Mail.Example.com.", "example.com. 60 IN MX 0 ."});
    if (q.name == "example.com") return answer({"example.com. 60 IN AAAA 2001:db8::1"});
    return answer({"1.2.0.192.in-addr.arpa. 60 IN PTR host.example.com."});
  });
  auto resolver = resolver_for({server.address()});
  EXPECT_EQ(resolver->query("example.com", RrType::MX).mx,
            (std::vector<MxRecord>{{10, "mail.example.com"}, {0, ""}}));
  EXPECT_EQ(resolver->query("example.com", RrType::AAAA).addresses,
            std::vector<IpAddress>{ip("2001:db8::1")});
  EXPECT_EQ(resolver->query(ip("192.0.2.1").reverse_name(), RrType::PTR).names,
            std::vector<std::string>{"host.example.com"});
}

TEST(LdnsResolver, FollowsCnameChainInAnswer) {
  FakeDnsServer server([](const FakeQuery&) {
    // Out of order, with an unrelated record that must not be taken.
    return answer({"host.example.net. 300 IN A 192.0.2.80",
                   "unrelated.example. 300 IN A 192.0.2.99",
                   "web.example.com. 60 IN CNAME host.example.net.",
                   "www.example.com. 600 IN CNAME web.example.com."});
  });
  auto resolver = resolver_for({server.address()});
  const Answer a = resolver->query("www.example.com", RrType::A);
  ASSERT_EQ(a.status, Status::Ok);
  EXPECT_EQ(a.addresses, std::vector<IpAddress>{ip("192.0.2.80")});
  EXPECT_EQ(a.ttl, 60u);
  const Answer c = resolver->query("www.example.com", RrType::CNAME);
  EXPECT_EQ(c.names, std::vector<std::string>{"web.example.com"});
}

TEST(LdnsResolver, CnameLoopInAnswerIsServFail) {
  FakeDnsServer server([](const FakeQuery&) {
    return answer({"a.example. 60 IN CNAME b.example.", "b.example. 60 IN CNAME a.example."});
  });
  auto resolver = resolver_for({server.address()});
  EXPECT_EQ(resolver->query("a.example", RrType::TXT).status, Status::ServFail);
}

TEST(LdnsResolver, NxDomainTtlFromSoaInAuthority) {
  FakeDnsServer server([](const FakeQuery& q) {
    FakeReply r;
    r.rcode = rcode_nxdomain;
    r.authority = {q.name == "short.example.com"
                       ? "example.com. 60 IN SOA ns.example.com. host.example.com. 1 2 3 4 300"
                       : "example.com. 3600 IN SOA ns.example.com. host.example.com. 1 2 3 4 300"};
    return r;
  });
  auto resolver = resolver_for({server.address()});
  const Answer a = resolver->query("nope.example.com", RrType::TXT);
  EXPECT_EQ(a.status, Status::NxDomain);
  EXPECT_EQ(a.ttl, 300u);  // MINIMUM below the SOA's TTL
  EXPECT_EQ(resolver->query("short.example.com", RrType::TXT).ttl, 60u);  // SOA TTL below MINIMUM
}

TEST(LdnsResolver, NxDomainAtTheEndOfACname) {
  FakeDnsServer server([](const FakeQuery&) {
    FakeReply r;
    r.rcode = rcode_nxdomain;
    r.answer = {"alias.example. 30 IN CNAME gone.example."};
    r.authority = {"example. 3600 IN SOA ns.example. host.example. 1 2 3 4 300"};
    return r;
  });
  auto resolver = resolver_for({server.address()});
  const Answer a = resolver->query("alias.example", RrType::A);
  EXPECT_EQ(a.status, Status::NxDomain);
  EXPECT_EQ(a.ttl, 30u);
}

TEST(LdnsResolver, NoDataIsOkAndEmptyWithNegativeTtl) {
  FakeDnsServer server([](const FakeQuery&) {
    FakeReply r;
    r.authority = {"example.com. 3600 IN SOA ns.example.com. host.example.com. 1 2 3 4 900"};
    return r;
  });
  auto resolver = resolver_for({server.address()});
  const Answer a = resolver->query("example.com", RrType::TXT);
  EXPECT_TRUE(a.is_nodata());
  EXPECT_EQ(a.ttl, 900u);
}

TEST(LdnsResolver, NoDataWithoutSoaHasZeroTtl) {
  FakeDnsServer server([](const FakeQuery&) { return FakeReply{}; });
  auto resolver = resolver_for({server.address()});
  const Answer a = resolver->query("example.com", RrType::TXT);
  EXPECT_TRUE(a.is_nodata());
  EXPECT_EQ(a.ttl, 0u);
}

TEST(LdnsResolver, ServFailIsNotRetriedOnTheSameServer) {
  FakeDnsServer server([](const FakeQuery&) {
    FakeReply r;
    r.rcode = rcode_servfail;
    return r;
  });
  auto resolver = resolver_for({server.address()});
  EXPECT_EQ(resolver->query("example.com", RrType::TXT).status, Status::ServFail);
  EXPECT_EQ(server.udp_queries(), 1);
}

TEST(LdnsResolver, SilentServerTimesOutAfterRetries) {
  FakeDnsServer server([](const FakeQuery&) {
    FakeReply r;
    r.mode = FakeReply::Mode::Silent;
    return r;
  });
  auto resolver = resolver_for({server.address()}, 2);
  const auto start = std::chrono::steady_clock::now();
  const Answer a = resolver->query("example.com", RrType::TXT);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(a.status, Status::Timeout);
  EXPECT_TRUE(a.is_temporary_failure());
  EXPECT_EQ(server.udp_queries(), 3);  // one attempt and two retries
  EXPECT_GE(elapsed, 600ms);
  EXPECT_LT(elapsed, 3s);
}

TEST(LdnsResolver, ZeroRetriesMeansOneAttempt) {
  FakeDnsServer server([](const FakeQuery&) {
    FakeReply r;
    r.mode = FakeReply::Mode::Silent;
    return r;
  });
  auto resolver = resolver_for({server.address()}, 0);
  EXPECT_EQ(resolver->query("example.com", RrType::A).status, Status::Timeout);
  EXPECT_EQ(server.udp_queries(), 1);
}

TEST(LdnsResolver, TruncatedUdpFallsBackToTcp) {
  FakeDnsServer server([](const FakeQuery&) {
    FakeReply r = answer({"example.com. 60 IN TXT \"over tcp\""});
    r.mode = FakeReply::Mode::Truncate;
    return r;
  });
  auto resolver = resolver_for({server.address()});
  const Answer a = resolver->query("example.com", RrType::TXT);
  ASSERT_EQ(a.status, Status::Ok);
  EXPECT_EQ(a.txt, std::vector<std::string>{"over tcp"});
  EXPECT_EQ(server.udp_queries(), 1);
  EXPECT_EQ(server.tcp_queries(), 1);
}

FakeReply large_txt(const FakeQuery&) {
  std::string rdata;
  for (char c : std::string("abcd")) rdata += " \"" + std::string(250, c) + "\"";
  return answer({"big.example. 60 IN TXT" + rdata});
}

TEST(LdnsResolver, LargeTxtFitsInEdnsUdp) {
  FakeDnsServer server(large_txt);
  auto resolver = resolver_for({server.address()}, 2, 1232);
  const Answer a = resolver->query("big.example", RrType::TXT);
  ASSERT_EQ(a.status, Status::Ok);
  ASSERT_EQ(a.txt.size(), 1u);
  EXPECT_EQ(a.txt[0].size(), 1000u);
  EXPECT_EQ(a.txt[0].substr(249, 2), "ab");
  EXPECT_EQ(server.udp_queries(), 1);
  EXPECT_EQ(server.tcp_queries(), 0);
}

TEST(LdnsResolver, LargeTxtWithoutEdnsNeedsTcp) {
  FakeQuery seen;
  FakeDnsServer server([&](const FakeQuery& q) {
    seen = q;
    return large_txt(q);
  });
  auto resolver = resolver_for({server.address()}, 2, 0);
  const Answer a = resolver->query("big.example", RrType::TXT);
  ASSERT_EQ(a.status, Status::Ok);
  EXPECT_EQ(a.txt[0].size(), 1000u);
  EXPECT_FALSE(seen.edns);
  EXPECT_EQ(server.udp_queries(), 1);
  EXPECT_EQ(server.tcp_queries(), 1);
}

// Limits::max_dns_answer_bytes bounds what is accepted: the EDNS size offered shrinks to it, and
// a TCP answer above it is a server failure.
TEST(LdnsResolver, MaxDnsAnswerBytesBoundsTheAnswer) {
  FakeQuery seen;
  FakeDnsServer server([&](const FakeQuery& q) {
    seen = q;
    return large_txt(q);
  });
  LdnsOptions options;
  options.servers = {server.address()};
  Limits limits;
  limits.dns_timeout = 200ms;
  limits.max_dns_answer_bytes = 800;
  auto small = LdnsResolver::create(options, limits);
  ASSERT_TRUE(small.has_value());
  EXPECT_EQ((*small)->query("big.example", RrType::TXT).status, Status::ServFail);
  EXPECT_EQ(seen.edns_size, 800);
  EXPECT_EQ(server.tcp_queries(), 1);  // truncated over UDP, refused over TCP by its length

  limits.max_dns_answer_bytes = 1100;  // the reply is about 1070 octets
  auto enough = LdnsResolver::create(options, limits);
  ASSERT_TRUE(enough.has_value());
  const Answer a = (*enough)->query("big.example", RrType::TXT);
  ASSERT_EQ(a.status, Status::Ok);
  EXPECT_EQ(a.txt[0].size(), 1000u);
}

// Each query carries a fresh ID (replies are matched by it); the sequence repeats rarely.
TEST(LdnsResolver, QueryIdsVary) {
  std::set<std::uint16_t> ids;
  for (int i = 0; i < 1000; ++i) ids.insert(next_query_id());
  EXPECT_GE(ids.size(), 975u);  // about 7.6 collisions expected among 1000 draws from 65536
  std::set<std::uint16_t> other;
  std::jthread([&] {
    for (int i = 0; i < 1000; ++i) other.insert(next_query_id());
  }).join();
  EXPECT_NE(ids, other);  // another thread, another key
}

TEST(LdnsResolver, FormErrToEdnsIsRetriedWithoutIt) {
  FakeDnsServer server([](const FakeQuery& q) {
    FakeReply r = answer({"example.com. 60 IN A 192.0.2.1"});
    if (q.edns) r = failure(rcode_formerr);
    return r;
  });
  auto resolver = resolver_for({server.address()});
  EXPECT_EQ(resolver->query("example.com", RrType::A).addresses,
            std::vector<IpAddress>{ip("192.0.2.1")});
  EXPECT_EQ(server.udp_queries(), 2);
}

TEST(LdnsResolver, ReplyWithWrongIdIsIgnored) {
  FakeDnsServer server([](const FakeQuery&) {
    FakeReply r = answer({"example.com. 60 IN A 192.0.2.1"});
    r.mode = FakeReply::Mode::WrongIdFirst;
    r.forged = {"example.com. 60 IN A 203.0.113.66"};
    return r;
  });
  auto resolver = resolver_for({server.address()});
  EXPECT_EQ(resolver->query("example.com", RrType::A).addresses,
            std::vector<IpAddress>{ip("192.0.2.1")});
  EXPECT_EQ(server.udp_queries(), 1);
}

TEST(LdnsResolver, UnparsableReplyIsServFail) {
  FakeDnsServer server([](const FakeQuery&) {
    FakeReply r;
    r.mode = FakeReply::Mode::Garbage;
    return r;
  });
  auto resolver = resolver_for({server.address()});
  EXPECT_EQ(resolver->query("example.com", RrType::TXT).status, Status::ServFail);
  EXPECT_EQ(server.udp_queries(), 1);
}

TEST(LdnsResolver, NextServerAfterTimeouts) {
  FakeDnsServer silent([](const FakeQuery&) { return silence(); });
  FakeDnsServer good([](const FakeQuery&) { return answer({"example.com. 60 IN A 192.0.2.1"}); });
  auto resolver = resolver_for({silent.address(), good.address()}, 1);
  EXPECT_EQ(resolver->query("example.com", RrType::A).status, Status::Ok);
  EXPECT_EQ(silent.udp_queries(), 2);
  EXPECT_EQ(good.udp_queries(), 1);
}

TEST(LdnsResolver, NextServerAfterServFail) {
  FakeDnsServer failing([](const FakeQuery&) { return failure(rcode_servfail); });
  FakeDnsServer good([](const FakeQuery&) { return answer({"example.com. 60 IN A 192.0.2.1"}); });
  auto resolver = resolver_for({failing.address(), good.address()});
  EXPECT_EQ(resolver->query("example.com", RrType::A).status, Status::Ok);
  EXPECT_EQ(failing.udp_queries(), 1);
}

TEST(LdnsResolver, ServFailWinsOverTimeoutWhenAllServersFail) {
  FakeDnsServer silent([](const FakeQuery&) { return silence(); });
  FakeDnsServer failing([](const FakeQuery&) { return failure(rcode_servfail); });
  auto resolver = resolver_for({silent.address(), failing.address()}, 0);
  EXPECT_EQ(resolver->query("example.com", RrType::A).status, Status::ServFail);
}

TEST(LdnsResolver, RefusedPortIsServFailWithoutWaiting) {
  // A port nobody listens on: the kernel answers the datagram with ICMP port unreachable.
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
  ::close(fd);
  auto resolver = resolver_for({"127.0.0.1:" + std::to_string(ntohs(a.sin_port))});
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(resolver->query("example.com", RrType::A).status, Status::ServFail);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 200ms);
}

TEST(LdnsResolver, MalformedNameIsNxDomainWithoutAQuery) {
  FakeDnsServer server([](const FakeQuery&) { return FakeReply{}; });
  auto resolver = resolver_for({server.address()});
  EXPECT_EQ(resolver->query("a..example", RrType::A).status, Status::NxDomain);
  EXPECT_EQ(resolver->query(std::string(64, 'x') + ".example", RrType::A).status, Status::NxDomain);
  EXPECT_EQ(server.udp_queries(), 0);
}

TEST(LdnsResolver, CreateRejectsBadServers) {
  for (const char* bad : {"not-an-ip", "192.0.2.1:0", "192.0.2.1:65536", "[2001:db8::1",
                          "[2001:db8::1]x", "192.0.2.1:53x"}) {
    LdnsOptions options;
    options.servers = {bad};
    auto created = LdnsResolver::create(options);
    ASSERT_FALSE(created.has_value()) << bad;
    EXPECT_EQ(created.error().code, ErrorCode::InvalidArgument) << bad;
  }
  for (const char* good :
       {"192.0.2.53", "192.0.2.53:5353", "2001:db8::53", "[2001:db8::53]:5353"}) {
    LdnsOptions options;
    options.servers = {good};
    EXPECT_TRUE(LdnsResolver::create(options).has_value()) << good;
  }
}

TEST(LdnsResolver, ResolvConfIsRead) {
  LdnsOptions missing;
  missing.resolv_conf = "/nonexistent/resolv.conf";
  auto none = LdnsResolver::create(missing);
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().code, ErrorCode::Io);

  const std::string path = ::testing::TempDir() + "mailauth_resolv.conf";
  {
    std::ofstream out(path);
    out << "# comment\nsearch example.com\nnameserver fe80::1%eth0\nnameserver 192.0.2.53\n";
  }
  LdnsOptions options;
  options.resolv_conf = path;
  EXPECT_TRUE(LdnsResolver::create(options).has_value());
  std::remove(path.c_str());
}

}  // namespace
}  // namespace auth::dns
