#include <auth/dns.hpp>

namespace auth::dns {

const AnswerMemo* SharedAnswer::attach(std::unique_ptr<const AnswerMemo> memo) const {
  const AnswerMemo* expected = nullptr;
  if (memo_.compare_exchange_strong(expected, memo.get(), std::memory_order_acq_rel))
    return memo.release();
  return expected;  // another reader was first; ours is dropped
}

std::shared_ptr<const SharedAnswer> Resolver::query_shared(std::string_view name, RrType type) {
  return std::make_shared<const SharedAnswer>(query(name, type));
}

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
