// mailauth-milter --check: the configuration file and every key, checked without serving.
#pragma once

#include <iosfwd>

#include "config.hpp"

namespace mailauth::milter {

// Prints every problem of `invocation` (parameters, key files: readable, 0600 or stricter, a
// supported type; with check_dns also each key against its published DNS record) to `err`, a
// summary to `out`; returns exit_ok when there is none, exit_usage otherwise.
int run_check(const Invocation& invocation, std::ostream& out, std::ostream& err);

}  // namespace mailauth::milter
