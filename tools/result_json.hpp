// The JSON objects of the subcommands' --json output, one definition each so that `verify`,
// `spf`, `dmarc` and `seal` cannot drift apart. Field names and order are contracts: scripts
// are written against them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include <auth/arc.hpp>
#include <auth/dkim.hpp>
#include <auth/dmarc.hpp>
#include <auth/spf.hpp>

namespace mailauth::cli {

using Json = nlohmann::ordered_json;

// A JSON object built by appending its members in their contract order. Cheaper than the
// initializer-list form, which builds a two-element array per member before converting it,
// and than operator[], which first searches the members already there: verify --json over a
// mail archive builds several objects per message.
class JsonObject {
 public:
  explicit JsonObject(std::size_t members) { json_.get_ref<Json::object_t&>().reserve(members); }
  template <typename T>
  JsonObject& add(std::string_view key, T&& value) {
    json_.get_ref<Json::object_t&>().emplace_back(std::string(key), Json(std::forward<T>(value)));
    return *this;
  }
  Json take() { return std::move(json_); }

 private:
  Json json_ = Json::object();
};

// `mailauth spf --json`: exactly "result", "domain", "mechanism", "explanation", "lookups",
// "received_spf". `receiver` is the host named in Received-SPF.
Json spf_json(const auth::spf::SpfResult& r, std::string_view receiver);

// One DKIM signature in `mailauth verify --json`: "domain", "selector", "algorithm", "result",
// "reason", "reason_code", "key_bits", "auid".
Json dkim_json(const auth::dkim::DkimResult& r);

// The "arc" object: "result", "instances", "oldest_pass", "reason", "reason_code".
Json arc_json(const auth::arc::ArcResult& r);

// `mailauth dmarc evaluate --json` and verify's "dmarc": exactly "result", "author_domain",
// "policy_domain", "organizational_domain", "policy", "disposition", "spf_aligned",
// "dkim_aligned", "discovery", "reason", "reason_code".
Json dmarc_json(const auth::dmarc::DmarcResult& r);

// One JSON line on standard output; invalid UTF-8 (names and addresses may carry any byte) is
// replaced rather than thrown on.
void print_json_line(const Json& value);
// The same line as a string, with its '\n'.
std::string json_line(const Json& value);

}  // namespace mailauth::cli
