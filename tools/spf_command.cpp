// mailauth spf: evaluate SPF (RFC 7208) for a client address and a MAIL FROM or HELO identity.
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <auth/dns.hpp>
#include <auth/spf.hpp>

#include "command_setup.hpp"
#include "options.hpp"
#include "result_json.hpp"
#include "subcommand.hpp"

namespace mailauth::cli {
namespace {

int run_spf(const std::vector<std::string>& args) {
  std::string ip_text, helo, receiver = "localhost";
  std::optional<std::string> mail_from;
  CommonOptions common;
  CommandLine cl{"spf", "--ip IP [--helo NAME] [--mail-from ADDR] [options]",
                 "Evaluate SPF (RFC 7208) for a client address. With --mail-from the MAIL FROM\n"
                 "identity is checked (an empty address is the null sender: postmaster@HELO);\n"
                 "with only --helo the HELO identity is checked. Exits 0 whenever a result was\n"
                 "computed, whatever it is."};
  cl.options.add_options()  //
      ("ip", po::value(&ip_text)->required()->value_name("IP"),
       "SMTP client address (IPv4 or IPv6)")                            //
      ("helo", po::value(&helo)->value_name("NAME"), "HELO/EHLO name")  //
      ("mail-from", po::value<std::string>()->value_name("ADDR"),
       "envelope sender (MAIL FROM), with or without <>")  //
      ("receiver", po::value(&receiver)->value_name("NAME"),
       "receiving host name, for %{r} and Received-SPF (default localhost)");
  add_common_options(cl, common);
  auto vm = parse_options(cl, args);
  if (!vm) return vm.error();
  if (vm->count("mail-from") != 0) mail_from = (*vm)["mail-from"].as<std::string>();
  if (!mail_from && helo.empty()) return usage_error(cl.name, "give --mail-from, --helo or both");

  auto ip = auth::IpAddress::parse(ip_text);
  if (!ip) return usage_error(cl.name, "--ip: " + ip.error().message);

  auto made = make_resolver(cl, common);
  if (!made) return made.error();
  const std::unique_ptr<auth::dns::Resolver> resolver = std::move(*made);

  auth::spf::CheckerOptions options;
  options.receiving_host = receiver;
  const auth::spf::Checker checker(*resolver, auth::Limits{}, options);
  const auth::spf::SpfResult r =
      mail_from ? checker.check_mail_from(*ip, *mail_from, helo) : checker.check_helo(*ip, helo);
  const std::string received = auth::spf::received_spf(r, receiver);

  if (common.json) {
    print_json_line(spf_json(r, receiver));
    return exit_ok;
  }
  std::cout << "result: " << auth::spf::to_string(r.result) << '\n'
            << "domain: " << r.domain << '\n'
            << "identity: " << auth::spf::to_string(r.identity) << '\n';
  if (!r.mechanism.empty()) std::cout << "mechanism: " << r.mechanism << '\n';
  if (r.result == auth::spf::Result::Fail) std::cout << "explanation: " << r.explanation << '\n';
  if (!r.reason.empty()) std::cout << "reason: " << r.reason << '\n';
  std::cout << "lookups: " << r.lookups << '\n' << "Received-SPF: " << received << '\n';
  return exit_ok;
}

const Registration registration{
    {"spf", "evaluate SPF (RFC 7208) for a client IP and MAIL FROM / HELO", run_spf}};

}  // namespace
}  // namespace mailauth::cli
