// mailauth-milter: the email authentication milter. Reads its parameters and keys, opens the
// socket as the starting user, drops privileges, then serves libmilter connections in the
// foreground until SIGTERM or SIGINT; SIGUSR1 reloads the configuration and keys.
#include <libmilter/mfapi.h>
#include <pwd.h>
#include <unistd.h>
#include <csignal>

#include <atomic>
#include <chrono>
#include <cstring>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>

#include "callbacks.hpp"
#include "check.hpp"
#include "config.hpp"
#include "listener.hpp"
#include "log.hpp"
#include "metrics_http.hpp"
#include "notify.hpp"
#include "runtime.hpp"
#include "session.hpp"

using namespace mailauth::milter;

namespace {

int argument_count = 0;
const char* const* arguments = nullptr;

sigset_t handled_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGUSR1);
  return set;
}

void log_errors(const std::vector<ConfigError>& errors) {
  for (const ConfigError& e : errors) log(LogLevel::Error, e.text());
}

// SIGUSR1: read the configuration again (file and command line) and the keys; swap the new
// runtime in only when all of it is good.
void reload() {
  const Invocation invocation = parse_invocation(argument_count, arguments);
  if (!invocation.errors.empty()) {
    log_errors(invocation.errors);
    log(LogLevel::Error, "reload failed; keeping the previous configuration");
    return;
  }
  const auto previous = current_runtime();
  auto runtime = build_runtime(invocation.config, previous.get());
  if (!runtime) {
    log_errors(runtime.error());
    log(LogLevel::Error, "reload failed; keeping the previous configuration");
    return;
  }
  if (previous && (previous->config.socket != invocation.config.socket ||
                   previous->config.user != invocation.config.user ||
                   previous->config.metrics != invocation.config.metrics))
    log(LogLevel::Warning, "socket, user and metrics take effect only after a restart");
  set_log_level(invocation.config.log_level);
  install_runtime(std::move(*runtime));
  log(LogLevel::Info, "configuration reloaded");
  notify_reloaded();
}

// Waits for our signals. SIGTERM/SIGINT/SIGHUP stop libmilter; SIGUSR1 reloads. The signals are
// blocked in every thread (the mask is inherited); libmilter runs its own sigwait thread for
// SIGTERM, SIGINT and SIGHUP, and the kernel hands each of those to one of the two, so the
// "received" line may be missing. Either way the listener stops and smfi_main returns.
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
    const sigset_t set = handled_signals();
    const timespec tick{0, 200'000'000};
    while (!done_) {
      const int signal = sigtimedwait(&set, nullptr, &tick);
      if (signal <= 0) continue;
      if (signal == SIGUSR1) {
        reload();
        continue;
      }
      log(LogLevel::Info, std::string("received SIG") + sigabbrev_np(signal) + ", stopping");
      notify_stopping();
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
  // NOLINTNEXTLINE(concurrency-mt-unsafe): once, at start-up; no other thread reads passwd
  const passwd* pw = getpwnam(user.c_str());
  if (pw == nullptr || pw->pw_uid != geteuid())
    throw std::runtime_error("user: switching to '" + user + "' needs root");
}

// Messages in flight when the listener stops get time to finish.
void wait_for_messages(std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (Session::messages_in_flight() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (const auto left = Session::messages_in_flight(); left > 0)
    log(LogLevel::Warning, std::to_string(left) + " message(s) still in progress at exit");
}

int serve(const Config& config) {
  set_log_level(config.log_level);
  // Signals are blocked before any thread starts (the resolver's prefetch workers are the first),
  // so that only the watchers take them.
  const sigset_t set = handled_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  (void)std::signal(SIGPIPE, SIG_IGN);  // a vanished MTA is an error return, not death
  auto runtime = build_runtime(config);
  if (!runtime) {
    log_errors(runtime.error());
    return exit_usage;
  }
  install_runtime(std::move(*runtime));
  if (!register_callbacks()) {
    log(LogLevel::Error, "smfi_register failed");
    return exit_runtime;
  }
  open_socket(config.socket);
  const UnixSocketFile socket_file(unix_socket_path(config.socket));
  if (const int n = set_nodelay_on_listening_sockets(); n > 0)
    log(LogLevel::Debug, "TCP_NODELAY set on the listening socket");
  std::optional<MetricsServer> metrics;
  if (!config.metrics.empty()) metrics.emplace(config.metrics);  // throws when it cannot listen
  check_user_switch(config.user);

  log(LogLevel::Info, "listening on " + config.socket + " (mode " + to_string(config.mode) +
                          ", authserv_id " + config.authserv_id + ")");
  notify_ready();
  int result = MI_FAILURE;
  {
    SignalWatcher watcher;
    result = smfi_main();
  }
  wait_for_messages(std::chrono::seconds(30));
  if (result != MI_SUCCESS) {
    log(LogLevel::Error, "libmilter stopped with an error");
    return exit_runtime;
  }
  log(LogLevel::Info, "stopped");
  return exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
  argument_count = argc;
  arguments = argv;
  const Invocation invocation = parse_invocation(argc, argv);
  if (invocation.action == Invocation::Action::Check)
    return run_check(invocation, std::cout, std::cerr);
  if (!invocation.errors.empty()) {
    for (const ConfigError& e : invocation.errors)
      std::cerr << "mailauth-milter: " << e.text() << '\n';
    std::cerr << "see 'mailauth-milter --help'\n";
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
    case Invocation::Action::Check:  // handled above
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
