// gzip (RFC 1952) through zlib. The header carries no name and no time, so the same XML always
// gives the same bytes (a re-run writes an identical file).
#include <zlib.h>

#include <auth/report.hpp>

namespace auth::dmarc {

Expected<std::string> gzip_compress(std::string_view data) {
  z_stream z{};
  // windowBits 15 + 16: a gzip wrapper instead of zlib's.
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return fail(ErrorCode::Io, "gzip: cannot initialize zlib");
  std::string out;
  out.resize(deflateBound(&z, static_cast<uLong>(data.size())) + 32);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  const auto produced = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return fail(ErrorCode::Io, "gzip: compression failed");
  out.resize(produced);
  return out;
}

Expected<std::string> gzip_decompress(std::string_view data, std::size_t max_size) {
  z_stream z{};
  // 15 + 32: accept a gzip or zlib header.
  if (inflateInit2(&z, 15 + 32) != Z_OK) return fail(ErrorCode::Io, "gzip: cannot initialize zlib");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buffer[16384];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&z);
      return fail(ErrorCode::Syntax, "gzip: corrupt or truncated data");
    }
    out.append(buffer, sizeof buffer - z.avail_out);
    if (out.size() > max_size) {
      inflateEnd(&z);
      return fail(ErrorCode::LimitExceeded,
                  "gzip: more than " + std::to_string(max_size) + " bytes uncompressed");
    }
    if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
      inflateEnd(&z);
      return fail(ErrorCode::Syntax, "gzip: truncated data");
    }
  }
  inflateEnd(&z);
  return out;
}

}  // namespace auth::dmarc
