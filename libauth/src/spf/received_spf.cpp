// The Received-SPF header field (RFC 7208 §9.1).
#include <auth/spf.hpp>

namespace auth::spf {
namespace {

bool is_atext(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

// key-value-pair values are dot-atoms or quoted-strings (RFC 5322).
bool is_dot_atom(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '.') {
      if (s[i - 1] == '.') return false;
    } else if (!is_atext(s[i])) {
      return false;
    }
  }
  return true;
}

// Only printable ASCII and SP survive in the header; anything else becomes '?'.
std::string printable(std::string_view s) {
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? c : '?';
  }
  return out;
}

std::string value(std::string_view s) {
  if (is_dot_atom(s)) return std::string(s);
  std::string out = "\"";
  for (char c : printable(s)) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string comment_text(std::string_view s) {
  std::string out;
  for (char c : printable(s)) {
    if (c == '(' || c == ')' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string comment(const SpfResult& r, std::string_view receiver) {
  const std::string who = "domain of " + (r.identity == Identity::Helo ? r.helo : r.sender);
  const std::string ip = r.ip.str();
  std::string text = std::string(receiver) + ": ";
  switch (r.result) {
    case Result::Pass:
      text += who + " designates " + ip + " as permitted sender";
      break;
    case Result::Fail:
      text += who + " does not designate " + ip + " as permitted sender";
      break;
    case Result::SoftFail:
      text += who + " does not designate " + ip + " as permitted sender (softfail)";
      break;
    case Result::Neutral:
      text += ip + " is neither permitted nor denied by " + who;
      break;
    case Result::None:
      text += who + " does not designate permitted sender hosts";
      break;
    case Result::TempError:
      text += "temporary error checking " + who + ": " + r.reason;
      break;
    case Result::PermError:
      text += "permanent error in SPF policy of " + r.domain + ": " + r.reason;
      break;
  }
  return comment_text(text);
}

}  // namespace

std::string received_spf(const SpfResult& r, std::string_view receiver) {
  std::string out(to_string(r.result));
  out += " (" + comment(r, receiver) + ")";
  out += " client-ip=" + value(r.ip.str()) + ";";
  if (r.identity == Identity::MailFrom) out += " envelope-from=" + value(r.sender) + ";";
  if (!r.helo.empty()) out += " helo=" + value(r.helo) + ";";
  if (!receiver.empty()) out += " receiver=" + value(receiver) + ";";
  out += " identity=" + std::string(to_string(r.identity)) + ";";
  if (!r.mechanism.empty() && r.mechanism != "default")
    out += " mechanism=" + value(r.mechanism) + ";";
  if (r.result == Result::TempError || r.result == Result::PermError)
    out += " problem=" + value(r.reason) + ";";
  out.pop_back();  // no ';' after the last pair
  return out;
}

}  // namespace auth::spf
