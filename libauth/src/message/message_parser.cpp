// MessageParser: splits a raw message, fed in chunks of any size, into header fields (exact
// bytes, CRLF folding) and a CRLF body stream, enforcing the header limits of auth::Limits.
#include <auth/message.hpp>

#include "message/excerpt.hpp"

namespace auth::message {

namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

}  // namespace

MessageParser::MessageParser(MessageHandler& handler, const Limits& limits)
    : handler_(handler), limits_(limits) {}

Expected<void> MessageParser::failure(ErrorCode code, std::string message) {
  error_ = Error{code, std::move(message)};
  return std::unexpected(*error_);
}

Expected<void> MessageParser::feed(std::string_view chunk) {
  if (error_) return std::unexpected(*error_);
  if (finished_) return fail(ErrorCode::InvalidArgument, "message parser: feed() after finish()");
  if (!in_body_) {
    if (auto r = consume_headers(chunk); !r) return r;
    if (!in_body_) return {};
  }
  emit_body(chunk);
  return {};
}

Expected<void> MessageParser::consume_headers(std::string_view& chunk) {
  while (!chunk.empty()) {
    const std::size_t lf = chunk.find('\n');
    if (lf == std::string_view::npos) {
      // An incomplete line: keep it, but never more than the line limit allows. A final CR may
      // still turn out to be half of the line ending.
      std::size_t known = pending_.size() + chunk.size();
      if (chunk.back() == '\r') --known;
      if (known > limits_.max_line_length) {
        return failure(ErrorCode::LimitExceeded,
                       concat({"line ", std::to_string(line_number_ + 1),
                               ": header line longer than max_line_length (",
                               std::to_string(limits_.max_line_length), " bytes)"}));
      }
      pending_.append(chunk);
      chunk = {};
      return {};
    }
    std::string_view line = chunk.substr(0, lf);
    if (!pending_.empty()) {
      pending_.append(line);
      line = pending_;
    }
    chunk.remove_prefix(lf + 1);
    ++line_number_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      pending_.clear();
      return end_headers();  // what is left of `chunk` is body
    }
    auto r = header_line(line);
    pending_.clear();
    if (!r) return r;
  }
  return {};
}

Expected<void> MessageParser::header_line(std::string_view line) {
  // Built only on failure: this runs for every header line.
  const auto at_line = [this] { return concat({"line ", std::to_string(line_number_), ": "}); };
  if (line.size() > limits_.max_line_length) {
    return failure(ErrorCode::LimitExceeded,
                   at_line() + "header line longer than max_line_length (" +
                       std::to_string(limits_.max_line_length) + " bytes)");
  }
  // Messages saved from an mbox start with the "From sender date" separator; it is no header.
  // "From  : x" is a From field in the obsolete syntax (RFC 5322 §4.5.3), not a separator.
  if (line_number_ == 1 && line.starts_with("From ")) {
    const std::size_t after = line.find_first_not_of(" \t", 4);
    if (after == std::string_view::npos || line[after] != ':') return {};
  }

  // Compared by subtraction: header_bytes_ never exceeds the limit, so nothing overflows.
  const std::size_t line_bytes = line.size() + 2;
  if (line_bytes > limits_.max_header_bytes - header_bytes_) {
    return failure(ErrorCode::LimitExceeded,
                   at_line() + "header section larger than max_header_bytes (" +
                       std::to_string(limits_.max_header_bytes) + " bytes)");
  }
  header_bytes_ += line_bytes;

  if (is_wsp(line.front())) {
    if (!has_current_) {
      return failure(ErrorCode::Syntax,
                     at_line() +
                         "continuation line (starting with white space) before any "
                         "header field: \"" +
                         excerpt(line) + "\"");
    }
    current_.raw_value += "\r\n";
    current_.raw_value += line;
    return {};
  }

  flush_field();  // a line that does not continue it completes the field before
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    return failure(ErrorCode::Syntax,
                   at_line() + "header line without a colon: \"" + excerpt(line) + "\"");
  }
  const std::string_view name = line.substr(0, colon);
  std::string_view core = name;  // RFC 5322 §4.5.3 allows WSP before the colon
  while (!core.empty() && is_wsp(core.back())) core.remove_suffix(1);
  if (core.empty()) {
    return failure(ErrorCode::Syntax,
                   at_line() + "header field with an empty name: \"" + excerpt(line) + "\"");
  }
  for (const char c : core) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126) {
      return failure(ErrorCode::Syntax, at_line() + "header field name \"" + excerpt(core) +
                                            "\" has a character RFC 5322 does not allow");
    }
  }

  if (header_count_ >= limits_.max_header_count) {
    return failure(ErrorCode::LimitExceeded, at_line() + "more than max_header_count (" +
                                                 std::to_string(limits_.max_header_count) +
                                                 ") header fields");
  }
  ++header_count_;
  current_.name.assign(name);
  current_.raw_value.assign(line.substr(colon + 1));
  has_current_ = true;
  return {};
}

void MessageParser::flush_field() {
  if (!has_current_) return;
  has_current_ = false;
  handler_.header(current_);
}

Expected<void> MessageParser::end_headers() {
  flush_field();
  in_body_ = true;
  handler_.end_of_headers();
  return {};
}

Expected<void> MessageParser::finish() {
  if (error_) return std::unexpected(*error_);
  if (finished_) return fail(ErrorCode::InvalidArgument, "message parser: finish() called twice");
  if (!in_body_) {
    // A last header line without a line ending, then no body at all.
    if (!pending_.empty()) {
      ++line_number_;
      std::string_view line = pending_;
      if (line.back() == '\r') line.remove_suffix(1);
      if (!line.empty()) {
        auto r = header_line(line);
        pending_.clear();
        if (!r) return r;
      }
      pending_.clear();
    }
    if (auto r = end_headers(); !r) return r;
  }
  finished_ = true;
  handler_.end_of_message();
  return {};
}

void MessageParser::emit_body(std::string_view chunk) {
  if (chunk.empty()) return;
  body_buffer_.clear();
  body_normalizer_.feed(chunk, body_buffer_);
  handler_.body(body_buffer_);
}

}  // namespace auth::message
