// Bounded header field storage shared by the DKIM and ARC verifiers, signer and sealer.
#include <auth/message.hpp>

#include <algorithm>

namespace auth::message {

HeaderList::HeaderList(const Limits& limits)
    : max_count_(limits.max_header_count), max_bytes_(limits.max_header_bytes) {}

bool HeaderList::add(std::string_view name, std::string_view raw_value) {
  bytes_ += name.size() + raw_value.size() + 3;
  if (fields_.size() >= max_count_) {
    if (!overflow_)
      overflow_ =
          Error{ErrorCode::LimitExceeded,
                "more than max_header_count (" + std::to_string(max_count_) + ") header fields"};
    return false;
  }
  if (bytes_ > max_bytes_) {
    if (!overflow_)
      overflow_ = Error{ErrorCode::LimitExceeded, "header fields larger than max_header_bytes (" +
                                                      std::to_string(max_bytes_) + " bytes)"};
    return false;
  }
  // A typical message has 10 to 30 fields: one allocation instead of five growth steps, each
  // of which moves every field.
  if (fields_.empty()) fields_.reserve(std::min<std::size_t>(max_count_, 32));
  fields_.push_back(HeaderField{std::string(name), std::string(raw_value)});
  return true;
}

}  // namespace auth::message
