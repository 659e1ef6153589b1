// A process that writes report records to a store, for the reliability tests:
//   report-store-writer URI COUNT BATCH [INTERVAL_MS]
// Adds COUNT records (distinct times) with batches of BATCH; after each committed batch it prints
// "written N" (N: records committed so far) on standard output. Exits 0 after a final flush
// when all were written.
#include <auth/report.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include <unistd.h>

#include "report_test_support.hpp"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s URI COUNT BATCH [INTERVAL_MS]\n", argv[0]);
    return 2;
  }
  const std::string uri = argv[1];
  const long count = std::atol(argv[2]);
  const long batch = std::atol(argv[3]);
  auth::dmarc::StoreOptions options;
  options.batch_size = static_cast<std::size_t>(batch);
  options.queue_capacity = static_cast<std::size_t>(count) + 1;
  options.flush_interval = std::chrono::milliseconds(argc > 4 ? std::atol(argv[4]) : 20);
  auto store = auth::dmarc::ReportStore::open(uri, options);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().message.c_str());
    return 2;
  }
  const long pid = static_cast<long>(::getpid());
  std::uint64_t reported = 0;
  for (long i = 0; i < count; ++i) {
    auto record = auth::report_test::sample_record(1700000000 + i, "example.com", "example.com",
                                                   "198.51.100." + std::to_string(pid % 250));
    (*store)->add(std::move(record));
    // Pace the loop a little, so that a test can kill the process while it writes.
    if ((i + 1) % batch == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const auto written = (*store)->stats().written;
    if (written != reported) {
      reported = written;
      std::printf("written %llu\n", static_cast<unsigned long long>(written));
      std::fflush(stdout);
    }
  }
  if (!(*store)->flush(std::chrono::seconds(120))) return 1;
  std::printf("written %llu\n", static_cast<unsigned long long>((*store)->stats().written));
  std::fflush(stdout);
  return (*store)->stats().written == static_cast<std::uint64_t>(count) ? 0 : 1;
}
