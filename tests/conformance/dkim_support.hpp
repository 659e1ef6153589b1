// Shared pieces of the DKIM conformance runners: files, zones, feeding a message.
#pragma once

#include <auth/clock.hpp>
#include <auth/dkim.hpp>
#include <auth/dns.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../support/conformance_suite.hpp"
#include "../support/message_test_support.hpp"

namespace dkim_conformance {

std::filesystem::path conformance_dir();  // <conformance folder>/dkim
using auth::test_support::lf_to_crlf;
using auth::test_support::read_file;

// TXT records (name, text) plus names answering timeout / SERVFAIL, as a ZoneResolver.
struct ZoneData {
  std::vector<std::pair<std::string, std::string>> txt;
  std::vector<std::string> timeout;
  std::vector<std::string> servfail;
};
std::unique_ptr<auth::dns::ZoneResolver> make_zone(const ZoneData& data);

// Parses a raw message with the real MessageParser and verifies it.
std::vector<auth::dkim::DkimResult> verify_message(auth::dns::Resolver& resolver,
                                                   const auth::Clock& clock,
                                                   std::string_view message,
                                                   const auth::dkim::VerifyOptions& options = {},
                                                   const auth::Limits& limits = {});

// Signs a raw message with the real MessageParser; returns it with the signatures on top.
std::string sign_message(const auth::dkim::SignerOptions& options, const auth::Clock& clock,
                         std::string_view message, std::string* error = nullptr);

}  // namespace dkim_conformance
