// Text for XML 1.0 character data: markup characters escaped, bytes XML cannot carry (control
// characters, invalid UTF-8) replaced by '?', so a report is well-formed whatever a remote
// party put in a selector or domain.
#pragma once

#include <string>
#include <string_view>

namespace auth::dmarc {

void append_xml_text(std::string& out, std::string_view text);

}  // namespace auth::dmarc
