#include "result_json.hpp"

#include <iostream>

#include <auth/reason.hpp>

namespace mailauth::cli {

Json spf_json(const auth::spf::SpfResult& r, std::string_view receiver) {
  const bool fail = r.result == auth::spf::Result::Fail;
  return JsonObject(6)
      .add("result", std::string(auth::spf::to_string(r.result)))
      .add("domain", r.domain)
      .add("mechanism", r.mechanism)
      .add("explanation", fail ? r.explanation : std::string())
      .add("lookups", r.lookups)
      .add("received_spf", auth::spf::received_spf(r, receiver))
      .take();
}

Json dkim_json(const auth::dkim::DkimResult& r) {
  return JsonObject(8)
      .add("domain", r.domain)
      .add("selector", r.selector)
      .add("algorithm", r.algorithm)
      .add("result", std::string(auth::dkim::to_string(r.result)))
      .add("reason", r.reason)
      .add("reason_code", std::string(auth::to_string(r.reason_code)))
      .add("key_bits", r.key_bits)
      .add("auid", r.auid)
      .take();
}

Json arc_json(const auth::arc::ArcResult& r) {
  return JsonObject(5)
      .add("result", std::string(auth::arc::to_string(r.result)))
      .add("instances", r.instances)
      .add("oldest_pass", r.oldest_pass)
      .add("reason", r.reason)
      .add("reason_code", std::string(auth::to_string(r.reason_code)))
      .take();
}

Json dmarc_json(const auth::dmarc::DmarcResult& r) {
  return JsonObject(11)
      .add("result", std::string(auth::dmarc::to_string(r.result)))
      .add("author_domain", r.author_domain)
      .add("policy_domain", r.policy_domain)
      .add("organizational_domain", r.organizational_domain)
      .add("policy", r.policy ? std::string(auth::dmarc::to_string(*r.policy)) : std::string())
      .add("disposition", std::string(auth::dmarc::to_string(r.disposition)))
      .add("spf_aligned", r.spf_aligned)
      .add("dkim_aligned", r.dkim_aligned)
      .add("discovery", std::string(auth::dmarc::to_string(r.discovery)))
      .add("reason", r.reason)
      .add("reason_code", std::string(auth::to_string(r.reason_code)))
      .take();
}

void print_json_line(const Json& value) { std::cout << json_line(value); }

std::string json_line(const Json& value) {
  std::string line = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line += '\n';
  return line;
}

}  // namespace mailauth::cli
