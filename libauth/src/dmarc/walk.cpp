#include "dmarc/walk.hpp"

#include <algorithm>

#include "message/excerpt.hpp"

namespace auth::dmarc {
namespace {

constexpr std::size_t max_walk_queries = 8;      // RFC 9989 §4.10
constexpr std::size_t shortcut_label_count = 7;  // step 4: "until 7 labels remain"

std::size_t label_count(std::string_view name) {
  std::size_t n = 1;
  for (char c : name) n += c == '.' ? 1 : 0;
  return n;
}

// The rightmost `count` labels of `name`.
std::string_view last_labels(std::string_view name, std::size_t count) {
  std::size_t dots = 0;
  for (std::size_t i = name.size(); i-- > 0;)
    if (name[i] == '.' && ++dots == count) return name.substr(i + 1);
  return name;
}

}  // namespace

const dns::SharedAnswer& Lookups::query_shared(std::string_view name, dns::RrType type) {
  for (const auto& e : entries_)
    if (e && e->type == type && e->name == name) return *e->answer;
  for (const Entry& e : overflow_)
    if (e.type == type && e.name == name) return *e.answer;
  auto answer = resolver_.query_shared(name, type);
  if (queries_ < inline_entries) {
    auto& slot = entries_[queries_++];
    slot.emplace(Entry{std::string(name), type, std::move(answer)});
    return *slot->answer;
  }
  ++queries_;
  overflow_.push_back(Entry{std::string(name), type, std::move(answer)});
  return *overflow_.back().answer;
}

namespace {

void select_records(const dns::Answer& answer, SelectedDmarcRecord& out) {
  for (const std::string& txt : answer.txt) {
    auto record = parse_record(txt);
    if (!record) {
      out.not_dmarc.push_back(std::move(record.error().message));
      continue;
    }
    if (++out.dmarc_records == 1) out.single = std::move(*record);
  }
  if (out.dmarc_records != 1) out.single.reset();
}

}  // namespace

const SelectedDmarcRecord& Lookups::dmarc_records(const dns::SharedAnswer& txt) {
  const dns::AnswerMemo* memo = txt.memo();
  if (memo == nullptr) {
    auto computed = std::make_unique<SelectedDmarcRecord>();
    select_records(txt.answer(), *computed);
    memo = txt.attach(std::move(computed));
  }
  if (const auto* selected = dynamic_cast<const SelectedDmarcRecord*>(memo)) return *selected;
  select_records(txt.answer(), unattached_.emplace_back());
  return unattached_.back();
}

std::size_t walk_names(std::string_view start, WalkNames& out) {
  std::size_t count = 0;
  out[count++] = start;
  std::size_t x = label_count(start);
  while (x > 1 && count < out.size()) {
    x = x - 1 < shortcut_label_count ? x - 1 : shortcut_label_count;
    out[count++] = last_labels(start, x);
  }
  return count;
}

std::vector<std::string_view> walk_names(std::string_view start) {
  WalkNames names;
  const std::size_t count = walk_names(start, names);
  return {names.begin(), names.begin() + static_cast<std::ptrdiff_t>(count)};
}

std::string dns_failure_reason(const dns::Answer& answer, std::string_view name) {
  return message::concat({answer.status == dns::Status::Timeout ? "DNS timeout" : "DNS SERVFAIL",
                          " looking up TXT ", message::excerpt(name, 255)});
}

ReasonCode dns_failure_code(const dns::Answer& answer) {
  return answer.status == dns::Status::Timeout ? ReasonCode::DnsTimeout
                                               : ReasonCode::DnsServerFailure;
}

TreeWalk::TreeWalk(std::string_view start, bool collect, const PublicSuffixList* psl)
    : start_(start), collect_(collect), psl_mode_(psl != nullptr) {
  if (!psl_mode_) {
    name_count_ = walk_names(start, names_);
    return;
  }
  const std::string od = psl->organizational_domain(start);
  psl_org_domain_ = od.size() < start.size() ? start.substr(start.size() - od.size()) : start;
  names_[name_count_++] = start;
  if (psl_org_domain_.size() < start.size()) names_[name_count_++] = psl_org_domain_;
}

bool TreeWalk::step(Lookups& lookups) {
  if (done()) return false;
  const std::string_view name = names_[next_++];
  // "_dmarc." + name, on the stack: names are at most 253 octets (to_a_labels checks).
  std::array<char, 7 + 256> buffer;
  const std::size_t length = 7 + std::min<std::size_t>(name.size(), 256);
  std::copy_n("_dmarc.", 7, buffer.data());
  // NOLINTNEXTLINE(bugprone-suspicious-stringview-data-usage): a counted copy, no terminator read
  std::copy_n(name.data(), length - 7, buffer.data() + 7);
  const std::string_view qname(buffer.data(), length);
  const dns::SharedAnswer& shared = lookups.query_shared(qname, dns::RrType::TXT);
  const dns::Answer& answer = shared.answer();
  if (!first_status_) first_status_ = answer.status;

  WalkStep step;
  if (collect_) {
    step.name = std::string(qname);
    step.status = answer.status;
    step.txt_records = answer.txt.size();
  }
  if (answer.is_temporary_failure()) {
    failure_.emplace(dns_failure_reason(answer, qname), dns_failure_code(answer));
    next_ = name_count_;  // nothing later can make the outcome certain again
    if (collect_) steps_.push_back(std::move(step));
    return false;
  }

  const SelectedDmarcRecord& selected = lookups.dmarc_records(shared);
  const std::size_t dmarc_records = selected.dmarc_records;
  const std::optional<Record>& single = selected.single;
  if (collect_) {
    for (const std::string& why : selected.not_dmarc)
      warnings_.push_back(message::concat(
          {"TXT record at ", qname, " is not a DMARC record and is ignored: ", why}));
    step.dmarc_records = dmarc_records;
    if (dmarc_records == 1) step.psd = single->psd;
    steps_.push_back(std::move(step));
    if (dmarc_records > 1)
      warnings_.push_back(message::concat({std::to_string(dmarc_records), " DMARC records at ",
                                           qname, "; all are discarded (RFC 9989 §4.10 step 2)"}));
  }
  if (dmarc_records != 1) return !done();

  // psd=y or psd=n ends a tree walk; with the PSL, the first record found applies.
  const bool stops = psl_mode_ || single->psd != PsdFlag::Unspecified;
  found_.push_back(Found{name, &*single});
  if (stops) next_ = name_count_;
  return !done();
}

std::string_view TreeWalk::organizational_domain() const {
  if (psl_mode_) return psl_org_domain_;
  if (found_.empty()) return start_;
  // psd=y and psd=n stop the walk, so only the last record found can carry them.
  const Found& last = found_.back();
  if (last.record->psd == PsdFlag::No) return last.name;  // rule 1
  if (last.record->psd == PsdFlag::Yes && last.name.size() < start_.size()) {
    // Rule 2: the name one label below the PSD, on the way back to the start name.
    const auto head = start_.substr(0, start_.size() - last.name.size() - 1);
    const auto dot = head.rfind('.');
    return dot == std::string_view::npos ? start_ : start_.substr(dot + 1);
  }
  return last.name;  // rule 3: the record with the fewest labels
}

const Found* TreeWalk::policy_record() const {
  if (found_.empty()) return nullptr;
  if (psl_mode_ || found_.front().name == start_) return &found_.front();
  const auto od = organizational_domain();
  for (const Found& f : found_)
    if (f.name == od) return &f;
  // The Organizational Domain has no record of its own: the PSD's applies (psd=y).
  return &found_.back();
}

}  // namespace auth::dmarc
