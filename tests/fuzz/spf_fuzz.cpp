// Fuzzes SPF record evaluation: the input is the TXT RRset of example.com (one record per line;
// a line starting with '&' adds one more record to the previous name) and of l1.example.com,
// l2.example.com, ... for the following lines, so records can include each other. Other names
// come from a fixed zone. check_host runs for a few clients. Invariants: the mechanism is empty
// exactly for none/temperror/permerror as documented, a verdict never comes past the lookup
// limits, and the Authentication-Results entry built from the result parses back equal
// (control characters aside, see authres_check.hpp).
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <auth/authres.hpp>
#include <auth/clock.hpp>
#include <auth/dns.hpp>
#include <auth/domain_name.hpp>
#include <auth/ip_address.hpp>
#include <auth/limits.hpp>
#include <auth/spf.hpp>

#include "authres_check.hpp"
#include "fuzz_check.hpp"

namespace {

constexpr std::string_view fixed_zone = R"zone($ORIGIN example.com.
$TTL 300
@ A 192.0.2.1
@ MX 10 mx.example.com.
@ MX 20 mx2.example.com.
mx A 192.0.2.10
mx AAAA 2001:db8::10
mx2 CNAME mx.example.com.
mail A 192.0.2.1
_spf TXT "v=spf1 ip4:198.51.100.0/24 ip6:2001:db8::/32 -all"
exp TXT "%{i} is not allowed by %{d} (%{l}@%{o} via %{h})"
loop TXT "v=spf1 include:loop.example.com -all"
1.2.0.192.in-addr.arpa. PTR mail.example.com.
$SERVFAIL broken.example.com
$TIMEOUT slow.example.com
)zone";

// TXT at example.com and lN.example.com from the input, everything else from the fixed zone.
class FuzzResolver final : public auth::dns::Resolver {
 public:
  FuzzResolver(std::string_view input, auth::dns::Resolver& fallback) : fallback_(fallback) {
    std::string name = "example.com";
    std::size_t next = 1;
    bool first = true;
    while (true) {
      const auto end = input.find('\n');
      std::string_view line = input.substr(0, end);
      if (!first && !line.empty() && line.front() == '&') {
        line.remove_prefix(1);
      } else if (!first) {
        name = "l" + std::to_string(next++) + ".example.com";
      }
      first = false;
      txt_[name].emplace_back(line);
      if (end == std::string_view::npos || next > 8) break;
      input.remove_prefix(end + 1);
    }
  }

  auth::dns::Answer query(std::string_view name, auth::dns::RrType type) override {
    if (type == auth::dns::RrType::TXT) {
      std::string key = auth::to_lower(name);
      if (!key.empty() && key.back() == '.') key.pop_back();
      if (const auto found = txt_.find(key); found != txt_.end()) {
        auth::dns::Answer answer;
        answer.ttl = 300;
        answer.txt = found->second;
        return answer;
      }
    }
    return fallback_.query(name, type);
  }

 private:
  auth::dns::Resolver& fallback_;
  std::map<std::string, std::vector<std::string>> txt_;
};

void check(const auth::spf::SpfResult& result, const auth::Limits& limits) {
  using auth::spf::Result;
  const bool verdict = result.result != Result::None && result.result != Result::TempError &&
                       result.result != Result::PermError;
  FUZZ_CHECK(verdict != result.mechanism.empty());
  if (verdict) {
    FUZZ_CHECK(result.lookups <= limits.spf_dns_lookups);
    FUZZ_CHECK(result.void_lookups <= limits.spf_void_lookups);
  }
  auth::authres::AuthenticationResults results;
  results.authserv_id = "mx.example.org";
  results.results.push_back(auth::spf::to_method_result(result));
  auth::fuzz::check_round_trip(results);
  FUZZ_CHECK(!auth::spf::received_spf(result, "mx.example.org").empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::unique_ptr<auth::dns::ZoneResolver> zone = [] {
    auto loaded = auth::dns::ZoneResolver::from_string(fixed_zone, "spf_fuzz fixed zone");
    if (!loaded) auth::fuzz::invariant_failed("fixed zone loads", __FILE__, __LINE__);
    return std::move(*loaded);
  }();
  FuzzResolver resolver(auth::fuzz::as_text(data, size), *zone);
  const auth::Limits limits;
  const auto clock = auth::FixedClock::at_unix(1700000000);
  const auth::spf::Checker checker(resolver, limits, clock);

  for (const char* client : {"192.0.2.1", "198.51.100.7", "2001:db8::10", "::ffff:192.0.2.10"}) {
    const auto ip = auth::IpAddress::parse(client);
    if (!ip) auth::fuzz::invariant_failed("client address parses", __FILE__, __LINE__);
    check(checker.check_host(*ip, "example.com", "user@example.com", "mail.example.com"), limits);
  }
  const auto ip = auth::IpAddress::parse("192.0.2.77");
  check(checker.check_mail_from(*ip, "<>", "example.com"), limits);
  return 0;
}
