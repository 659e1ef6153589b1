// RFC 7208 §4.5 record selection and §4.6 / §12 record syntax.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <auth/error.hpp>
#include <auth/ip_address.hpp>
#include <auth/spf.hpp>

namespace auth::spf {

enum class Qualifier { Pass, Fail, SoftFail, Neutral };  // + - ~ ?
Result result_of(Qualifier qualifier);

enum class MechanismKind { All, Include, A, Mx, Ptr, Ip4, Ip6, Exists };

struct Directive {
  Qualifier qualifier = Qualifier::Pass;
  MechanismKind kind = MechanismKind::All;
  std::string_view domain_spec;  // macro-string; empty means <domain> (a, mx, ptr without ':')
  IpAddress network;             // ip4, ip6
  unsigned cidr4 = 32;           // a, mx, ip4
  unsigned cidr6 = 128;          // a, mx, ip6
  std::string_view text;         // the term as written
  bool queries_dns() const {
    return kind != MechanismKind::All && kind != MechanismKind::Ip4 && kind != MechanismKind::Ip6;
  }
};

// Views into the parsed text, which must outlive the Record.
struct Record {
  std::vector<Directive> directives;
  std::optional<std::string_view> redirect;  // domain-spec of redirect=
  std::optional<std::string_view> exp;       // domain-spec of exp=
};

// A TXT string is an SPF record when it starts with "v=spf1" (any case) followed by SP or its end.
bool is_spf_record(std::string_view txt);

// Parses a whole record (starting with the version); the Record refers into `txt`.  any syntax
// error anywhere is an Error (Syntax) naming the term at fault, so check_host() can return
// permerror before evaluating.
Expected<Record> parse_record(std::string_view txt);

}  // namespace auth::spf
