// The checks of spf_typical_bench.cpp through libspf2 1.2, compiled only when CMake finds libspf2
// (not a project dependency; install libspf2-dev to compare):
//   BM_Libspf2TypicalCached     libspf2's cache layer, warm (over its zone layer holding the
//                               records of testdata/spf/typical.zone)
//   BM_Libspf2TypicalUncached   libspf2's resolv layer (res_nquery per lookup). resolv.conf
//                               cannot name a port, so this needs the loopback server on
//                               127.0.0.1:53 and resolv.conf pointing there: run the bench in
//                               private namespaces (see bench/README.md); otherwise it skips.
#include <benchmark/benchmark.h>

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <sys/socket.h>
#include <sys/types.h>

extern "C" {
#include <spf2/spf.h>
#include <spf2/spf_dns_cache.h>
#include <spf2/spf_dns_zone.h>
}

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "support/loopback_dns_server.hpp"
#include "support/typical_spf.hpp"

namespace {

struct ServerDeleter {
  void operator()(SPF_server_t* s) const { SPF_server_free(s); }
};
using ServerPtr = std::unique_ptr<SPF_server_t, ServerDeleter>;

bool check(SPF_server_t* server) {
  SPF_request_t* request = SPF_request_new(server);
  SPF_request_set_ipv4_str(request, auth::bench::typical_client);
  SPF_request_set_helo_dom(request, auth::bench::typical_helo);
  SPF_request_set_env_from(request, auth::bench::typical_sender);
  SPF_response_t* response = nullptr;
  SPF_request_query_mailfrom(request, &response);
  const bool pass = response != nullptr && SPF_response_result(response) == SPF_RESULT_PASS;
  SPF_response_free(response);
  SPF_request_free(request);
  return pass;
}

// testdata/spf/typical.zone in libspf2's zone form (MX data is the exchange alone).
SPF_dns_server_t* typical_zone() {
  SPF_dns_server_t* zone = SPF_dns_zone_new(nullptr, "typical", 0);
  struct Record {
    const char* name;
    ns_type type;
    const char* data;
  };
  const Record records[] = {
      {"example.com", ns_t_txt,
       "v=spf1 mx a include:_spf.esp.example include:spf.crm.example -all"},
      {"example.com", ns_t_mx, "mx1.example.com"},
      {"example.com", ns_t_mx, "mx2.example.com"},
      {"example.com", ns_t_a, "192.0.2.10"},
      {"mx1.example.com", ns_t_a, "192.0.2.25"},
      {"mx2.example.com", ns_t_a, "192.0.2.26"},
      {"_spf.esp.example", ns_t_txt,
       "v=spf1 ip4:198.51.100.0/24 ip4:203.0.113.0/24 ip6:2001:db8:1::/48 ~all"},
      {"spf.crm.example", ns_t_txt, "v=spf1 ip4:198.18.0.0/15 ip6:2001:db8:c0::/48 ~all"},
  };
  for (const Record& r : records) SPF_dns_zone_add_str(zone, r.name, r.type, NETDB_SUCCESS, r.data);
  return zone;
}

void BM_Libspf2TypicalCached(benchmark::State& state) {
  SPF_dns_server_t* cache = SPF_dns_cache_new(typical_zone(), "cache", 0, 12);
  SPF_dns_cache_set_ttl(cache, 3600, 3600, 3600, 3600);  // the zone's TTL
  ServerPtr server(SPF_server_new_dns(cache, 0));
  if (!check(server.get())) {
    state.SkipWithError("libspf2 did not pass the typical check");
    return;
  }
  for (auto _ : state) {
    if (!check(server.get())) {
      state.SkipWithError("libspf2 did not pass the typical check");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Libspf2TypicalCached)->UseRealTime();

bool resolv_conf_is_loopback() {
  std::ifstream in("/etc/resolv.conf");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string keyword, address;
    if (words >> keyword >> address && keyword == "nameserver") return address == "127.0.0.1";
  }
  return false;
}

void BM_Libspf2TypicalUncached(benchmark::State& state) {
  if (!resolv_conf_is_loopback()) {
    state.SkipWithError("needs resolv.conf naming 127.0.0.1 first (see bench/README.md)");
    return;
  }
  std::unique_ptr<auth::bench::LoopbackDnsServer> dns;
  try {
    dns = std::make_unique<auth::bench::LoopbackDnsServer>(auth::bench::typical_zone_path(), 53);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  ServerPtr server(SPF_server_new(SPF_DNS_RESOLV, 0));
  for (auto _ : state) {
    if (!check(server.get())) {
      state.SkipWithError("libspf2 did not pass the typical check");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["queries_per_check"] = benchmark::Counter(static_cast<double>(dns->queries()) /
                                                           static_cast<double>(state.iterations()));
}
BENCHMARK(BM_Libspf2TypicalUncached)->UseRealTime();

}  // namespace
