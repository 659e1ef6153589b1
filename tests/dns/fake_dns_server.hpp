// A small DNS server on 127.0.0.1 for LdnsResolver tests: UDP and TCP on one ephemeral port,
// answers built with ldns from what a handler returns. It stops when destroyed, and on its own
// after `lifetime` so a stuck test cannot leave it running.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace auth::dns::testing {

struct FakeQuery {
  std::string name;  // as sent, without the trailing dot
  std::uint16_t type = 0;
  bool tcp = false;
  bool edns = false;
  std::uint16_t edns_size = 0;
};

struct FakeReply {
  enum class Mode {
    Answer,        // send the reply (truncated over UDP when it exceeds the client's size)
    Silent,        // send nothing: the client times out
    Truncate,      // over UDP, send an empty reply with TC set; over TCP, the full reply
    WrongIdFirst,  // over UDP, first a reply with another message ID and `forged` as its
                   // answer section, then the real one
    Garbage,       // a header echoing the ID with QR set, then bytes that do not parse
  };
  Mode mode = Mode::Answer;
  std::uint8_t rcode = 0;           // LDNS_RCODE_*
  std::vector<std::string> answer;  // RRs in master-file form, absolute names
  std::vector<std::string> authority;
  std::vector<std::string> forged;  // WrongIdFirst only
};

class FakeDnsServer {
 public:
  using Handler = std::function<FakeReply(const FakeQuery&)>;

  explicit FakeDnsServer(Handler handler, std::chrono::seconds lifetime = std::chrono::seconds(30));
  ~FakeDnsServer();
  FakeDnsServer(const FakeDnsServer&) = delete;
  FakeDnsServer& operator=(const FakeDnsServer&) = delete;

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  int udp_queries() const { return udp_queries_.load(); }
  int tcp_queries() const { return tcp_queries_.load(); }
  int errors() const { return errors_.load(); }  // replies the handler described badly

 private:
  void serve(std::stop_token stop, std::chrono::steady_clock::time_point until);
  std::vector<std::vector<std::uint8_t>> respond(const std::vector<std::uint8_t>& query, bool tcp);
  void serve_tcp_client(int fd);

  Handler handler_;
  int udp_fd_ = -1;
  int tcp_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<int> udp_queries_{0};
  std::atomic<int> tcp_queries_{0};
  std::atomic<int> errors_{0};
  std::jthread thread_;  // last: stops before the sockets close
};

}  // namespace auth::dns::testing
