// The "arc" object of `mailauth verify --json` and `mailauth seal --json`: exactly "result",
// "instances", "oldest_pass", "reason", "reason_code". One definition, so the two cannot drift.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include <auth/arc.hpp>
#include <auth/reason.hpp>

namespace mailauth::cli {

inline nlohmann::ordered_json arc_json(const auth::arc::ArcResult& r) {
  return {{"result", std::string(auth::arc::to_string(r.result))},
          {"instances", r.instances},
          {"oldest_pass", r.oldest_pass},
          {"reason", r.reason},
          {"reason_code", std::string(auth::to_string(r.reason_code))}};
}

}  // namespace mailauth::cli
