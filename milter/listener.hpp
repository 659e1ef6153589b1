// Opening the milter socket before privileges are dropped (Postfix's order: sockets and keys as
// root, then the service user, then serve).
#pragma once

#include <string>

namespace mailauth::milter {

// smfi_setconn + smfi_opensocket (removing a stale unix socket). Throws std::runtime_error
// naming the socket when it cannot be opened. Call after smfi_register.
void open_socket(const std::string& socket);

// The file of a unix-domain socket ("unix:/run/x.sock" -> "/run/x.sock"); empty for inet.
std::string unix_socket_path(const std::string& socket);

// Removes the unix socket file we created, at exit, unless another process replaced it since.
class UnixSocketFile {
 public:
  explicit UnixSocketFile(std::string path);  // records the file's identity; "" does nothing
  ~UnixSocketFile();
  UnixSocketFile(const UnixSocketFile&) = delete;
  UnixSocketFile& operator=(const UnixSocketFile&) = delete;

 private:
  std::string path_;
  unsigned long long device_ = 0;
  unsigned long long inode_ = 0;
};

// Sets TCP_NODELAY on this process's listening TCP sockets. libmilter keeps its listening
// socket to itself, so we find it by its SO_ACCEPTCONN flag; Linux copies the option to every
// accepted connection. Without it a milter that sends two replies in a row (a header edit then
// the verdict) waits for the MTA's delayed ACK: ~40 ms per message over loopback TCP.
// Returns how many sockets were changed.
int set_nodelay_on_listening_sockets();

// Switches to `user` (its uid, gid and supplementary groups). Throws std::runtime_error.
void drop_privileges(const std::string& user);

}  // namespace mailauth::milter
