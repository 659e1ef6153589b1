// auth::Error and auth::Expected: the failure value of operations that can fail.
// Protocol outcomes (a DKIM fail, an SPF permerror) are results, not Errors.
#pragma once

#include <expected>
#include <string>
#include <string_view>

namespace auth {

// What kind of failure; evaluators map these to temperror/permerror in one place each.
enum class ErrorCode {
  InvalidArgument,  // caller passed something unusable (bad option, bad key file)
  Syntax,           // input text does not follow its grammar
  LimitExceeded,    // an auth::Limits bound was hit
  Io,               // a file or socket could not be read or written
  DnsTemporary,     // DNS timeout or SERVFAIL
  DnsPermanent,     // NXDOMAIN or no usable record
  Crypto,           // OpenSSL refused a key, signature or digest
  Unsupported,      // valid but not implemented or not allowed by policy
};

struct Error {
  ErrorCode code;
  std::string message;  // specific and human readable: names the file, line, header or tag at fault
};

template <class T>
using Expected = std::expected<T, Error>;

// Shorthand for returning a failure: `return fail(ErrorCode::Syntax, "...")`.
inline std::unexpected<Error> fail(ErrorCode code, std::string message) {
  return std::unexpected<Error>(Error{code, std::move(message)});
}

std::string_view to_string(ErrorCode code);

}  // namespace auth
