// Runs a program and captures what it prints, for tests of the command-line front ends.
#pragma once

#include <string>
#include <vector>

namespace mailauth::test {

struct ProcessResult {
  int exit_code = -1;  // -1 when the program did not exit normally (killed by a signal)
  std::string out;
  std::string err;
};

// Runs `argv[0]` with the arguments that follow, standard input from /dev/null.
ProcessResult run_process(const std::vector<std::string>& argv);

}  // namespace mailauth::test
