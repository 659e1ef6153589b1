// The arc method of Authentication-Results (RFC 8617 §10.1).
#include <auth/arc.hpp>

namespace auth::arc {

authres::MethodResult to_method_result(const ArcResult& result) {
  authres::MethodResult m;
  m.method = "arc";
  m.result = std::string(to_string(result.result));
  m.reason = result.reason;
  // RFC 8617 §10.2 registers header.oldest-pass for the arc method.
  if (result.result == ChainResult::Pass && result.oldest_pass > 0)
    m.properties.push_back({"header", "oldest-pass", std::to_string(result.oldest_pass), {}});
  return m;
}

}  // namespace auth::arc
