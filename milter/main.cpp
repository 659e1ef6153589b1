// mailauth-milter: the email authentication milter. Reads its parameters, opens the socket as
// the starting user, drops privileges, then serves libmilter connections in the foreground until
// SIGTERM or SIGINT.
#include <libmilter/mfapi.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>

#include "callbacks.hpp"
#include "config.hpp"
#include "listener.hpp"
#include "log.hpp"
#include "session.hpp"

using namespace mailauth::milter;

namespace {

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

// Waits for a stop signal, logs it and asks libmilter to stop. The signals are blocked in every
// thread (the mask is inherited); libmilter runs its own sigwait thread for the same signals, and
// the kernel hands each signal to one of the two, so the "received" line may be missing. Either
// way the listener stops and smfi_main returns.
class SignalWatcher {
 public:
  SignalWatcher() : thread_([this] { watch(); }) {}
  ~SignalWatcher() {
    done_ = true;
    thread_.join();
  }
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

 private:
  void watch() {
    const sigset_t set = stop_signals();
    const timespec tick{0, 200'000'000};
    while (!done_) {
      const int signal = sigtimedwait(&set, nullptr, &tick);
      if (signal <= 0) continue;
      log(LogLevel::Info, std::string("received SIG") + sigabbrev_np(signal) + ", stopping");
      smfi_stop();
      return;
    }
  }
  std::atomic<bool> done_{false};
  std::thread thread_;
};

void check_user_switch(const std::string& user) {
  if (user.empty()) {
    if (geteuid() == 0) log(LogLevel::Warning, "running as root; set `user` to drop privileges");
    return;
  }
  if (geteuid() == 0) {
    drop_privileges(user);
    log(LogLevel::Info, "running as user " + user);
    return;
  }
  const passwd* pw = getpwnam(user.c_str());
  if (pw == nullptr || pw->pw_uid != geteuid())
    throw std::runtime_error("user: switching to '" + user + "' needs root");
}

// Connections still open when the listener stops get a moment to finish their message.
void wait_for_sessions(std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (Session::live_count() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (const auto left = Session::live_count(); left > 0)
    log(LogLevel::Warning, std::to_string(left) + " connection(s) still open at exit");
}

int serve(const Config& config) {
  set_log_level(config.log_level);
  if (!register_callbacks(config)) {
    log(LogLevel::Error, "smfi_register failed");
    return exit_runtime;
  }
  open_socket(config.socket);
  const UnixSocketFile socket_file(unix_socket_path(config.socket));
  if (const int n = set_nodelay_on_listening_sockets(); n > 0)
    log(LogLevel::Debug, "TCP_NODELAY set on the listening socket");
  check_user_switch(config.user);

  const sigset_t set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // before any thread starts
  signal(SIGPIPE, SIG_IGN);                   // a vanished MTA is an error return, not death

  log(LogLevel::Info, "listening on " + config.socket + " (mode " + to_string(config.mode) +
                          ", authserv_id " + config.authserv_id + ")");
  int result = MI_FAILURE;
  {
    SignalWatcher watcher;
    result = smfi_main();
  }
  wait_for_sessions(std::chrono::seconds(5));
  if (result != MI_SUCCESS) {
    log(LogLevel::Error, "libmilter stopped with an error");
    return exit_runtime;
  }
  log(LogLevel::Info, "stopped");
  return exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
  Invocation invocation;
  try {
    invocation = parse_invocation(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "mailauth-milter: " << e.what() << "; see 'mailauth-milter --help'\n";
    return exit_usage;
  }
  switch (invocation.action) {
    case Invocation::Action::Help:
      print_help(std::cout);
      return exit_ok;
    case Invocation::Action::Version:
      std::cout << "mailauth-milter " << MAILAUTH_VERSION << '\n';
      return exit_ok;
    case Invocation::Action::PrintConfig:
      print_config(invocation.config, std::cout);
      return exit_ok;
    case Invocation::Action::Run:
      break;
  }
  try {
    return serve(invocation.config);
  } catch (const std::exception& e) {
    log(LogLevel::Error, e.what());
    return exit_runtime;
  }
}
