#include "dns/records.hpp"

#include <algorithm>
#include <array>
#include <span>

#include <auth/domain_name.hpp>

#include "dns/names.hpp"

namespace auth::dns {

std::optional<RrType> supported_type(ldns_rr_type type) {
  switch (type) {
    case LDNS_RR_TYPE_A:
      return RrType::A;
    case LDNS_RR_TYPE_AAAA:
      return RrType::AAAA;
    case LDNS_RR_TYPE_CNAME:
      return RrType::CNAME;
    case LDNS_RR_TYPE_PTR:
      return RrType::PTR;
    case LDNS_RR_TYPE_MX:
      return RrType::MX;
    case LDNS_RR_TYPE_TXT:
      return RrType::TXT;
    default:
      return std::nullopt;
  }
}

std::optional<std::string> rdf_name_key(const ldns_rdf* rdf) {
  if (rdf == nullptr || ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_DNAME) return std::nullopt;
  return name_key_from_wire({ldns_rdf_data(rdf), ldns_rdf_size(rdf)});
}

bool rdf_name_is(const ldns_rdf* rdf, std::string_view key) {
  if (rdf == nullptr || ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_DNAME) return false;
  const std::size_t size = ldns_rdf_size(rdf);
  const std::uint8_t* data = ldns_rdf_data(rdf);
  // The wire form is the key's labels plus the root byte; a key never holds uppercase letters.
  if (size != key.size() + 1 || data[key.size()] != 0) return false;
  for (std::size_t i = 0; i < key.size(); ++i) {
    if (ascii_lower(static_cast<char>(data[i])) != key[i]) return false;
  }
  return true;
}

namespace {

std::optional<std::string> rdf_name_text(const ldns_rdf* rdf) {
  auto key = rdf_name_key(rdf);
  if (!key) return std::nullopt;
  return name_text(*key);
}

bool append_txt(Answer& answer, const ldns_rr& rr) {
  std::string joined;
  std::vector<std::uint8_t> lengths;
  for (std::size_t i = 0; i < ldns_rr_rd_count(&rr); ++i) {
    const ldns_rdf* rdf = ldns_rr_rdf(&rr, i);
    const std::size_t size = ldns_rdf_size(rdf);
    const std::uint8_t* data = ldns_rdf_data(rdf);
    // A character-string: one length octet, then that many octets.
    if (ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_STR || size == 0 || data[0] + 1u != size)
      return false;
    joined.append(reinterpret_cast<const char*>(data + 1), size - 1);
    lengths.push_back(data[0]);
  }
  answer.txt.push_back(std::move(joined));
  answer.txt_string_lengths.push_back(std::move(lengths));
  return true;
}

bool append_address(Answer& answer, const ldns_rr& rr, std::size_t length) {
  if (ldns_rr_rd_count(&rr) != 1) return false;
  const ldns_rdf* rdf = ldns_rr_rdf(&rr, 0);
  if (ldns_rdf_size(rdf) != length) return false;
  const std::uint8_t* data = ldns_rdf_data(rdf);
  if (length == 4) {
    answer.addresses.push_back(IpAddress::v4({data[0], data[1], data[2], data[3]}));
  } else {
    std::array<std::uint8_t, 16> bytes{};
    std::copy_n(data, 16, bytes.begin());
    answer.addresses.push_back(IpAddress::v6(bytes));
  }
  return true;
}

bool append_mx(Answer& answer, const ldns_rr& rr) {
  if (ldns_rr_rd_count(&rr) != 2) return false;
  const ldns_rdf* pref = ldns_rr_rdf(&rr, 0);
  if (ldns_rdf_size(pref) != 2) return false;
  auto exchange = rdf_name_text(ldns_rr_rdf(&rr, 1));
  if (!exchange) return false;
  answer.mx.push_back(MxRecord{ldns_rdf2native_int16(pref), std::move(*exchange)});
  return true;
}

bool append_name(Answer& answer, const ldns_rr& rr) {
  if (ldns_rr_rd_count(&rr) != 1) return false;
  auto target = rdf_name_text(ldns_rr_rdf(&rr, 0));
  if (!target) return false;
  answer.names.push_back(std::move(*target));
  return true;
}

}  // namespace

bool append_record(Answer& answer, const ldns_rr& rr) {
  switch (ldns_rr_get_type(&rr)) {
    case LDNS_RR_TYPE_TXT:
      return append_txt(answer, rr);
    case LDNS_RR_TYPE_A:
      return append_address(answer, rr, 4);
    case LDNS_RR_TYPE_AAAA:
      return append_address(answer, rr, 16);
    case LDNS_RR_TYPE_MX:
      return append_mx(answer, rr);
    case LDNS_RR_TYPE_PTR:
    case LDNS_RR_TYPE_CNAME:
      return append_name(answer, rr);
    default:
      return false;
  }
}

std::optional<std::uint32_t> soa_negative_ttl(const ldns_rr& soa) {
  if (ldns_rr_get_type(&soa) != LDNS_RR_TYPE_SOA || ldns_rr_rd_count(&soa) != 7)
    return std::nullopt;
  const ldns_rdf* minimum = ldns_rr_rdf(&soa, 6);
  if (ldns_rdf_size(minimum) != 4) return std::nullopt;
  return std::min(ldns_rr_ttl(&soa), ldns_rdf2native_int32(minimum));
}

}  // namespace auth::dns
