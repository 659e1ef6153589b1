// The libmilter callback table: each xxfi_* callback adapts its C arguments and forwards them to
// the connection's Session. Nothing throws through libmilter: a failure becomes the configured
// failure_mode answer.
#pragma once

#include "config.hpp"

namespace mailauth::milter {

// smfi_register with our callbacks. `config` must outlive smfi_main. Returns false on failure.
bool register_callbacks(const Config& config);

}  // namespace mailauth::milter
