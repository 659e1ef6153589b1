// RFC 7208 §7 macro strings: syntax checks and expansion.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <auth/error.hpp>
#include <auth/ip_address.hpp>

namespace auth::spf {

// Where a macro string appears: domain-spec and unknown-modifier values (letters slodipvh, no
// spaces) or explanation text fetched by exp= (§6.2: also c, r, t, and spaces).
enum class MacroContext { DomainSpec, Explanation };

// Syntax of a macro-string (§7.1): every '%' starts %{...}, %%, %_ or %-; literals are visible
// ASCII (and SP in explanations).
Expected<void> check_macro_string(std::string_view text, MacroContext context);
// domain-spec = macro-string domain-end; domain-end = "." toplabel ["."] / macro-expand.
Expected<void> check_domain_spec(std::string_view text);

// The values macros expand to. `validated_name` computes %{p} on first use (it queries DNS).
struct MacroValues {
  std::string_view sender;                      // s
  std::string_view local_part;                  // l
  std::string_view sender_domain;               // o
  std::string_view domain;                      // d
  std::string_view helo;                        // h
  std::string_view receiving_host;              // r
  IpAddress ip;                                 // i, c, v
  std::int64_t timestamp = 0;                   // t
  std::function<std::string()> validated_name;  // p
};

// Expands a macro string whose syntax may be unchecked (errors are Syntax).
Expected<std::string> expand(std::string_view text, MacroContext context,
                             const MacroValues& values);

// Expands a domain-spec into a target name (§4.8): one trailing dot removed, names over 253
// octets shortened by dropping labels from the left.
Expected<std::string> expand_domain(std::string_view domain_spec, const MacroValues& values);

// True when `name` can be sent as a DNS query: 1..253 octets, labels 1..63 octets.
bool is_queryable_name(std::string_view name);

}  // namespace auth::spf
