#include "spf/selected_record.hpp"

namespace auth::spf {
namespace {

void select(const dns::Answer& answer, SelectedRecord& out) {
  const std::string* text = nullptr;
  for (const auto& txt : answer.txt) {
    if (is_spf_record(txt)) {
      ++out.count;
      text = &txt;
    }
  }
  if (out.count == 1) out.record = parse_record(*text);
}

}  // namespace

const SelectedRecord& select_record(const dns::SharedAnswer& txt,
                                    std::optional<SelectedRecord>& fallback) {
  const dns::AnswerMemo* memo = txt.memo();
  if (memo == nullptr) {
    auto computed = std::make_unique<SelectedRecord>();
    select(txt.answer(), *computed);
    memo = txt.attach(std::move(computed));
  }
  if (const auto* selected = dynamic_cast<const SelectedRecord*>(memo)) return *selected;
  select(txt.answer(), fallback.emplace());
  return *fallback;
}

}  // namespace auth::spf
