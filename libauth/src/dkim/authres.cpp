// One DKIM result as an Authentication-Results method entry (RFC 8601 §2.7.1, RFC 6008).
#include <auth/dkim.hpp>

namespace auth::dkim {

authres::MethodResult to_method_result(const DkimResult& result) {
  authres::MethodResult out;
  out.method = "dkim";
  out.result = std::string(to_string(result.result));
  if (result.result != Result::Pass) out.reason = result.reason;
  if (result.testing) out.result_comment = "test key";
  auto add = [&](std::string property, const std::string& value) {
    if (!value.empty())
      out.properties.push_back(authres::Property{"header", std::move(property), value, ""});
  };
  add("d", result.domain);
  add("i", result.auid);
  add("s", result.selector);
  add("a", result.algorithm);
  // RFC 6008: enough of b= to tell signatures apart; 8 characters as common practice.
  add("b", result.header_b.substr(0, 8));
  return out;
}

}  // namespace auth::dkim
