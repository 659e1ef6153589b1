// Handing a message to the local MTA: `sendmail -oi -t` reading the message on standard input.
// The message goes through a socket pair rather than a pipe so that a sendmail that exits early
// gives an error (MSG_NOSIGNAL) instead of killing the caller with SIGPIPE.
#include <fcntl.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include <auth/report.hpp>

#include "report/mime.hpp"

namespace auth::dmarc {

Expected<void> send_with_sendmail(const std::string& sendmail, std::string_view message) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    return fail(ErrorCode::Io,
                sendmail + ": socketpair: " + std::generic_category().message(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDIN_FILENO);
  const char* argv[] = {sendmail.c_str(), "-oi", "-t", nullptr};
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, sendmail.c_str(), &actions, nullptr,
                                    const_cast<char* const*>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (spawned != 0) {
    ::close(fds[0]);
    return fail(ErrorCode::Io,
                "cannot run " + sendmail + ": " + std::generic_category().message(spawned));
  }
  const std::string text = mime::to_lf(message);
  std::size_t sent = 0;
  int write_error = 0;
  while (sent < text.size()) {
    const ssize_t n = ::send(fds[0], text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      write_error = errno;
      break;
    }
    sent += static_cast<std::size_t>(n);
  }
  ::shutdown(fds[0], SHUT_WR);
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR)
      return fail(ErrorCode::Io, sendmail + ": waitpid: " + std::generic_category().message(errno));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && write_error == 0) return {};
  std::string why;
  if (WIFEXITED(status))
    why = "exit status " + std::to_string(WEXITSTATUS(status));
  else if (WIFSIGNALED(status))
    why = "killed by signal " + std::to_string(WTERMSIG(status));
  if (write_error != 0)
    why += (why.empty() ? "" : "; ") + std::string("write: ") +
           std::generic_category().message(write_error);
  return fail(ErrorCode::Io, sendmail + " -oi -t failed: " + why);
}

}  // namespace auth::dmarc
