// Resolver, clock and list set-up shared by the subcommands.
#include "command_setup.hpp"

#include <sstream>

namespace mailauth::cli {

std::expected<std::unique_ptr<auth::dns::Resolver>, int> make_resolver(
    const CommandLine& cl, const CommonOptions& common) {
  if (!common.dns_zone.empty()) {
    auto zone = auth::dns::ZoneResolver::from_file(common.dns_zone);
    if (!zone) return std::unexpected(usage_error(cl.name, "--dns-zone: " + zone.error().message));
    return std::unique_ptr<auth::dns::Resolver>(std::move(*zone));
  }
  auto ldns = auth::dns::LdnsResolver::create();
  if (!ldns) return std::unexpected(usage_error(cl.name, "DNS resolver: " + ldns.error().message));
  return std::unique_ptr<auth::dns::Resolver>(std::move(*ldns));
}

std::unique_ptr<auth::Clock> make_clock(std::optional<std::int64_t> now) {
  if (now) return std::make_unique<auth::FixedClock>(auth::FixedClock::at_unix(*now));
  return std::make_unique<auth::SystemClock>();
}

std::vector<std::string> split_list(const std::string& text, char separator) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, separator);)
    if (!item.empty()) out.push_back(item);
  return out;
}

}  // namespace mailauth::cli
