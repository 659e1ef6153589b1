#include "spf_suites.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <auth/domain_name.hpp>

#include "../support/conformance_suite.hpp"

namespace mailauth::test {
namespace {

namespace fs = std::filesystem;
using auth::dns::RrType;

std::string sanitize(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    out += ok ? c : '_';
  }
  return out;
}

// The one case of a suite whose file is missing: it says so when run.
SpfCase missing(const std::string& suite, const std::string& path) {
  SpfCase c;
  c.name = "missing_data";
  c.suite = suite;
  c.suite_file = path;
  return c;
}

// "spf/rfc7208" for "rfc7208-tests.yml", "spf/blitiri" for "blitiri/blitirispf-tests.yml".
std::string suite_id(const std::string& relative_path) {
  const auto slash = relative_path.find('/');
  if (slash != std::string::npos) return "spf/" + relative_path.substr(0, slash);
  return "spf/" + relative_path.substr(0, relative_path.find('-'));
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return std::string(s);
}

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  std::stringstream in{std::string(s)};
  std::string item;
  while (std::getline(in, item, ',')) {
    item = trim(item);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

void add_address(SpfTestZone& zone, std::string_view name, const std::string& text) {
  auto ip = auth::IpAddress::parse(text);
  if (!ip) return;
  zone.add(name, {ip->is_v4() ? RrType::A : RrType::AAAA, {}, *ip, 0});
}

// The stalwart zone as it stands when an `expect:` line is reached.
std::shared_ptr<SpfTestZone> build_stalwart_zone(
    const std::map<std::pair<std::string, std::string>, std::string>& lines) {
  auto zone = std::make_shared<SpfTestZone>();
  zone->set_servfail_marker("_dns_error.");
  for (const auto& [k, value] : lines) {
    const auto& [type, name] = k;
    if (type == "spf" || type == "exp") {
      zone->add(name, {RrType::TXT, value, {}, 0});
    } else if (type == "a" || type == "aaaa") {
      for (const auto& ip : split_list(value)) add_address(*zone, name, ip);
    } else if (type == "ptr") {
      auto ip = auth::IpAddress::parse(name);
      if (!ip) continue;
      for (const auto& target : split_list(value))
        zone->add(ip->reverse_name(), {RrType::PTR, auth::to_lower(target), {}, 0});
    } else if (type == "mx") {
      const auto ips = split_list(value);
      for (std::size_t i = 0; i < ips.size(); ++i) {
        const std::string exchange = "mx." + ips[i] + "." + std::to_string(i);
        zone->add(name, {RrType::MX, exchange, {}, static_cast<std::uint16_t>(i + 1)});
        add_address(*zone, exchange, ips[i]);
      }
    }
  }
  return zone;
}

}  // namespace

std::string spf_conformance_dir() { return (conformance_dir() / "spf").string(); }

std::vector<SpfCase> load_openspf_suite(const std::string& relative_path, bool prefix_scenario) {
  const std::string path = spf_conformance_dir() + "/" + relative_path;
  if (!fs::exists(path)) return {missing(suite_id(relative_path), path)};
  std::vector<SpfCase> cases;
  const auto documents = YAML::LoadAllFromFile(path);
  for (std::size_t s = 0; s < documents.size(); ++s) {
    const YAML::Node& doc = documents[s];
    auto zone = std::make_shared<SpfTestZone>(SpfTestZone::from_yaml(doc["zonedata"]));
    const std::string description = doc["description"] ? doc["description"].as<std::string>() : "";
    for (const auto& t : doc["tests"]) {
      SpfCase c;
      const std::string id = t.first.as<std::string>();
      const YAML::Node& body = t.second;
      c.name = (prefix_scenario ? "s" + std::to_string(s + 1) + "_" : "") + sanitize(id);
      c.origin = relative_path + ", scenario \"" + description + "\", test " + id;
      c.suite = suite_id(relative_path);
      c.suite_file = path;
      c.helo = body["helo"] ? body["helo"].as<std::string>() : "";
      c.host = body["host"].as<std::string>();
      c.mailfrom = body["mailfrom"] ? body["mailfrom"].as<std::string>() : "";
      if (body["result"].IsSequence()) {
        for (const auto& r : body["result"]) c.results.push_back(r.as<std::string>());
      } else {
        c.results.push_back(body["result"].as<std::string>());
      }
      if (body["explanation"]) c.explanation = body["explanation"].as<std::string>();
      c.zone = zone;
      cases.push_back(std::move(c));
    }
  }
  return cases;
}

std::vector<SpfCase> load_stalwart_suite() {
  const fs::path dir = spf_conformance_dir() + "/stalwart";
  if (!fs::exists(dir)) return {missing("spf/stalwart", dir.string())};
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".yml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<SpfCase> cases;
  for (const auto& file : files) {
    std::ifstream in(file);
    std::map<std::pair<std::string, std::string>, std::string> zone_lines;
    std::string block_name, helo, sender, ip = "127.0.0.1";
    std::string line;
    unsigned index = 0;
    while (std::getline(in, line)) {
      std::string_view l = line;
      std::string t = trim(l);
      if (t.starts_with("- ")) t = trim(std::string_view(t).substr(2));
      if (t.empty() || t.front() == '#' || t == "---") continue;
      const auto colon = t.find(':');
      if (colon == std::string::npos) continue;
      const std::string k = t.substr(0, colon);
      const std::string value = trim(std::string_view(t).substr(colon + 1));
      if (k == "name") {
        block_name = value;
      } else if (k == "spf" || k == "exp" || k == "a" || k == "aaaa" || k == "ptr" || k == "mx") {
        const auto space = value.find(' ');
        const std::string name = auth::to_lower(value.substr(0, space));
        const std::string rest =
            space == std::string::npos ? "" : trim(std::string_view(value).substr(space));
        zone_lines[{k, name}] = rest;
      } else if (k == "domain") {
        helo = value;
      } else if (k == "sender") {
        sender = value;
      } else if (k == "ip") {
        ip = value;
      } else if (k == "expect") {
        SpfCase c;
        const std::string stem = file.stem().string();
        c.name = sanitize(stem) + "_" + std::to_string(++index);
        c.origin = "stalwart/" + file.filename().string() + ", \"" + block_name + "\", check " +
                   std::to_string(index);
        c.stalwart = true;
        c.suite = "spf/stalwart";
        c.suite_file = file.string();
        // stalwart checks this block through its HELO entry point.
        c.helo_identity = block_name == "HELO identity";
        c.helo = helo;
        c.host = ip;
        c.mailfrom = sender;
        const auto space = value.find(' ');
        c.results.push_back(value.substr(0, space));
        if (space != std::string::npos) c.explanation = value.substr(space + 1);
        c.zone = build_stalwart_zone(zone_lines);
        cases.push_back(std::move(c));
      }
    }
  }
  return cases;
}

}  // namespace mailauth::test
