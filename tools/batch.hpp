// Running a subcommand over many files (verify, sign, seal): --jobs threads over one shared
// context, output in input order, a bounded window of files in flight (memory does not grow
// with the number of files), and a progress line on standard error when it is a terminal.
#pragma once

#include <expected>
#include <functional>
#include <optional>
#include <string>

#include "file_list.hpp"
#include "options.hpp"

namespace mailauth::cli {

// --jobs and --files-from, as every batch subcommand spells them.
struct BatchOptions {
  unsigned jobs = 0;
  bool jobs_given = false;  // else: the number of cores
  std::string files_from;   // empty: none
};
void add_batch_options(CommandLine& cl, BatchOptions& out);

// The threads to run: --jobs, or the number of cores. A value out of 1..max_jobs is a usage
// error (explained; its exit code returned).
inline constexpr unsigned max_jobs = 1024;
std::expected<unsigned, int> batch_jobs(const CommandLine& cl, const BatchOptions& options);

// What a batch subcommand works on: the FILE arguments (positional "file") then the files of
// --files-from, and the threads to run. Usage errors are explained; their exit code returned.
struct BatchInputs {
  FileList files;
  unsigned jobs;
};
std::expected<BatchInputs, int> batch_inputs(const CommandLine& cl, po::variables_map& vm,
                                             const BatchOptions& options);

// The processors this process may run on (sched_getaffinity), at least 1.
unsigned available_cores();

// What one file gave: text for standard output and for standard error (each written whole, in
// input order) and the file's exit code (exit_ok, exit_fail, exit_usage, exit_temporary).
struct FileOutcome {
  std::string out;
  std::string err;
  int status = 0;
};

// The exit code of a whole run: usage or unreadable input (2) before a failed check (1) before
// only temporary errors (3).
int combine_status(int a, int b);

// Works on one file. Each thread gets its own Work from the factory, so per-thread state (a
// read buffer, parsers) lives in the closure; whatever it shares must be thread-safe.
using Work = std::function<FileOutcome(const std::string& file)>;
using WorkFactory = std::function<Work()>;

// Runs every file of `files` through a Work on `jobs` threads (the calling thread alone when
// jobs is 1 or there is one file) and writes each outcome in input order. `command` names the
// subcommand on the progress line. Returns the combined exit code, exit_usage also when the list
// could not be read through or standard output could not be written.
int run_batch(std::string_view command, FileList& files, unsigned jobs, const WorkFactory& factory);

}  // namespace mailauth::cli
