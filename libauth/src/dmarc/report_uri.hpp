// rua= / ruf= URIs (RFC 9989 §4.6, §4.8: dmarc-urilist, the obsolete "!size" suffix).
#pragma once

#include <string>
#include <string_view>

#include <auth/dmarc.hpp>
#include <auth/error.hpp>

namespace auth::dmarc {

// One dmarc-uri or obs-dmarc-uri (white space already trimmed). Errors (Syntax) say what is wrong
// in words. A URI that is valid but useless (mailto: without an address) parses; the caller
// sees it by its empty `address`.
Expected<ReportUri> parse_report_uri(std::string_view text);

}  // namespace auth::dmarc
