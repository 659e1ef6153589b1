// Body hashing: canonicalize in large blocks, truncate at l=, and share one hash per distinct
// (canonicalization, hash algorithm, l=) among all signatures of a message.
#include "dkim/body_hash.hpp"

#include <algorithm>

namespace auth::dkim {
namespace {
// With variants, up to twice this many canonical bytes wait before being hashed, so that the
// last `tail_window` bytes are still at hand at the end.
constexpr std::size_t tail_window = 16 * 1024;
}  // namespace

std::optional<crypto::Digest> BodyHash::prefix_digest(std::uint64_t size) const {
  if (!tail || size > canonical_length || canonical_length - size > tail->bytes.size())
    return std::nullopt;
  const std::size_t keep = tail->bytes.size() - static_cast<std::size_t>(canonical_length - size);
  crypto::Hasher hasher = tail->before;
  hasher.update(std::string_view(tail->bytes).substr(0, keep));
  return hasher.finish();
}

std::optional<crypto::Digest> BodyHash::extended_digest(std::string_view extra) const {
  if (!tail) return std::nullopt;
  crypto::Hasher hasher = tail->before;
  hasher.update(tail->bytes);
  hasher.update(extra);
  return hasher.finish();
}

BodyHasher::BodyHasher(const BodyHashKey& key, bool variants)
    : key_(key),
      variants_(variants && !key.length),
      canonicalizer_(key.canonicalization),
      hasher_(key.algorithm) {}

void BodyHasher::feed(std::string_view canonical) {
  const std::uint64_t before = length_;
  length_ += canonical.size();
  if (variants_) {
    tail_.append(canonical);
    if (tail_.size() > 2 * tail_window) {
      const std::size_t hashed = tail_.size() - tail_window;
      hasher_.update(std::string_view(tail_).substr(0, hashed));
      tail_.erase(0, hashed);
    }
    return;
  }
  if (key_.length) {
    if (before >= *key_.length) return;
    const std::uint64_t room = *key_.length - before;
    if (canonical.size() > room) canonical = canonical.substr(0, static_cast<std::size_t>(room));
  }
  hasher_.update(canonical);
}

void BodyHasher::update(std::string_view chunk) {
  // Slices small enough that the canonical copy is still in L1 cache when it is hashed.
  constexpr std::size_t slice = 8 * 1024;
  while (!chunk.empty()) {
    const std::string_view part = chunk.substr(0, slice);
    chunk.remove_prefix(part.size());
    buffer_.clear();
    canonicalizer_.update(part, buffer_);
    if (!buffer_.empty()) feed(buffer_);
  }
}

BodyHash BodyHasher::finish() {
  BodyHash out;
  const std::size_t held = canonicalizer_.held_line_breaks();
  buffer_.clear();
  canonicalizer_.finish(buffer_);
  feed(buffer_);
  out.canonical_length = length_;
  if (variants_) {
    auto tail = std::make_shared<BodyHash::Tail>(BodyHash::Tail{hasher_, std::move(tail_), held});
    hasher_.update(tail->bytes);
    out.tail = std::move(tail);
  }
  out.digest = hasher_.finish();
  return out;
}

BodyHashSet::BodyHashSet() : impl_(std::make_unique<Impl>()) {}
BodyHashSet::~BodyHashSet() = default;
BodyHashSet::BodyHashSet(BodyHashSet&&) noexcept = default;
BodyHashSet& BodyHashSet::operator=(BodyHashSet&&) noexcept = default;
std::size_t BodyHashSet::size() const { return impl_->entries.size(); }
std::uint64_t BodyHashSet::hashed_bytes() const { return impl_->hashed_bytes; }

std::size_t BodyHashSet::Impl::add(const BodyHashKey& key, bool variants) {
  for (std::size_t i = 0; i < entries.size(); ++i) {
    Entry& entry = entries[i];
    if (entry.hasher.key() == key) {
      // Variants need the whole body from its start: only a hash that has not begun can switch.
      if (variants && entry.consumed == 0 && !entry.result) entry.hasher = BodyHasher(key, true);
      return i;
    }
  }
  entries.push_back(Entry{BodyHasher(key, variants), 0, std::nullopt});
  return entries.size() - 1;
}

void BodyHashSet::Impl::update(std::uint64_t offset, std::string_view chunk) {
  const std::uint64_t end = offset + chunk.size();
  for (Entry& entry : entries) {
    // Finished, already consumed, or a gap before this chunk: another feeder brings the bytes.
    if (entry.result || entry.consumed >= end || entry.consumed < offset) continue;
    const std::string_view unseen = chunk.substr(static_cast<std::size_t>(entry.consumed - offset));
    entry.hasher.update(unseen);
    entry.consumed = end;
    hashed_bytes += unseen.size();
  }
  fed = std::max(fed, end);
}

const BodyHash& BodyHashSet::Impl::finish(std::size_t index) {
  Entry& entry = entries.at(index);
  if (!entry.result) entry.result = entry.hasher.finish();
  return *entry.result;
}

void BodyHashSet::Impl::finish() {
  for (std::size_t i = 0; i < entries.size(); ++i) finish(i);
}

}  // namespace auth::dkim
