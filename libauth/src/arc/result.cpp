// ArcResult helpers: names, sealing domains and the JSON object of `mailauth verify --json`.
#include <auth/arc.hpp>

#include <cstdio>

namespace auth::arc {
namespace {

void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x",
                        static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buffer;
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

}  // namespace

std::string_view to_string(ChainResult result) {
  switch (result) {
    case ChainResult::None:
      return "none";
    case ChainResult::Pass:
      return "pass";
    case ChainResult::Fail:
      return "fail";
    case ChainResult::TempError:
      return "temperror";
  }
  return "fail";
}

std::vector<std::string> ArcResult::sealing_domains() const {
  std::vector<std::string> out;
  out.reserve(sets.size());
  for (const SetResult& set : sets) out.push_back(set.seal_domain);
  return out;
}

std::string to_json(const ArcResult& result) {
  std::string out = "{\"result\":";
  append_json_string(out, to_string(result.result));
  out += ",\"instances\":" + std::to_string(result.instances);
  out += ",\"oldest_pass\":" + std::to_string(result.oldest_pass);
  out += ",\"reason\":";
  append_json_string(out, result.reason);
  out += "}";
  return out;
}

}  // namespace auth::arc
