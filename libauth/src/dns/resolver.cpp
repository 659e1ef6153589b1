#include <auth/dns.hpp>

namespace auth::dns {

std::string_view to_string(RrType type) {
  switch (type) {
    case RrType::A:
      return "A";
    case RrType::CNAME:
      return "CNAME";
    case RrType::PTR:
      return "PTR";
    case RrType::MX:
      return "MX";
    case RrType::TXT:
      return "TXT";
    case RrType::AAAA:
      return "AAAA";
  }
  return "unknown";
}

std::string_view to_string(Status status) {
  switch (status) {
    case Status::Ok:
      return "ok";
    case Status::NxDomain:
      return "nxdomain";
    case Status::ServFail:
      return "servfail";
    case Status::Timeout:
      return "timeout";
  }
  return "unknown";
}

}  // namespace auth::dns
