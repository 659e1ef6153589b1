#include "spf_test_zone.hpp"

#include <yaml-cpp/yaml.h>

#include <auth/domain_name.hpp>

namespace mailauth::test {

using auth::dns::Answer;
using auth::dns::RrType;
using auth::dns::Status;

namespace {

std::string key(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return auth::to_lower(name);
}

// A string, or a list of strings joined with no separator (one RR, several character-strings).
std::string joined(const YAML::Node& value) {
  if (!value.IsSequence()) return value.as<std::string>();
  std::string out;
  for (const auto& part : value) out += part.as<std::string>();
  return out;
}

}  // namespace

SpfTestZone::Name& SpfTestZone::entry(std::string_view name) { return names_[key(name)]; }

void SpfTestZone::add(std::string_view name, Rr rr) {
  entry(name).records.push_back(std::move(rr));
}

void SpfTestZone::set_status(std::string_view name, Status status) { entry(name).forced = status; }

SpfTestZone SpfTestZone::from_yaml(const YAML::Node& zonedata) {
  SpfTestZone zone;
  for (const auto& item : zonedata) {
    const std::string name = item.first.as<std::string>();
    Name& n = zone.entry(name);
    std::vector<std::string> spf_texts;
    bool has_txt_entry = false;
    for (const auto& rr : item.second) {
      if (rr.IsScalar() && rr.as<std::string>() == "TIMEOUT") {
        n.has_timeout_marker = true;
        continue;
      }
      for (const auto& field : rr) {
        const std::string type = field.first.as<std::string>();
        const YAML::Node& value = field.second;
        auto note = [&](RrType t) {
          if (!n.has_timeout_marker) n.before_marker.insert(t);
        };
        if (type == "SPF") {
          spf_texts.push_back(joined(value));
        } else if (type == "TXT") {
          has_txt_entry = true;
          const std::string text = joined(value);
          if (text == "NONE") continue;
          note(RrType::TXT);
          n.records.push_back({RrType::TXT, text, {}, 0});
        } else if (type == "A" || type == "AAAA") {
          const RrType t = type == "A" ? RrType::A : RrType::AAAA;
          note(t);
          n.records.push_back({t, {}, auth::IpAddress::parse(value.as<std::string>()).value(), 0});
        } else if (type == "MX") {
          note(RrType::MX);
          n.records.push_back(
              {RrType::MX, key(value[1].as<std::string>()), {}, value[0].as<std::uint16_t>()});
        } else if (type == "PTR" || type == "CNAME") {
          const RrType t = type == "PTR" ? RrType::PTR : RrType::CNAME;
          note(t);
          n.records.push_back({t, key(value.as<std::string>()), {}, 0});
        } else if (type == "TIMEOUT") {
          n.forced = Status::Timeout;
        } else if (type == "SERVFAIL") {
          n.forced = Status::ServFail;
        }
      }
    }
    // RFC 7208 checks TXT only: SPF entries are served as TXT unless the name lists TXT itself.
    // These copies count as listed after a TIMEOUT marker.
    if (!has_txt_entry)
      for (auto& text : spf_texts) n.records.push_back({RrType::TXT, text, {}, 0});
  }
  return zone;
}

Answer SpfTestZone::query(std::string_view name, RrType type) {
  Answer answer;
  std::string current = key(name);
  for (int hops = 0; hops < 10; ++hops) {
    if (!servfail_marker_.empty() && current.find(servfail_marker_) != std::string::npos) {
      answer.status = Status::ServFail;
      return answer;
    }
    const auto it = names_.find(current);
    if (it == names_.end()) {
      answer.status = Status::NxDomain;
      return answer;
    }
    const Name& n = it->second;
    if (n.forced != Status::Ok) {
      answer.status = n.forced;
      return answer;
    }
    if (n.has_timeout_marker && !n.before_marker.contains(type)) {
      answer.status = Status::Timeout;
      return answer;
    }
    const Rr* cname = nullptr;
    for (const Rr& rr : n.records) {
      if (rr.type == RrType::CNAME) cname = &rr;
      if (rr.type != type) continue;
      switch (type) {
        case RrType::TXT:
          answer.txt.push_back(rr.text);
          break;
        case RrType::A:
          if (rr.address.is_v4()) answer.addresses.push_back(rr.address);
          break;
        case RrType::AAAA:
          if (!rr.address.is_v4()) answer.addresses.push_back(rr.address);
          break;
        case RrType::MX:
          answer.mx.push_back({rr.preference, rr.text});
          break;
        case RrType::PTR:
        case RrType::CNAME:
          answer.names.push_back(rr.text);
          break;
      }
    }
    if (cname == nullptr || type == RrType::CNAME || !answer.empty()) return answer;
    current = cname->text;
  }
  answer.status = Status::ServFail;  // CNAME loop
  return answer;
}

}  // namespace mailauth::test
