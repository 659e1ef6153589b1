// A verdict as Authentication-Results (RFC 8601): one entry per method, in the order a reader
// follows them: spf, dkim (each signature), arc, dmarc.
#include <auth/message_auth.hpp>

namespace auth {

bool Verdict::temporary_failure() const {
  for (const dkim::DkimResult& r : dkim)
    if (r.result == dkim::Result::TempError) return true;
  return dmarc.result == dmarc::Result::TempError;
}

authres::AuthenticationResults Verdict::authentication_results_value(
    std::string_view authserv_id) const {
  authres::AuthenticationResults out;
  out.authserv_id = std::string(authserv_id);
  if (spf) out.results.push_back(spf::to_method_result(*spf));
  if (dkim.empty()) {
    authres::MethodResult none;
    none.method = "dkim";
    none.result = "none";
    out.results.push_back(std::move(none));
  } else {
    for (const dkim::DkimResult& r : dkim) out.results.push_back(dkim::to_method_result(r));
  }
  out.results.push_back(arc::to_method_result(arc));
  out.results.push_back(dmarc::to_method_result(dmarc));
  return out;
}

std::string Verdict::authentication_results(std::string_view authserv_id) const {
  return authres::format(authentication_results_value(authserv_id));
}

std::string Verdict::arc_authentication_results(std::string_view authserv_id) const {
  std::string value = authres::format_unfolded(authentication_results_value(authserv_id));
  const std::size_t start = value.find_first_not_of(' ');
  return start == std::string::npos ? std::string() : value.substr(start);
}

}  // namespace auth
