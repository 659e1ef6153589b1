// mailauth keycheck: the check to run after publishing a DKIM key: does
// <selector>._domainkey.<domain> publish the public half of the private key in FILE, in a record
// verifiers can use (auth::dkim::check_published_key)?
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <auth/crypto.hpp>
#include <auth/dns.hpp>
#include <auth/key_check.hpp>

#include "command_setup.hpp"
#include "options.hpp"
#include "subcommand.hpp"
#include "zone_record.hpp"

namespace mailauth::cli {
namespace {

using auth::dkim::KeyCheck;
using auth::dkim::KeyCheckResult;

std::string_view type_name(auth::crypto::KeyType type) {
  return type == auth::crypto::KeyType::Rsa ? "rsa" : "ed25519";
}

std::string_view summary(KeyCheckResult result) {
  switch (result) {
    case KeyCheckResult::Ok:
      return "the record publishes this key: mail signed with it will verify";
    case KeyCheckResult::Mismatch:
      return "the record publishes another key: do not sign with this one under this selector";
    case KeyCheckResult::Missing:
      return "no key record is published at this name: publish the key's record, then check again";
    case KeyCheckResult::Invalid:
      return "verifiers cannot use the record with this key: see the problems";
    case KeyCheckResult::TempError:
      return "DNS did not answer: check again later";
  }
  return "";
}

std::string_view yes_no(bool value) { return value ? "yes" : "no"; }

void print_text(const KeyCheck& c, const std::string& key_file,
                const auth::crypto::PrivateKey& key) {
  std::cout << c.name << ": " << auth::dkim::to_string(c.result) << " (" << summary(c.result)
            << ")\n"
            << "  record found: " << yes_no(c.record_found) << '\n'
            << "  matches key:  " << yes_no(c.matches_key) << '\n'
            << "  key:          " << type_name(c.key_type);
  if (c.key_type == auth::crypto::KeyType::Rsa) std::cout << ' ' << c.key_bits << " bits";
  std::cout << " (" << key_file << ")\n"
            << "  testing:      " << yes_no(c.testing) << '\n'
            << "  problems:" << (c.problems.empty() ? "     none" : "") << '\n';
  for (const auto& p : c.problems) std::cout << "    - " << p.text << '\n';
  // What to publish for this key, when DNS has nothing usable for it yet.
  if (c.result == KeyCheckResult::Missing || c.result == KeyCheckResult::Mismatch)
    std::cout << "  the record for this key:\n" << dkim_zone_record(c.name, key);
}

nlohmann::ordered_json to_json(const KeyCheck& c, const std::string& domain,
                               const std::string& selector) {
  nlohmann::ordered_json problems = nlohmann::ordered_json::array();
  for (const auto& p : c.problems) problems.push_back(p.text);
  return {{"domain", domain},
          {"selector", selector},
          {"record_found", c.record_found},
          {"matches_key", c.matches_key},
          {"key_type", type_name(c.key_type)},
          {"key_bits", c.key_bits},
          {"testing", c.testing},
          {"problems", problems},
          {"result", auth::dkim::to_string(c.result)}};
}

int run_keycheck(const std::vector<std::string>& args) {
  std::string domain, selector, key_file;
  CommonOptions common;
  CommandLine cl{
      "keycheck", "--domain D --selector S --key FILE [--dns-zone FILE] [--json]",
      "Check the DKIM key record published at S._domainkey.D against the private key\n"
      "in FILE, as an administrator should after publishing it and before signing with\n"
      "the key: the record is there and parses, holds the public half of the key, has\n"
      "a usable type and size (RFC 8301), and its t=, s=, h= and k= tags suit the key.\n"
      "Also names records split badly across TXT strings and several records at the\n"
      "name. Results: ok, mismatch, missing, invalid, temperror. Exit 0 ok, 1 mismatch,\n"
      "missing or invalid, 2 usage or unreadable key, 3 temperror (DNS failed)."};
  cl.options.add_options()                                                                //
      ("domain", po::value(&domain)->required()->value_name("D"), "signing domain (d=)")  //
      ("selector", po::value(&selector)->required()->value_name("S"), "selector (s=)")    //
      ("key", po::value(&key_file)->required()->value_name("FILE"),
       "private key (PEM; RSA or Ed25519)");
  add_common_options(cl, common);
  auto vm = parse_options(cl, args);
  if (!vm) return vm.error();

  auto key = auth::crypto::PrivateKey::from_file(key_file);
  if (!key) return usage_error(cl.name, key.error().message);
  auto resolver = make_resolver(cl, common);
  if (!resolver) return resolver.error();
  auto checked = auth::dkim::check_published_key(**resolver, domain, selector, *key);
  if (!checked) return usage_error(cl.name, checked.error().message);

  if (common.json)
    std::cout << to_json(*checked, domain, selector)
                     .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
              << '\n';
  else
    print_text(*checked, key_file, *key);
  switch (checked->result) {
    case KeyCheckResult::Ok:
      return exit_ok;
    case KeyCheckResult::TempError:
      return exit_temporary;
    default:
      return exit_fail;
  }
}

const Registration registration{
    {"keycheck", "check a published DKIM key record against the private key", run_keycheck}};

}  // namespace
}  // namespace mailauth::cli
