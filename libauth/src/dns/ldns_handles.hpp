// RAII owners for the ldns objects the dns component creates.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "dns/ldns.hpp"

namespace auth::dns {

struct LdnsPktDeleter {
  void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
struct LdnsRrDeleter {
  void operator()(ldns_rr* rr) const { ldns_rr_free(rr); }
};
struct LdnsRdfDeleter {
  void operator()(ldns_rdf* rdf) const { ldns_rdf_deep_free(rdf); }
};
// Buffers ldns hands out with malloc (ldns_pkt2wire).
struct MallocDeleter {
  void operator()(void* p) const { std::free(p); }
};
struct FileDeleter {
  void operator()(std::FILE* f) const {
    (void)std::fclose(f);  // a stream only read from: nothing is lost if close fails
  }
};

using PktPtr = std::unique_ptr<ldns_pkt, LdnsPktDeleter>;
using RrPtr = std::unique_ptr<ldns_rr, LdnsRrDeleter>;
using RdfPtr = std::unique_ptr<ldns_rdf, LdnsRdfDeleter>;
using WirePtr = std::unique_ptr<std::uint8_t, MallocDeleter>;
using FilePtr = std::unique_ptr<std::FILE, FileDeleter>;

}  // namespace auth::dns
