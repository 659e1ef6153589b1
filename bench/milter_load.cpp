// mailauth-milter-load: a milter-protocol load generator. It plays the MTA (protocol version 6,
// as Postfix speaks it) against a running milter, with no MTA in between, and reports messages
// per second for two workloads at several numbers of concurrent connections:
//   verify  a DKIM-signed message from an outside client (203.0.113.5, in sender.example's SPF):
//           the milter must add an Authentication-Results field with dkim=pass;
//   sign    a message from carol@internal.example sent by an internal client (127.0.0.1): the
//           milter must add a DKIM-Signature field.
// Run the milter with DNS from testdata/milter/lab.zone and a signer for internal.example, e.g.
//   mailauth-milter --socket inet:8891@127.0.0.1 --mode both --dns_zone testdata/milter/lab.zone
//     --signer internal.example:out:KEY   (KEY: a 0600 copy of testdata/keys/rsa2048.pkcs8.pem)
//   mailauth-milter-load --socket inet:8891@127.0.0.1 --connections 1,4,16 --messages 2000
//
// A standalone program rather than a Google Benchmark case: it measures another process over a
// socket, by a fixed number of messages per run and by concurrency in connections, and it can be
// pointed at any milter (OpenDKIM, OpenARC) for comparison. The figures depend on that process
// and its configuration, not on this program; it only checks that every answer is the expected
// one and counts the messages that are not.
//
// Like Postfix, the client keeps Nagle's algorithm on, skips the steps the milter declines
// (SMFIP_NO*), waits for no reply where the milter asked for none (SMFIP_NR_*), and sends each
// message in two writes: envelope (the previous transaction's abort, CONNECT to RCPT), then
// headers, body and end of message.
#include <arpa/inet.h>
#include <libmilter/mfapi.h>
#include <libmilter/mfdef.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/program_options.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <auth/clock.hpp>
#include <auth/crypto.hpp>
#include <auth/dkim.hpp>

namespace {

namespace po = boost::program_options;
using Clock = std::chrono::steady_clock;

// One message as the MTA hands it over: envelope, header fields (values without the space after
// the colon) and a CRLF body.
struct Workload {
  std::string name;
  std::string client_ip;
  std::string helo;
  std::string mail_from;
  std::vector<std::pair<std::string, std::string>> fields;
  std::string body;
  std::string expected_field;  // a field the milter must insert...
  std::string expected_text;   // ...whose value contains this
};

std::vector<std::pair<std::string, std::string>> base_fields(const std::string& from) {
  return {{"From", from},
          {"To", "bob@mx.example.net"},
          {"Subject", "mailauth-milter-load"},
          {"Date", "Sat, 05 Dec 2026 12:00:00 +0000"},
          {"Message-ID", "<load@mailauth.example>"},
          {"MIME-Version", "1.0"},
          {"Content-Type", "text/plain; charset=us-ascii"}};
}

std::string base_body(std::size_t lines) {
  std::string body;
  for (std::size_t i = 0; i < lines; ++i)
    body += "Line " + std::to_string(i) + " of a short business message, signed and checked.\r\n";
  return body;
}

// The verify workload's message, signed as sender.example selector s1 (testdata/milter/lab.zone).
Workload verify_workload(const std::string& key_file, std::size_t body_lines) {
  auto key = auth::crypto::PrivateKey::from_file(key_file);
  if (!key) throw std::runtime_error(key.error().message);
  auth::dkim::SignerOptions options;
  options.domain = "sender.example";
  options.selector = "s1";
  options.key = std::make_shared<const auth::crypto::PrivateKey>(std::move(*key));
  auth::SystemClock clock;
  auto signer = auth::dkim::Signer::create(options, clock);
  if (!signer) throw std::runtime_error(signer.error().message);
  Workload w{"verify",
             "203.0.113.5",
             "mail.sender.example",
             "<alice@sender.example>",
             base_fields("Alice <alice@sender.example>"),
             base_body(body_lines),
             "Authentication-Results",
             "dkim=pass"};
  for (const auto& [name, value] : w.fields) signer->header(name, " " + value);
  signer->end_of_headers();
  signer->body(w.body);
  auto signatures = signer->finish();
  if (!signatures) throw std::runtime_error(signatures.error().message);
  for (const auto& field : *signatures) {
    std::string value = field.raw_value.substr(field.raw_value.starts_with(' ') ? 1 : 0);
    // The MTA passes folded values with bare LF, as libmilter expects.
    std::string lf;
    for (std::size_t i = 0; i < value.size(); ++i)
      if (!(value[i] == '\r' && i + 1 < value.size() && value[i + 1] == '\n')) lf += value[i];
    w.fields.insert(w.fields.begin(), {field.name, lf});
  }
  return w;
}

Workload sign_workload(std::size_t body_lines) {
  return Workload{"sign",
                  "127.0.0.1",
                  "laptop.internal.example",
                  "<carol@internal.example>",
                  base_fields("Carol <carol@internal.example>"),
                  base_body(body_lines),
                  "DKIM-Signature",
                  "d=internal.example"};
}

// --- the wire ---------------------------------------------------------------------------------

void put_packet(std::string& out, char command, std::string_view data = {}) {
  const std::uint32_t size = htonl(static_cast<std::uint32_t>(data.size() + 1));
  out.append(reinterpret_cast<const char*>(&size), 4);
  out += command;
  out += data;
}

std::string z(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view part : parts) {
    out += part;
    out += '\0';
  }
  return out;
}

class Connection {
 public:
  explicit Connection(const std::string& socket) {
    if (socket.starts_with("unix:") || socket.starts_with("local:")) {
      const std::string path = socket.substr(socket.find(':') + 1);
      sockaddr_un address{};
      address.sun_family = AF_UNIX;
      if (path.size() >= sizeof address.sun_path) throw std::runtime_error("socket path too long");
      path.copy(address.sun_path, path.size());
      open(AF_UNIX, reinterpret_cast<sockaddr*>(&address), sizeof address, socket);
      return;
    }
    const bool v6 = socket.starts_with("inet6:");
    if (!v6 && !socket.starts_with("inet:"))
      throw std::runtime_error("--socket: '" + socket + "' is not inet:PORT@HOST or unix:PATH");
    const std::string rest = socket.substr(v6 ? 6 : 5);
    const std::size_t at = rest.find('@');
    const int port = std::stoi(rest.substr(0, at));
    const std::string host =
        at == std::string::npos ? (v6 ? "::1" : "127.0.0.1") : rest.substr(at + 1);
    if (v6) {
      sockaddr_in6 address{};
      address.sin6_family = AF_INET6;
      address.sin6_port = htons(static_cast<std::uint16_t>(port));
      if (inet_pton(AF_INET6, host.c_str(), &address.sin6_addr) != 1)
        throw std::runtime_error("--socket: bad IPv6 address " + host);
      open(AF_INET6, reinterpret_cast<sockaddr*>(&address), sizeof address, socket);
    } else {
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_port = htons(static_cast<std::uint16_t>(port));
      if (inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1)
        throw std::runtime_error("--socket: bad IPv4 address " + host);
      open(AF_INET, reinterpret_cast<sockaddr*>(&address), sizeof address, socket);
    }
  }
  ~Connection() {
    if (fd_ >= 0) close(fd_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void write(const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error(std::string("send: ") + std::strerror(errno));
      done += static_cast<std::size_t>(n);
    }
  }

  // One reply packet: its command and data.
  std::pair<char, std::string> read_packet() {
    std::uint32_t size = 0;
    read_exact(reinterpret_cast<char*>(&size), 4);
    size = ntohl(size);
    if (size < 1 || size > (1u << 24)) throw std::runtime_error("bad reply length");
    std::string packet(size, '\0');
    read_exact(packet.data(), size);
    return {packet[0], packet.substr(1)};
  }

 private:
  void open(int family, const sockaddr* address, socklen_t size, const std::string& name) {
    fd_ = ::socket(family, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    const timeval timeout{30, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (connect(fd_, address, size) != 0)
      throw std::runtime_error("cannot connect to " + name + ": " + std::strerror(errno));
  }
  void read_exact(char* out, std::size_t size) {
    std::size_t done = 0;
    while (done < size) {
      const ssize_t n = recv(fd_, out + done, size - done, 0);
      if (n == 0) throw std::runtime_error("the milter closed the connection");
      if (n < 0) throw std::runtime_error(std::string("recv: ") + std::strerror(errno));
      done += static_cast<std::size_t>(n);
    }
  }
  int fd_ = -1;
};

// The MTA side of one milter connection.
class MtaSession {
 public:
  MtaSession(const std::string& socket, const Workload& w) : connection_(socket), w_(w) {
    std::string optneg;
    const std::uint32_t words[3] = {htonl(6), htonl(0x1FF), htonl(0x1FFFFF)};
    optneg.append(reinterpret_cast<const char*>(words), sizeof words);
    std::string out;
    put_packet(out, SMFIC_OPTNEG, optneg);
    connection_.write(out);
    const auto [code, data] = connection_.read_packet();
    if (code != SMFIC_OPTNEG || data.size() < 12)
      throw std::runtime_error("the milter refused the negotiation");
    std::uint32_t granted[3];
    std::memcpy(granted, data.data(), sizeof granted);
    steps_ = ntohl(granted[2]);
  }

  // One message; returns whether the milter's answer was the expected one.
  bool message(bool first_on_connection) {
    std::string out = std::move(pending_);
    pending_.clear();
    std::size_t replies = 0;  // replies due for the commands in `out`
    auto command = [&](char cmd, const std::string& data, unsigned long skip,
                       unsigned long no_reply) {
      if ((steps_ & skip) != 0) return;
      put_packet(out, cmd, data);
      if ((steps_ & no_reply) == 0) ++replies;
    };
    auto flush = [&] {
      connection_.write(out);
      out.clear();
      for (; replies > 0; --replies) {
        const char code = connection_.read_packet().first;
        if (code != SMFIR_CONTINUE) throw std::runtime_error("unexpected reply before the end");
      }
    };
    if (first_on_connection) {
      put_packet(out, SMFIC_MACRO, std::string(1, SMFIC_CONNECT) + z({"{daemon_name}", "mx"}));
      const bool v6 = w_.client_ip.find(':') != std::string::npos;
      std::string connect = z({w_.helo}) + (v6 ? "6" : "4");
      const std::uint16_t port = htons(40000);
      connect.append(reinterpret_cast<const char*>(&port), 2);
      connect += z({w_.client_ip});
      command(SMFIC_CONNECT, connect, SMFIP_NOCONNECT, SMFIP_NR_CONN);
      command(SMFIC_HELO, z({w_.helo}), SMFIP_NOHELO, SMFIP_NR_HELO);
    }
    command(SMFIC_MAIL, z({w_.mail_from}), SMFIP_NOMAIL, SMFIP_NR_MAIL);
    command(SMFIC_RCPT, z({"<bob@mx.example.net>"}), SMFIP_NORCPT, SMFIP_NR_RCPT);
    flush();  // Postfix's smtpd writes the envelope when DATA arrives...
    const bool leading_space = (steps_ & SMFIP_HDR_LEADSPC) != 0;
    for (const auto& [name, value] : w_.fields)  // ...and cleanup the content
      command(SMFIC_HEADER, z({name, leading_space ? " " + value : value}), SMFIP_NOHDRS,
              SMFIP_NR_HDR);
    command(SMFIC_EOH, "", SMFIP_NOEOH, SMFIP_NR_EOH);
    command(SMFIC_BODY, w_.body, SMFIP_NOBODY, SMFIP_NR_BODY);
    put_packet(out, SMFIC_MACRO, std::string(1, SMFIC_BODYEOB) + z({"{i}", "4LoadQ1d"}));
    put_packet(out, SMFIC_BODYEOB);
    connection_.write(out);
    out.clear();
    for (; replies > 0; --replies)
      if (connection_.read_packet().first != SMFIR_CONTINUE)
        throw std::runtime_error("unexpected reply to a header or body chunk");
    bool found = false;
    for (;;) {
      const auto [code, data] = connection_.read_packet();
      if (code == SMFIR_INSHEADER || code == SMFIR_ADDHEADER) {
        const std::size_t start = code == SMFIR_INSHEADER ? 4 : 0;
        const std::size_t nul = data.find('\0', start);
        if (nul != std::string::npos && data.compare(start, nul - start, w_.expected_field) == 0 &&
            data.find(w_.expected_text, nul) != std::string::npos)
          found = true;
        continue;
      }
      if (code == SMFIR_PROGRESS || code == SMFIR_CHGHEADER || code == SMFIR_QUARANTINE) continue;
      // Postfix ends each transaction with an abort, written with what comes next.
      put_packet(pending_, SMFIC_ABORT);
      return (code == SMFIR_CONTINUE || code == SMFIR_ACCEPT) && found;
    }
  }

  void quit() {
    put_packet(pending_, SMFIC_QUIT);
    connection_.write(pending_);
  }

 private:
  Connection connection_;
  const Workload& w_;
  unsigned long steps_ = 0;
  std::string pending_;  // commands that need no reply, sent with the next write
};

struct RunResult {
  double seconds = 0;
  std::size_t messages = 0;
  std::size_t unexpected = 0;
  std::vector<double> latencies_ms;
};

RunResult run(const std::string& socket, const Workload& w, unsigned connections,
              std::size_t messages, std::size_t per_connection) {
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> unexpected{0};
  std::mutex mutex;
  std::vector<double> latencies;
  std::string failure;
  const auto started = Clock::now();
  {
    std::vector<std::jthread> threads;
    for (unsigned c = 0; c < connections; ++c)
      threads.emplace_back([&] {
        std::vector<double> mine;
        try {
          while (next.load() < messages) {
            MtaSession session(socket, w);
            for (std::size_t n = 0; per_connection == 0 || n < per_connection; ++n) {
              if (next.fetch_add(1) >= messages) break;
              const auto begin = Clock::now();
              if (!session.message(n == 0)) ++unexpected;
              mine.push_back(
                  std::chrono::duration<double, std::milli>(Clock::now() - begin).count());
            }
            session.quit();
          }
        } catch (const std::exception& e) {
          const std::lock_guard lock(mutex);
          if (failure.empty()) failure = e.what();
          next = messages;
        }
        const std::lock_guard lock(mutex);
        latencies.insert(latencies.end(), mine.begin(), mine.end());
      });
  }
  if (!failure.empty()) throw std::runtime_error(failure);
  RunResult result;
  result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  result.messages = latencies.size();
  result.unexpected = unexpected;
  result.latencies_ms = std::move(latencies);
  std::sort(result.latencies_ms.begin(), result.latencies_ms.end());
  return result;
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(index, sorted.size() - 1)];
}

std::vector<unsigned> parse_counts(const std::string& text) {
  std::vector<unsigned> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    const int n = std::stoi(item);
    if (n < 1 || n > 1024) throw std::invalid_argument("connections must be 1..1024");
    out.push_back(static_cast<unsigned>(n));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description options(
      "Usage: mailauth-milter-load --socket SPEC [options]\n"
      "Milter-protocol load generator: messages per second of a running milter for the verify\n"
      "and sign workloads (see the top of bench/milter_load.cpp for the milter's setup).\n"
      "Exit codes: 0 every answer as expected, 1 some were not, 2 usage or connection error.\n"
      "Options");
  options.add_options()("help,h", "print this help and exit")(
      "socket", po::value<std::string>()->default_value("inet:8891@127.0.0.1"),
      "the milter: inet:PORT@HOST, inet6:PORT@HOST or unix:PATH")(
      "workload", po::value<std::string>()->default_value("verify,sign"), "verify, sign or both")(
      "connections", po::value<std::string>()->default_value("1,4,16"),
      "concurrent connections, one run per number")(
      "messages", po::value<std::size_t>()->default_value(2000), "messages per run")(
      "per-connection", po::value<std::size_t>()->default_value(1),
      "messages per connection before reconnecting (1: a new connection per message, as "
      "Postfix makes for one-message SMTP sessions; 0: never)")(
      "body-lines", po::value<std::size_t>()->default_value(12), "lines of body text (~70 bytes)")(
      "key", po::value<std::string>()->default_value(MAILAUTH_TESTDATA "/keys/rsa2048.pkcs8.pem"),
      "the private key of sender.example selector s1 (signs the verify workload)")(
      "warmup", po::value<std::size_t>()->default_value(50), "messages sent before each run");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, options), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "mailauth-milter-load: " << e.what() << "\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << options << "\n";
    return 0;
  }
  try {
    const std::string socket = vm["socket"].as<std::string>();
    const std::size_t messages = vm["messages"].as<std::size_t>();
    const std::size_t per_connection = vm["per-connection"].as<std::size_t>();
    const std::size_t lines = vm["body-lines"].as<std::size_t>();
    const std::vector<unsigned> counts = parse_counts(vm["connections"].as<std::string>());
    std::vector<Workload> workloads;
    std::stringstream names(vm["workload"].as<std::string>());
    for (std::string name; std::getline(names, name, ',');) {
      if (name == "verify")
        workloads.push_back(verify_workload(vm["key"].as<std::string>(), lines));
      else if (name == "sign")
        workloads.push_back(sign_workload(lines));
      else
        throw std::invalid_argument("--workload: '" + name + "' is not verify or sign");
    }
    std::printf("%-8s %11s %9s %9s %10s %8s %8s %10s\n", "workload", "connections", "messages",
                "seconds", "msg/s", "p50 ms", "p99 ms", "unexpected");
    std::size_t unexpected = 0;
    for (const Workload& w : workloads)
      for (unsigned connections : counts) {
        if (const std::size_t warmup = vm["warmup"].as<std::size_t>(); warmup > 0)
          run(socket, w, connections, warmup, per_connection);
        const RunResult r = run(socket, w, connections, messages, per_connection);
        unexpected += r.unexpected;
        std::printf("%-8s %11u %9zu %9.2f %10.1f %8.2f %8.2f %10zu\n", w.name.c_str(), connections,
                    r.messages, r.seconds, static_cast<double>(r.messages) / r.seconds,
                    percentile(r.latencies_ms, 0.5), percentile(r.latencies_ms, 0.99),
                    r.unexpected);
        std::fflush(stdout);
      }
    return unexpected == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "mailauth-milter-load: " << e.what() << "\n";
    return 2;
  }
}
