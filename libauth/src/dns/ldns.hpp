// Include ldns through here: <stdbool.h> first, or ldns/common.h defines `bool`, `true` and
// `false` as macros, which breaks the C++ standard headers included after it.
#pragma once

#include <stdbool.h>  // NOLINT(modernize-deprecated-headers)

#include <ldns/ldns.h>
