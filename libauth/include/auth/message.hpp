// auth::message: header fields with their exact bytes, a push parser for whole messages,
// RFC 5322 / RFC 5321 address parsing, and a .eml file reader.
#pragma once

#include <cstddef>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <auth/error.hpp>
#include <auth/limits.hpp>

namespace auth::message {

// One header field as received. `raw_value` is every byte after the colon up to (not including)
// the CRLF that ends the field, folding kept, line endings normalized to CRLF.
// `name` is as written; the obsolete syntax (RFC 5322 §4.5) may leave WSP before the colon,
// which is() ignores.
struct HeaderField {
  std::string name;
  std::string raw_value;

  bool is(std::string_view other_name) const;  // case-insensitive name comparison
  std::string unfolded() const;                // unfold(raw_value)
};

// The header fields of one message, kept for hashing after end of headers, bounded by
// Limits::max_header_count and max_header_bytes (a field counts its name, its raw value and
// 3 bytes for ':' and CRLF). A field past either bound is dropped and the list is marked
// overflowed for good; what an incomplete header means is the owner's decision (a verifier
// fails its signatures, a signer refuses to sign).
class HeaderList {
 public:
  explicit HeaderList(const Limits& limits = {});
  // Keeps a copy of the field; false when it was dropped for a limit.
  bool add(std::string_view name, std::string_view raw_value);
  const std::vector<HeaderField>& fields() const { return fields_; }
  bool overflowed() const { return overflow_.has_value(); }
  // The first limit breach (ErrorCode::LimitExceeded, naming the limit), or nullopt.
  const std::optional<Error>& overflow() const { return overflow_; }

 private:
  std::size_t max_count_;
  std::size_t max_bytes_;
  std::size_t bytes_ = 0;  // counts dropped fields too, so a later small field stays dropped
  std::optional<Error> overflow_;
  std::vector<HeaderField> fields_;
};

// RFC 5322 §2.2.3: remove every CRLF that is followed by WSP. Leading/trailing WSP kept.
std::string unfold(std::string_view raw_value);

// Unfolds and trims leading and trailing white space.
std::string unfold_and_trim(std::string_view raw_value);

// The events a message is made of, in the order an MTA sees them (docs/architecture.md).
class MessageHandler {
 public:
  virtual ~MessageHandler() = default;
  virtual void header(const HeaderField& field) = 0;
  virtual void end_of_headers() = 0;
  virtual void body(std::string_view chunk) = 0;  // CRLF line endings, any split
  virtual void end_of_message() = 0;
};

// Streaming LF -> CRLF normalization for body bytes (libmilter, files). Bare CR is kept as is.
class LineEndingNormalizer {
 public:
  // Appends the normalized form of `chunk` to `out`.
  void feed(std::string_view chunk, std::string& out);

 private:
  bool last_was_cr_ = false;
};

// Push parser: feed a raw message (CRLF or bare LF) in chunks of any size; it calls the handler
// with each complete header field, end_of_headers, body chunks (normalized to CRLF) and
// end_of_message. A limit breach returns an Error naming the limit; later calls keep failing.
//
// Decisions: an mbox "From " first line is skipped ("From  :" is a field, RFC 5322 §4.5.3);
// a header line without a colon, or a continuation line before any field, is a Syntax error
// naming the line; a message without a blank line is all header; the body is passed on as sent
// (no final CRLF is added). Limits: max_line_length counts one physical header line without its
// line ending; max_header_bytes counts every header line plus two bytes for its CRLF (the mbox
// line and the blank line are not counted), so LF and CRLF input are measured alike.
class MessageParser {
 public:
  explicit MessageParser(MessageHandler& handler, const Limits& limits = {});
  Expected<void> feed(std::string_view chunk);
  Expected<void> finish();  // flushes and calls end_of_message (end_of_headers first if needed)

 private:
  MessageHandler& handler_;
  Limits limits_;
  std::string pending_;  // bytes of an incomplete header line
  HeaderField current_;  // the field being assembled across folded lines
  bool has_current_ = false;
  bool in_body_ = false;
  bool finished_ = false;
  std::size_t header_bytes_ = 0;
  std::size_t header_count_ = 0;
  std::size_t line_number_ = 0;  // physical lines completed so far
  std::optional<Error> error_;
  LineEndingNormalizer body_normalizer_;
  std::string body_buffer_;
  Expected<void> consume_headers(std::string_view& chunk);  // leaves the body part in `chunk`
  Expected<void> header_line(std::string_view line);        // one physical line, without its ending
  Expected<void> end_headers();
  void flush_field();
  void emit_body(std::string_view chunk);
  Expected<void> failure(ErrorCode code, std::string message);  // records and returns it
};

// Normalizes a header value folded with bare LF (as libmilter hands it) to CRLF folding.
std::string normalize_folding(std::string_view raw_value);

// Reads a whole .eml file through a MessageParser; errors name the file.
Expected<void> read_eml(const std::filesystem::path& path, MessageHandler& handler,
                        const Limits& limits = {});
// The same for standard input or any already-open stream of bytes.
Expected<void> read_eml(std::istream& in, std::string_view name_for_errors, MessageHandler& handler,
                        const Limits& limits = {});

// RFC 5322 mailbox: "Display Name" <local@domain>, local@domain (comment), ...
struct Mailbox {
  std::string display_name;  // decoded of quotes and escapes, comments dropped; may be empty
  std::string local_part;    // as written, quotes removed
  std::string domain;        // as written (not lower-cased); domain literals keep their brackets
  std::string address() const { return local_part + "@" + domain; }
};

// Parses an address-list or mailbox-list (From:, Sender:, Reply-To:): display names, quoted
// strings, comments, groups (their members are returned; empty groups give none), obsolete
// forms (routes, CFWS between tokens). Accepts a raw (folded) value. A list of empty groups only
// ("undisclosed-recipients:;") gives an empty vector; a value with no address is an error.
// Encoded words (RFC 2047) in display names are left as written.
Expected<std::vector<Mailbox>> parse_address_list(std::string_view raw_value);

// SMTP envelope address (MAIL FROM / RCPT TO argument, RFC 5321 §4.1.2): `<local@domain>`,
// `<>` (null sender), `<@a,@b:local@domain>` (source route dropped), or bare `local@domain`.
// ESMTP parameters after a space (`<a@b> SIZE=10`) are ignored; `<Postmaster>` alone is accepted
// with an empty domain (§4.1.1.3). Quoted local parts are unquoted.
struct EnvelopeAddress {
  std::string local_part;  // empty for the null sender
  std::string domain;      // empty for the null sender
  bool is_null() const { return local_part.empty() && domain.empty(); }
};
Expected<EnvelopeAddress> parse_envelope_address(std::string_view text);

// The domain of an address `local@domain` (after the last '@'), or nullopt.
std::optional<std::string_view> domain_of(std::string_view address);

}  // namespace auth::message
