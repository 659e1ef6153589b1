// The batch runner: workers take files in input order from a ring of `window` slots; the calling
// thread fills the ring from the FileList and writes each slot's outcome once it and every slot
// before it are done. At most `window` files are in flight, whatever the number of files.
#include "batch.hpp"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "subcommand.hpp"

namespace mailauth::cli {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr std::size_t output_flush_bytes = 64 * 1024;
constexpr std::size_t slots_per_job = 16;  // enough that no worker waits for the writer
constexpr auto progress_interval = std::chrono::milliseconds(100);

// Writes all of `data` to `fd`; false (errno set) on failure.
bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Standard output (buffered, written in large pieces, or at once to a terminal), standard error
// (written at once, after what standard output holds, so that `2>&1` keeps each file's lines
// together) and the progress line.
class Writer {
 public:
  Writer(std::string_view command, std::optional<std::size_t> total)
      : command_(command),
        total_(total),
        out_is_terminal_(::isatty(STDOUT_FILENO) == 1),
        progress_(::isatty(STDERR_FILENO) == 1),
        start_(SteadyClock::now()) {}

  void emit(FileOutcome& outcome) {
    status_ = combine_status(status_, outcome.status);
    if (!outcome.err.empty()) {
      flush();
      clear_progress();
      write_all(STDERR_FILENO, outcome.err);
    }
    if (!outcome.out.empty()) {
      if (out_.empty() && outcome.out.size() >= output_flush_bytes) {
        write_out(outcome.out);  // a whole message: no copy into the buffer
      } else {
        out_ += outcome.out;
        if (out_is_terminal_ || out_.size() >= output_flush_bytes) flush();
      }
    }
    ++done_;
    if (progress_) {
      const auto now = SteadyClock::now();
      if (now - last_drawn_ >= progress_interval) draw_progress(now);
    }
  }

  // Writes what standard output holds; called before waiting, so output never lags the work.
  void flush() {
    if (out_.empty()) return;
    write_out(out_);
    out_.clear();
  }

  void fail(std::string_view message) {
    flush();
    clear_progress();
    write_all(STDERR_FILENO, message);
    status_ = combine_status(status_, exit_usage);
  }

  int finish() {
    flush();
    clear_progress();
    return status_;
  }

 private:
  void write_out(std::string_view data) {
    if (out_failed_) return;
    if (out_is_terminal_) clear_progress();
    if (!write_all(STDOUT_FILENO, data)) {
      const int error = errno;
      out_failed_ = true;
      clear_progress();
      write_all(STDERR_FILENO, "mailauth " + std::string(command_) +
                                   ": cannot write standard output: " +
                                   std::generic_category().message(error) + "\n");
      status_ = combine_status(status_, exit_usage);
    }
  }

  void draw_progress(SteadyClock::time_point now) {
    last_drawn_ = now;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    char line[160];
    const int n =
        total_ ? std::snprintf(line, sizeof line, "\r%.*s: %zu/%zu files, %.0f/s\033[K",
                               static_cast<int>(command_.size()), command_.data(), done_, *total_,
                               seconds > 0 ? static_cast<double>(done_) / seconds : 0.0)
               : std::snprintf(line, sizeof line, "\r%.*s: %zu files, %.0f/s\033[K",
                               static_cast<int>(command_.size()), command_.data(), done_,
                               seconds > 0 ? static_cast<double>(done_) / seconds : 0.0);
    if (n > 0) write_all(STDERR_FILENO, std::string_view(line, static_cast<std::size_t>(n)));
    progress_visible_ = true;
  }

  void clear_progress() {
    if (!progress_visible_) return;
    write_all(STDERR_FILENO, "\r\033[K");
    progress_visible_ = false;
  }

  std::string_view command_;
  std::optional<std::size_t> total_;
  bool out_is_terminal_;
  bool progress_;
  bool progress_visible_ = false;
  bool out_failed_ = false;
  SteadyClock::time_point start_;
  SteadyClock::time_point last_drawn_{};
  std::size_t done_ = 0;
  std::string out_;
  int status_ = exit_ok;
};

// A Work that never lets an exception out: a failure is that file's unreadable-input error.
FileOutcome run_guarded(std::string_view command, const Work& work, const std::string& file) {
  try {
    return work(file);
  } catch (const std::exception& e) {
    return {
        {}, "mailauth " + std::string(command) + ": " + file + ": " + e.what() + "\n", exit_usage};
  }
}

int run_serial(std::string_view command, FileList& files, const WorkFactory& factory,
               Writer& writer) {
  const Work work = factory();
  std::string file;
  while (files.next(file)) {
    FileOutcome outcome = run_guarded(command, work, file);
    writer.emit(outcome);
  }
  return 0;
}

class Pool {
 public:
  Pool(std::string_view command, unsigned jobs, const WorkFactory& factory)
      : command_(command), slots_(static_cast<std::size_t>(jobs) * slots_per_job) {
    workers_.reserve(jobs);
    for (unsigned i = 0; i < jobs; ++i)
      workers_.emplace_back([this, &factory] { work(factory()); });
  }

  ~Pool() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    work_ready_.notify_all();
  }  // the jthreads join here

  void run(FileList& files, Writer& writer) {
    std::string file;
    bool more = true;
    while (true) {
      // Keep the ring full: read the next paths outside the lock (the list may be on disk).
      while (more && queued_ - written_ < slots_.size()) {
        if (!files.next(file)) {
          more = false;
          break;
        }
        std::lock_guard lock(mutex_);
        Slot& slot = slots_[queued_ % slots_.size()];
        slot.file = std::move(file);
        slot.done = false;
        ++queued_;
        work_ready_.notify_one();
      }
      if (written_ == queued_) return;
      Slot& head = slots_[written_ % slots_.size()];
      std::unique_lock lock(mutex_);
      if (!head.done) {
        lock.unlock();
        writer.flush();
        lock.lock();
        // Woken once a run of outcomes is ready rather than for each: every wake-up is a
        // context switch on a core the workers need.
        wake_at_ = written_ + std::min(slots_.size() / 2, queued_ - written_) - 1;
        writer_waiting_ = true;
        head_done_.wait(lock, [this] { return run_done(); });
        writer_waiting_ = false;
      }
      FileOutcome outcome = std::move(head.outcome);
      head.outcome = {};
      ++written_;
      lock.unlock();
      writer.emit(outcome);
    }
  }

 private:
  struct Slot {
    std::string file;
    FileOutcome outcome;
    bool done = false;
  };

  void work(const Work& job) {
    std::unique_lock lock(mutex_);
    while (true) {
      work_ready_.wait(lock, [this] { return stopping_ || taken_ < queued_; });
      if (taken_ == queued_) return;  // stopping, nothing left
      Slot& slot = slots_[taken_ % slots_.size()];
      ++taken_;
      // The slot is this worker's until it is marked done: the writer reads it only then.
      lock.unlock();
      FileOutcome outcome = run_guarded(command_, job, slot.file);
      lock.lock();
      slot.outcome = std::move(outcome);
      slot.done = true;
      if (writer_waiting_ && run_done()) head_done_.notify_one();
    }
  }

  // Whether the outcomes the waiting writer asked for (written_ to wake_at_) are all done.
  bool run_done() const {
    for (std::size_t i = written_; i <= wake_at_; ++i)
      if (!slots_[i % slots_.size()].done) return false;
    return true;
  }

  std::string_view command_;
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable head_done_;
  std::vector<Slot> slots_;
  std::size_t queued_ = 0;   // files put in the ring
  std::size_t taken_ = 0;    // files a worker started
  std::size_t written_ = 0;  // outcomes taken for writing (changed under the lock)
  std::size_t wake_at_ = 0;  // the last slot the waiting writer waits for
  bool writer_waiting_ = false;
  bool stopping_ = false;
  std::vector<std::jthread> workers_;  // last: joined before the rest is destroyed
};

}  // namespace

void add_batch_options(CommandLine& cl, BatchOptions& out) {
  cl.options.add_options()  //
      ("jobs,j",
       po::value(&out.jobs)->value_name("N")->notifier([&out](unsigned) { out.jobs_given = true; }),
       "work on N files at a time (default: the number of cores)")  //
      ("files-from", po::value(&out.files_from)->value_name("FILE"),
       "also take the files named in FILE, one path a line (- for standard input)");
}

std::expected<unsigned, int> batch_jobs(const CommandLine& cl, const BatchOptions& options) {
  if (!options.jobs_given) return available_cores();
  if (options.jobs < 1 || options.jobs > max_jobs)
    return std::unexpected(
        usage_error(cl.name, "--jobs must be from 1 to " + std::to_string(max_jobs)));
  return options.jobs;
}

std::expected<BatchInputs, int> batch_inputs(const CommandLine& cl, po::variables_map& vm,
                                             const BatchOptions& options) {
  std::vector<std::string> files;
  if (vm.count("file") != 0) files = vm["file"].as<std::vector<std::string>>();
  const auto jobs = batch_jobs(cl, options);
  if (!jobs) return std::unexpected(jobs.error());
  auto list = FileList::open(std::move(files), options.files_from);
  if (!list) return std::unexpected(usage_error(cl.name, list.error()));
  return BatchInputs{std::move(*list), *jobs};
}

unsigned available_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return static_cast<unsigned>(n);
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

int combine_status(int a, int b) {
  for (const int code : {exit_usage, exit_fail, exit_temporary})
    if (a == code || b == code) return code;
  return exit_ok;
}

int run_batch(std::string_view command, FileList& files, unsigned jobs,
              const WorkFactory& factory) {
  if (const auto total = files.total(); total && *total < jobs)
    jobs = static_cast<unsigned>(std::max<std::size_t>(*total, 1));
  Writer writer(command, files.total());
  if (jobs <= 1) {
    run_serial(command, files, factory, writer);
  } else {
    Pool pool(command, jobs, factory);
    pool.run(files, writer);
  }
  if (!files.error().empty())
    writer.fail("mailauth " + std::string(command) + ": " + files.error() + "\n");
  return writer.finish();
}

}  // namespace mailauth::cli
