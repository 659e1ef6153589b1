// RFC 7208 §4.6.4's elapsed-time limit on one check_host(): a Resolver decorator that answers
// every query past the deadline with a timeout, without asking DNS, and remembers that it did.
// The evaluator then meets a temperror at its next lookup and the checker reports the budget.
#pragma once

#include <auth/clock.hpp>
#include <auth/dns.hpp>

namespace auth::spf {

class TimeBudgetResolver final : public dns::Resolver {
 public:
  // The budget runs from now: queries are refused once `budget` has passed on `clock`.
  TimeBudgetResolver(dns::Resolver& upstream, const Clock& clock, std::chrono::seconds budget)
      : upstream_(upstream), clock_(clock), deadline_(clock.now() + budget) {}

  dns::Answer query(std::string_view name, dns::RrType type) override;
  std::shared_ptr<const dns::SharedAnswer> query_shared(std::string_view name,
                                                        dns::RrType type) override;
  void prefetch(std::string_view name, dns::RrType type) override {
    upstream_.prefetch(name, type);
  }

  // True once a query was refused: the check did not finish within its budget.
  bool exhausted() const { return exhausted_; }

 private:
  bool out_of_time();

  dns::Resolver& upstream_;
  const Clock& clock_;
  TimePoint deadline_;
  bool exhausted_ = false;
};

}  // namespace auth::spf
