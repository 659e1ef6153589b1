// mailauth-noop-milter: the cheapest milter libmilter allows, for a baseline. It registers no
// callback at all, so libmilter negotiates every step away (SMFIP_NO*) and the MTA only
// connects, negotiates, sends end-of-message and quits: what any libmilter-based milter costs
// Postfix and the kernel before it does any work. Run it where bench/postfix_throughput.py runs
// mailauth-milter:
//   bench/postfix_throughput.py build-rel/bench/mailauth-noop-milter build-rel/tools/mailauth
//   testdata
// It reads only the `socket = SPEC` line of the configuration file given with --config (the
// file postfix_throughput.py writes for mailauth-milter) and ignores every other line.
#include <libmilter/mfapi.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

namespace {

std::string socket_of(const char* config) {
  std::ifstream in(config);
  std::string line;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string name = line.substr(0, eq), value = line.substr(eq + 1);
    name.erase(name.find_last_not_of(" \t") + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    if (name == "socket") return value;
  }
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 || std::strcmp(argv[1], "--config") != 0) {
    std::fprintf(stderr,
                 "usage: mailauth-noop-milter --config FILE (with a `socket = SPEC` line)\n");
    return 2;
  }
  const std::string spec = socket_of(argv[2]);
  if (spec.empty()) {
    std::fprintf(stderr, "mailauth-noop-milter: %s has no `socket = SPEC` line\n", argv[2]);
    return 2;
  }
  smfiDesc description{};
  description.xxfi_name = const_cast<char*>("mailauth-noop-milter");
  description.xxfi_version = SMFI_VERSION;
  description.xxfi_flags = 0;  // asks for no modification
  if (smfi_setconn(const_cast<char*>(spec.c_str())) != MI_SUCCESS ||
      smfi_register(description) != MI_SUCCESS || smfi_opensocket(1) != MI_SUCCESS) {
    std::fprintf(stderr, "mailauth-noop-milter: cannot listen on %s\n", spec.c_str());
    return 1;
  }
  return smfi_main() == MI_SUCCESS ? 0 : 1;
}
