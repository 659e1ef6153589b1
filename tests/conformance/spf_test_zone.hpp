// An in-test Resolver with the conventions of the pyspf test driver (see
// ../shared/conformance/README.md, SPF section) and of the stalwart line format.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <auth/dns.hpp>

namespace YAML {
class Node;
}

namespace mailauth::test {

class SpfTestZone final : public auth::dns::Resolver {
 public:
  // `zonedata` of one OpenSPF YAML scenario.
  static SpfTestZone from_yaml(const YAML::Node& zonedata);

  struct Rr {
    auth::dns::RrType type;
    std::string text;  // TXT text, PTR/CNAME target, MX exchange
    auth::IpAddress address;
    std::uint16_t preference = 0;
  };
  struct Name {
    std::vector<Rr> records;
    bool has_timeout_marker = false;
    std::set<auth::dns::RrType> before_marker;         // types listed before a bare TIMEOUT
    auth::dns::Status forced = auth::dns::Status::Ok;  // TIMEOUT: true / SERVFAIL: true
  };

  void add(std::string_view name, Rr rr);
  void set_status(std::string_view name, auth::dns::Status status);
  Name& entry(std::string_view name);
  // Names containing this text answer SERVFAIL (stalwart's "_dns_error.").
  void set_servfail_marker(std::string marker) { servfail_marker_ = std::move(marker); }

  auth::dns::Answer query(std::string_view name, auth::dns::RrType type) override;

 private:
  std::map<std::string, Name> names_;
  std::string servfail_marker_;
};

}  // namespace mailauth::test
