// The DNS Tree Walk (RFC 9989 §4.10) and the Organizational Domain rules (§4.10.2), step by step
// so that the evaluator can stop after the first query when nothing more is needed; and the
// RFC 7489 public suffix list discovery in the same shape.
#pragma once

#include <array>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <auth/dmarc.hpp>
#include <auth/dns.hpp>

namespace auth::dmarc {

// A DMARC record found by a walk at `name` (a suffix of the start name). The record lives in
// the memo of the TXT answer the walk's Lookups hold (parsed once per cached answer).
struct Found {
  std::string_view name;
  const Record* record;
};

// The DMARC records of one TXT answer (RFC 9989 §4.10 step 2), worked out once per cached
// answer and kept in its memo slot: a warm evaluation does no record parsing.
struct SelectedDmarcRecord final : dns::AnswerMemo {
  std::size_t dmarc_records = 0;       // TXT strings that parse as DMARC records
  std::optional<Record> single;        // the record when there is exactly one
  std::vector<std::string> not_dmarc;  // why each other TXT string is not a DMARC record
};

// The DNS answers of one evaluation: each (name, type) is asked once, however many walks
// (author, SPF and DKIM identifiers) pass by it. Answers are shared with the cache, not copied;
// references stay valid for the Lookups' lifetime.
class Lookups {
 public:
  explicit Lookups(dns::Resolver& resolver) : resolver_(resolver) {}
  const dns::Answer& query(std::string_view name, dns::RrType type) {
    return query_shared(name, type).answer();
  }
  const dns::SharedAnswer& query_shared(std::string_view name, dns::RrType type);
  unsigned queries() const { return queries_; }
  // The DMARC records of `txt` (an answer these Lookups hold): its memo, computed and attached
  // on first use.
  const SelectedDmarcRecord& dmarc_records(const dns::SharedAnswer& txt);

 private:
  struct Entry {
    std::string name;
    dns::RrType type;
    std::shared_ptr<const dns::SharedAnswer> answer;
  };
  dns::Resolver& resolver_;
  // Most evaluations ask a handful of names: those live here, the rest in `overflow_` (a list,
  // so that references stay valid and nothing is allocated until needed).
  static constexpr std::size_t inline_entries = 8;
  std::array<std::optional<Entry>, inline_entries> entries_;
  std::list<Entry> overflow_;
  // Selections for answers whose memo slot holds another protocol's memo (a name asked for SPF
  // and DMARC alike: not in practice), kept here so that Found::record stays valid.
  std::list<SelectedDmarcRecord> unattached_;
  unsigned queries_ = 0;
};

// The names a walk from `start` queries, in order (RFC 9989 §4.10 steps 3, 4, 7): the start
// name, then its rightmost 7 labels or fewer, one label less each time, down to the TLD. At
// most 8 names; each is a suffix (a view) of `start`.
constexpr std::size_t max_walk_queries = 8;
using WalkNames = std::array<std::string_view, max_walk_queries>;
std::size_t walk_names(std::string_view start, WalkNames& out);  // returns the count
std::vector<std::string_view> walk_names(std::string_view start);

// "timeout looking up TXT _dmarc.example.com" and its code.
std::string dns_failure_reason(const dns::Answer& answer, std::string_view name);
ReasonCode dns_failure_code(const dns::Answer& answer);

class TreeWalk {
 public:
  // `start` (lower case, A-labels) must outlive the walk. `collect` keeps WalkSteps and
  // warnings (for discover() and the record check; the evaluator does without). With `psl`, the
  // RFC 7489 discovery instead: the start name, then its Organizational Domain by the list, the
  // first single record found applies and psd= is ignored (RFC 9989's record rules otherwise).
  TreeWalk(std::string_view start, bool collect, const PublicSuffixList* psl = nullptr);

  // Queries the next name (false when the walk had already stopped).
  bool step(Lookups& lookups);
  void run(Lookups& lookups) {
    while (step(lookups)) {
    }
  }
  bool done() const { return next_ >= name_count_; }

  std::string_view start() const { return start_; }
  const std::vector<Found>& found() const { return found_; }  // longest name first
  std::vector<Found>& found() { return found_; }
  // Whether the first query (the start name itself) answered; its status.
  const std::optional<dns::Status>& first_status() const { return first_status_; }
  bool temporary_failure() const { return failure_.has_value(); }
  const std::optional<std::pair<std::string, ReasonCode>>& failure() const { return failure_; }
  std::vector<WalkStep>& steps() { return steps_; }
  std::vector<std::string>& warnings() { return warnings_; }

  // RFC 9989 §4.10.2 over what was found (call when done()): the Organizational Domain, the
  // start name when nothing decides it.
  std::string_view organizational_domain() const;
  // RFC 9989 §4.10.1: the record that applies to the start name (call when done()): the start
  // name's own record, else the Organizational Domain's, else the PSD's (psd=y); null when none.
  const Found* policy_record() const;

 private:
  std::string_view start_;
  bool collect_;
  bool psl_mode_ = false;
  std::string_view psl_org_domain_;  // PSL mode: a suffix of start_
  WalkNames names_{};
  std::size_t name_count_ = 0;
  std::size_t next_ = 0;
  std::vector<Found> found_;
  std::optional<dns::Status> first_status_;
  std::optional<std::pair<std::string, ReasonCode>> failure_;  // the first failure
  std::vector<WalkStep> steps_;
  std::vector<std::string> warnings_;
};

}  // namespace auth::dmarc
