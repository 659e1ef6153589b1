// A map-backed Resolver for the SPF unit tests: records by (name, type), chosen failures, and
// a log of the queries made.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <auth/dns.hpp>
#include <auth/domain_name.hpp>
#include <auth/spf.hpp>

namespace auth::spf {
// Readable GoogleTest messages for results.
inline void PrintTo(Result result, std::ostream* os) { *os << to_string(result); }
}  // namespace auth::spf

namespace auth::spf::test {

class FakeResolver final : public dns::Resolver {
 public:
  FakeResolver& txt(std::string_view name, std::string text) {
    at(name, dns::RrType::TXT).txt.push_back(std::move(text));
    return *this;
  }
  FakeResolver& address(std::string_view name, std::string_view ip) {
    auto parsed = IpAddress::parse(ip).value();
    at(name, parsed.is_v4() ? dns::RrType::A : dns::RrType::AAAA).addresses.push_back(parsed);
    return *this;
  }
  FakeResolver& mx(std::string_view name, std::uint16_t preference, std::string exchange) {
    at(name, dns::RrType::MX).mx.push_back({preference, std::move(exchange)});
    return *this;
  }
  FakeResolver& ptr(std::string_view ip, std::string name) {
    at(IpAddress::parse(ip).value().reverse_name(), dns::RrType::PTR)
        .names.push_back(std::move(name));
    return *this;
  }
  FakeResolver& status(std::string_view name, dns::RrType type, dns::Status s) {
    at(name, type).status = s;
    return *this;
  }

  dns::Answer query(std::string_view name, dns::RrType type) override {
    const std::string key = to_lower(name);
    log_.emplace_back(key, type);
    const auto it = answers_.find({key, type});
    if (it != answers_.end()) return it->second;
    // A name with records of another type exists (NODATA); others are NXDOMAIN.
    for (const auto& [k, _] : answers_)
      if (k.first == key) return {};
    dns::Answer nx;
    nx.status = dns::Status::NxDomain;
    return nx;
  }

  const std::vector<std::pair<std::string, dns::RrType>>& log() const { return log_; }
  std::size_t count(dns::RrType type) const {
    std::size_t n = 0;
    for (const auto& q : log_) n += q.second == type;
    return n;
  }

 private:
  dns::Answer& at(std::string_view name, dns::RrType type) {
    return answers_[{to_lower(name), type}];
  }
  std::map<std::pair<std::string, dns::RrType>, dns::Answer> answers_;
  std::vector<std::pair<std::string, dns::RrType>> log_;
};

}  // namespace auth::spf::test
