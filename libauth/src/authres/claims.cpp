// RFC 8601 §5: which Authentication-Results fields claim to be ours.
#include <auth/authres.hpp>
#include <auth/domain_name.hpp>

namespace auth::authres {

bool claims_authserv_id(std::string_view raw_value, std::string_view authserv_id) {
  const auto id = parse_authserv_id(raw_value);
  return id && iequals(*id, authserv_id);
}

}  // namespace auth::authres
