#include "spf/time_budget.hpp"

namespace auth::spf {

bool TimeBudgetResolver::out_of_time() {
  if (!exhausted_ && clock_.now() >= deadline_) exhausted_ = true;
  return exhausted_;
}

dns::Answer TimeBudgetResolver::query(std::string_view name, dns::RrType type) {
  if (out_of_time()) {
    dns::Answer refused;
    refused.status = dns::Status::Timeout;
    return refused;
  }
  return upstream_.query(name, type);
}

std::shared_ptr<const dns::SharedAnswer> TimeBudgetResolver::query_shared(std::string_view name,
                                                                          dns::RrType type) {
  if (out_of_time()) {
    // One immutable refusal for every check: nothing is allocated once the budget is spent.
    static const auto refused = [] {
      dns::Answer answer;
      answer.status = dns::Status::Timeout;
      return std::make_shared<const dns::SharedAnswer>(std::move(answer));
    }();
    return refused;
  }
  return upstream_.query_shared(name, type);
}

}  // namespace auth::spf
