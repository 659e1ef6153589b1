#include "listener.hpp"

#include <dirent.h>
#include <grp.h>
#include <libmilter/mfapi.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace mailauth::milter {
namespace {

struct DirCloser {
  void operator()(DIR* dir) const { closedir(dir); }
};

}  // namespace

std::string unix_socket_path(const std::string& socket) {
  for (const std::string prefix : {"unix:", "local:"})
    if (socket.starts_with(prefix)) return socket.substr(prefix.size());
  return {};
}

UnixSocketFile::UnixSocketFile(std::string path) : path_(std::move(path)) {
  struct stat st {};
  if (path_.empty() || stat(path_.c_str(), &st) != 0) {
    path_.clear();
    return;
  }
  device_ = st.st_dev;
  inode_ = st.st_ino;
}

UnixSocketFile::~UnixSocketFile() {
  struct stat st {};
  if (!path_.empty() && stat(path_.c_str(), &st) == 0 && S_ISSOCK(st.st_mode) &&
      st.st_dev == device_ && st.st_ino == inode_)
    unlink(path_.c_str());
}

void open_socket(const std::string& socket) {
  // libmilter removes a stale unix socket file before binding; make sure it is stale, not the
  // socket of a milter that is still running.
  if (const std::string path = unix_socket_path(socket); !path.empty()) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path)
      throw std::runtime_error("invalid socket path in '" + socket + "'");
    path.copy(address.sun_path, path.size());
    const int probe = ::socket(AF_UNIX, SOCK_STREAM, 0);
    const bool in_use =
        probe >= 0 && connect(probe, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    if (probe >= 0) close(probe);
    if (in_use) throw std::runtime_error("cannot open socket '" + socket + "': already in use");
  }
  std::vector<char> conn(socket.begin(), socket.end());
  conn.push_back('\0');
  if (smfi_setconn(conn.data()) != MI_SUCCESS)
    throw std::runtime_error("invalid socket '" + socket + "'");
  // libmilter copies the string; it does not report why opening failed, errno usually does.
  errno = 0;
  if (smfi_opensocket(true) != MI_SUCCESS) {
    const int error = errno;
    throw std::runtime_error(
        "cannot open socket '" + socket + "'" +
        (error != 0 ? std::string(": ") + std::generic_category().message(error) : ""));
  }
}

int set_nodelay_on_listening_sockets() {
  const std::unique_ptr<DIR, DirCloser> dir(opendir("/proc/self/fd"));
  if (!dir) return 0;
  const int dir_fd = dirfd(dir.get());
  int changed = 0;
  // NOLINTNEXTLINE(concurrency-mt-unsafe): this DIR stream is used by this thread only
  while (const dirent* entry = readdir(dir.get())) {
    char* end = nullptr;
    const long fd = std::strtol(entry->d_name, &end, 10);
    if (*end != '\0' || end == entry->d_name || fd == dir_fd) continue;
    const int sd = static_cast<int>(fd);
    int value = 0;
    socklen_t size = sizeof value;
    if (getsockopt(sd, SOL_SOCKET, SO_ACCEPTCONN, &value, &size) != 0 || value == 0) continue;
    int domain = 0;
    size = sizeof domain;
    if (getsockopt(sd, SOL_SOCKET, SO_DOMAIN, &domain, &size) != 0) continue;
    if (domain != AF_INET && domain != AF_INET6) continue;
    const int on = 1;
    if (setsockopt(sd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) == 0) ++changed;
  }
  return changed;
}

void drop_privileges(const std::string& user) {
  errno = 0;
  // NOLINTNEXTLINE(concurrency-mt-unsafe): once, at start-up; no other thread reads passwd
  const passwd* pw = getpwnam(user.c_str());
  if (pw == nullptr) throw std::runtime_error("user: no such user '" + user + "'");
  const uid_t uid = pw->pw_uid;
  const gid_t gid = pw->pw_gid;
  if (initgroups(user.c_str(), gid) != 0 || setgid(gid) != 0 || setuid(uid) != 0)
    throw std::runtime_error("cannot switch to user '" + user +
                             "': " + std::generic_category().message(errno));
  // Make sure there is no way back.
  if (uid != 0 && setuid(0) == 0)
    throw std::runtime_error("still able to regain root after switching to '" + user + "'");
}

}  // namespace mailauth::milter
