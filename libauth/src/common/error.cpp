#include <auth/error.hpp>

namespace auth {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidArgument: return "invalid argument";
    case ErrorCode::Syntax: return "syntax error";
    case ErrorCode::LimitExceeded: return "limit exceeded";
    case ErrorCode::Io: return "I/O error";
    case ErrorCode::DnsTemporary: return "temporary DNS failure";
    case ErrorCode::DnsPermanent: return "DNS record not found";
    case ErrorCode::Crypto: return "cryptographic error";
    case ErrorCode::Unsupported: return "unsupported";
  }
  return "unknown error";
}

}  // namespace auth
