// Fuzzes dns::ZoneResolver::from_string, then asks the zone a few questions: the owner names
// the text seems to use (first token of the first lines, as written and under the usual
// origins) and fixed names, for every record type. Invariant: an answer fills only the list
// that belongs to the queried type, and negative answers carry no records.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <auth/dns.hpp>

#include "fuzz_check.hpp"

namespace {

using auth::dns::RrType;

void check_answer(const auth::dns::Answer& answer, RrType type) {
  if (answer.status != auth::dns::Status::Ok) {
    FUZZ_CHECK(answer.empty());
    return;
  }
  const bool txt = type == RrType::TXT;
  const bool address = type == RrType::A || type == RrType::AAAA;
  const bool mx = type == RrType::MX;
  const bool names = type == RrType::CNAME || type == RrType::PTR;
  FUZZ_CHECK(txt || answer.txt.empty());
  FUZZ_CHECK(address || answer.addresses.empty());
  FUZZ_CHECK(mx || answer.mx.empty());
  FUZZ_CHECK(names || answer.names.empty());
  for (const auto& ip : answer.addresses) {
    FUZZ_CHECK((type == RrType::A) == (ip.family() == auth::IpAddress::Family::V4));
  }
}

// Up to `max` first tokens of the lines of `text`.
std::vector<std::string> owner_names(std::string_view text, std::size_t max) {
  std::vector<std::string> names;
  while (!text.empty() && names.size() < max) {
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    const auto token_end = line.find_first_of(" \t\r");
    const auto token = line.substr(0, token_end);
    if (!token.empty() && token.front() != '$' && token.front() != ';') names.emplace_back(token);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return names;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = auth::fuzz::as_text(data, size);
  auto zone = auth::dns::ZoneResolver::from_string(text, "fuzz.zone");
  if (!zone) {
    FUZZ_CHECK(!zone.error().message.empty());
    return 0;
  }
  std::vector<std::string> names = {"example.com", "www.example.com.", "a.b.example.com", "",
                                    ".",           "*.example.com",    "EXAMPLE.COM"};
  for (const auto& owner : owner_names(text, 8)) {
    names.push_back(owner);
    names.push_back(owner + ".example.com");
    names.push_back(owner + ".example.org.");
  }
  constexpr std::array types = {RrType::A,  RrType::AAAA,  RrType::TXT,
                                RrType::MX, RrType::CNAME, RrType::PTR};
  for (const auto& name : names) {
    for (const auto type : types) check_answer((*zone)->query(name, type), type);
  }
  (void)(*zone)->negative_ttl();
  return 0;
}
