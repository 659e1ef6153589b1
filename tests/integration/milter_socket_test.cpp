// TCP_NODELAY on libmilter's listening socket reaches every accepted connection.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "listener.hpp"

namespace mailauth::milter {
namespace {

struct Fd {
  int fd;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

int nodelay(int fd) {
  int value = -1;
  socklen_t size = sizeof value;
  EXPECT_EQ(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &value, &size), 0);
  return value;
}

TEST(MilterSocket, NodelayOnListenerIsInheritedByAcceptedConnections) {
  Fd listener(socket(AF_INET, SOCK_STREAM, 0));
  ASSERT_GE(listener.fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener.fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(listener.fd, 4), 0);
  socklen_t size = sizeof address;
  ASSERT_EQ(getsockname(listener.fd, reinterpret_cast<sockaddr*>(&address), &size), 0);

  // A connected (not listening) socket and a unix listener must be left alone.
  Fd before(socket(AF_INET, SOCK_STREAM, 0));
  ASSERT_EQ(connect(before.fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  Fd unix_listener(socket(AF_UNIX, SOCK_STREAM, 0));
  sockaddr_un unix_address{};
  unix_address.sun_family = AF_UNIX;  // abstract name: nothing to clean up
  const char name[] = "\0mailauth-milter-socket-test";
  std::copy(name, name + sizeof name - 1, unix_address.sun_path);
  ASSERT_EQ(bind(unix_listener.fd, reinterpret_cast<sockaddr*>(&unix_address),
                 static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + sizeof name - 1)),
            0);
  ASSERT_EQ(listen(unix_listener.fd, 1), 0);

  EXPECT_EQ(nodelay(listener.fd), 0);
  EXPECT_EQ(set_nodelay_on_listening_sockets(), 1);
  EXPECT_EQ(nodelay(listener.fd), 1);
  EXPECT_EQ(nodelay(before.fd), 0);

  Fd client(socket(AF_INET, SOCK_STREAM, 0));
  ASSERT_EQ(connect(client.fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  Fd first(accept(listener.fd, nullptr, nullptr));
  Fd second(accept(listener.fd, nullptr, nullptr));
  ASSERT_GE(first.fd, 0);
  ASSERT_GE(second.fd, 0);
  // Linux copies the listener's options when the handshake completes, not at accept(): the
  // connection made before the change keeps Nagle, the one made after has TCP_NODELAY. So the
  // milter must set it before serving, which it does right after opening the socket.
  EXPECT_EQ(nodelay(first.fd), 0);
  EXPECT_EQ(nodelay(second.fd), 1);
}

}  // namespace
}  // namespace mailauth::milter
