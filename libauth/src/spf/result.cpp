// Names of SPF results and identities, as RFC 7208 §2.6 and RFC 8601 write them.
#include <auth/spf.hpp>

namespace auth::spf {

std::string_view to_string(Result result) {
  switch (result) {
    case Result::None:
      return "none";
    case Result::Neutral:
      return "neutral";
    case Result::Pass:
      return "pass";
    case Result::Fail:
      return "fail";
    case Result::SoftFail:
      return "softfail";
    case Result::TempError:
      return "temperror";
    case Result::PermError:
      return "permerror";
  }
  return "none";
}

std::string_view to_string(Identity identity) {
  return identity == Identity::Helo ? "helo" : "mailfrom";
}

}  // namespace auth::spf
