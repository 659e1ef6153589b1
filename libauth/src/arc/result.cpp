// ArcResult helpers: result names and sealing domains.
#include <auth/arc.hpp>

namespace auth::arc {

std::string_view to_string(ChainResult result) {
  switch (result) {
    case ChainResult::None:
      return "none";
    case ChainResult::Pass:
      return "pass";
    case ChainResult::Fail:
      return "fail";
    case ChainResult::TempError:
      return "temperror";
  }
  return "fail";
}

std::vector<std::string> ArcResult::sealing_domains() const {
  std::vector<std::string> out;
  out.reserve(sets.size());
  for (const SetResult& set : sets) out.push_back(set.seal_domain);
  return out;
}

}  // namespace auth::arc
