// What DMARC takes from SPF and DKIM results, and the dmarc method of Authentication-Results
// (RFC 8601 §2.7, RFC 9989 §9.1).
#include <auth/dmarc.hpp>

namespace auth::dmarc {

SpfIdentity spf_identity(const spf::SpfResult& result) { return {result.result, result.domain}; }

DkimIdentity dkim_identity(const dkim::DkimResult& result) {
  return {result.result, result.domain, result.selector};
}

authres::MethodResult to_method_result(const DmarcResult& result) {
  authres::MethodResult m;
  m.method = "dmarc";
  m.result = std::string(to_string(result.result));
  const bool overridden = result.result == Result::Fail && !result.overrides.empty() &&
                          result.disposition != result.policy;
  if (result.result == Result::TempError || result.result == Result::PermError || overridden)
    m.reason = result.reason;
  if (!result.author_domain.empty())
    m.properties.push_back({"header", "from", result.author_domain, {}});
  // policy.dmarc: the evaluated policy, after t=y (RFC 9989 §9.1).
  if (result.policy)
    m.properties.push_back({"policy", "dmarc", std::string(to_string(*result.policy)), {}});
  return m;
}

}  // namespace auth::dmarc
