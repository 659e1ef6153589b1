#include "result_json.hpp"

#include <iostream>

#include <auth/reason.hpp>

namespace mailauth::cli {

Json spf_json(const auth::spf::SpfResult& r, std::string_view receiver) {
  const bool fail = r.result == auth::spf::Result::Fail;
  return {{"result", std::string(auth::spf::to_string(r.result))},
          {"domain", r.domain},
          {"mechanism", r.mechanism},
          {"explanation", fail ? r.explanation : std::string()},
          {"lookups", r.lookups},
          {"received_spf", auth::spf::received_spf(r, receiver)}};
}

Json dkim_json(const auth::dkim::DkimResult& r) {
  return {{"domain", r.domain},
          {"selector", r.selector},
          {"algorithm", r.algorithm},
          {"result", std::string(auth::dkim::to_string(r.result))},
          {"reason", r.reason},
          {"reason_code", std::string(auth::to_string(r.reason_code))},
          {"key_bits", r.key_bits},
          {"auid", r.auid}};
}

Json arc_json(const auth::arc::ArcResult& r) {
  return {{"result", std::string(auth::arc::to_string(r.result))},
          {"instances", r.instances},
          {"oldest_pass", r.oldest_pass},
          {"reason", r.reason},
          {"reason_code", std::string(auth::to_string(r.reason_code))}};
}

Json dmarc_json(const auth::dmarc::DmarcResult& r) {
  return {{"result", std::string(auth::dmarc::to_string(r.result))},
          {"author_domain", r.author_domain},
          {"policy_domain", r.policy_domain},
          {"organizational_domain", r.organizational_domain},
          {"policy", r.policy ? std::string(auth::dmarc::to_string(*r.policy)) : std::string()},
          {"disposition", std::string(auth::dmarc::to_string(r.disposition))},
          {"spf_aligned", r.spf_aligned},
          {"dkim_aligned", r.dkim_aligned},
          {"discovery", std::string(auth::dmarc::to_string(r.discovery))},
          {"reason", r.reason},
          {"reason_code", std::string(auth::to_string(r.reason_code))}};
}

void print_json_line(const Json& value) { std::cout << json_line(value); }

std::string json_line(const Json& value) {
  std::string line = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line += '\n';
  return line;
}

}  // namespace mailauth::cli
