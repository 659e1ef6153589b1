// mailauth keygen: make a DKIM key pair, write the private key (mode 0600) and print the DNS
// TXT record in zone-file syntax.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include <auth/crypto.hpp>
#include <auth/domain_name.hpp>

#include "options.hpp"
#include "subcommand.hpp"

namespace mailauth::cli {
namespace {

// Writes `text` to a new file readable by its owner only.
bool write_private(const std::string& path, const std::string& text, std::string& error) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = path + ": " + std::strerror(errno);
    return false;
  }
  bool ok = ::fchmod(fd, 0600) == 0;  // an existing file keeps its mode otherwise
  std::size_t done = 0;
  while (ok && done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      ok = false;
    else
      done += static_cast<std::size_t>(n);
  }
  if (!ok) error = path + ": " + std::strerror(errno);
  if (::close(fd) != 0 && ok) {
    error = path + ": " + std::strerror(errno);
    ok = false;
  }
  return ok;
}

int run_keygen(const std::vector<std::string>& args) {
  std::string domain, selector, type = "rsa", out;
  unsigned bits = 2048;
  CommandLine cl{"keygen", "--domain D --selector S [--type rsa|ed25519] [--bits N] --out FILE",
                 "Generate a DKIM signing key. The private key is written to FILE (PKCS#8 PEM,\n"
                 "mode 0600); the public key record to publish is printed in zone-file syntax,\n"
                 "split into strings of at most 255 bytes."};
  cl.options.add_options()                                                                      //
      ("domain", po::value(&domain)->required()->value_name("D"), "signing domain (d=)")        //
      ("selector", po::value(&selector)->required()->value_name("S"), "selector (s=)")          //
      ("type", po::value(&type)->value_name("TYPE"), "rsa (default) or ed25519")                //
      ("bits", po::value(&bits)->value_name("N"), "RSA key size, 1024 to 4096 (default 2048)")  //
      ("out", po::value(&out)->required()->value_name("FILE"), "private key file to write");
  auto vm = parse_options(cl, args);
  if (!vm) return vm.error();
  if (type != "rsa" && type != "ed25519")
    return usage_error(cl.name, "--type must be rsa or ed25519");
  if (type == "rsa" && (bits < 1024 || bits > 4096))
    return usage_error(cl.name, "--bits must be between 1024 and 4096");
  auto name = auth::DomainName::parse(selector + "._domainkey." + domain);
  if (domain.empty() || selector.empty() || !name)
    return usage_error(cl.name, "bad --domain or --selector");

  auto key = type == "rsa" ? auth::crypto::PrivateKey::generate_rsa(bits)
                           : auth::crypto::PrivateKey::generate_ed25519();
  if (!key) {
    std::cerr << "mailauth keygen: " << key.error().message << '\n';
    return exit_usage;
  }
  std::string error;
  if (!write_private(out, key->to_pem(), error)) {
    std::cerr << "mailauth keygen: " << error << '\n';
    return exit_usage;
  }
  const std::string record =
      "v=DKIM1; k=" + type + "; p=" + auth::crypto::base64_encode(key->public_key_dkim());
  std::cout << name->str() << ". IN TXT (";
  for (std::size_t at = 0; at < record.size(); at += 255)
    std::cout << (at == 0 ? " \"" : "\n\t\"") << record.substr(at, 255) << '"';
  std::cout << " )\n";
  return exit_ok;
}

const Registration registration{
    {"keygen", "generate a DKIM key pair and print its DNS record", run_keygen}};

}  // namespace
}  // namespace mailauth::cli
