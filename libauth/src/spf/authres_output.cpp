// The spf method of Authentication-Results (RFC 8601 §2.7.2).
#include <auth/spf.hpp>

namespace auth::spf {

authres::MethodResult to_method_result(const SpfResult& result) {
  authres::MethodResult m;
  m.method = "spf";
  m.result = std::string(to_string(result.result));
  if (result.result == Result::TempError || result.result == Result::PermError)
    m.reason = result.reason;
  if (result.identity == Identity::Helo)
    m.properties.push_back({"smtp", "helo", result.helo, {}});
  else
    m.properties.push_back({"smtp", "mailfrom", result.sender, {}});
  return m;
}

}  // namespace auth::spf
