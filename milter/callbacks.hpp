// The libmilter callback table: each xxfi_* callback adapts its C arguments and forwards them to
// the connection's Session and its Message. Nothing throws through libmilter: a failure becomes
// the on_internal_error answer.
#pragma once

namespace mailauth::milter {

// smfi_register with our callbacks. Messages use the runtime installed at their MAIL FROM
// (install_runtime). Returns false on failure.
bool register_callbacks();

}  // namespace mailauth::milter
