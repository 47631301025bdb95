#include "rpc/connection_cap.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace swarmkv {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

// Lines as the kernel writes them (ports 0x1CF4 = 7412; 127.0.0.1 and 10.0.0.7, little-endian).
constexpr char kTable[] =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
    "inode\n"
    "   0: 00000000:1CF4 00000000:0000 0A 00000000:00000000 00:00000000 00000000  0  0 100 1 0\n"
    "   1: 0100007F:1CF4 0100007F:A001 01 00000000:00000000 00:00000000 00000000  0  0 205 1 0\n"
    "   2: 0100007F:1CF4 0100007F:A002 01 00000000:00000000 00:00000000 00000000  0  0 203 1 0\n"
    "   3: 0100007F:1CF4 0100007F:A003 01 00000000:00000000 00:00000000 00000000  0  0 204 1 0\n"
    "   4: 0100007F:1CF4 0700000A:A004 01 00000000:00000000 00:00000000 00000000  0  0 206 1 0\n"
    "   5: 0100007F:1CF4 0100007F:A005 06 00000000:00000000 00:00000000 00000000  0  0 0 1 0\n"
    "   6: 0100007F:9999 0100007F:A006 01 00000000:00000000 00:00000000 00000000  0  0 207 1 0\n"
    "   7: garbage\n";

TEST(ConnectionCapTest, ParsesTheKernelsTable) {
  std::vector<TcpSocket> sockets = ParseTcpTable(kTable);
  ASSERT_EQ(sockets.size(), 7u);         // the header and the garbage line skipped
  EXPECT_FALSE(sockets[0].established);  // listening
  EXPECT_EQ(sockets[1].local_port, 7412);
  EXPECT_EQ(sockets[1].remote_port, 0xA001);
  EXPECT_EQ(sockets[1].remote_host, "0100007F");
  EXPECT_TRUE(sockets[1].established);
  EXPECT_EQ(sockets[1].inode, 205u);
  EXPECT_FALSE(sockets[5].established);  // TIME_WAIT
}

TEST(ConnectionCapTest, KeepsTheOldestFromEachHostAndOnlyOnThePort) {
  std::vector<uint64_t> over;
  for (const TcpSocket& s : ConnectionsOverCap(ParseTcpTable(kTable), 7412, 2)) {
    over.push_back(s.inode);
  }
  // 127.0.0.1 holds 203, 204, 205 on the port: the newest goes. 10.0.0.7 holds one.
  EXPECT_THAT(over, ElementsAre(205u));
  std::vector<uint64_t> at_one;
  for (const TcpSocket& s : ConnectionsOverCap(ParseTcpTable(kTable), 7412, 1)) {
    at_one.push_back(s.inode);
  }
  EXPECT_THAT(at_one, UnorderedElementsAre(204u, 205u));
  EXPECT_TRUE(ConnectionsOverCap(ParseTcpTable(kTable), 7412, 0).empty());  // no cap
  // Seen by an earlier check beats a lower inode: 205 was there first, 203 and 204 came later.
  const ConnectionAges ages = {{205, 1}, {203, 2}, {204, 2}};
  std::vector<uint64_t> by_age;
  for (const TcpSocket& s : ConnectionsOverCap(ParseTcpTable(kTable), 7412, 1, ages)) {
    by_age.push_back(s.inode);
  }
  EXPECT_THAT(by_age, UnorderedElementsAre(203u, 204u));
}

TEST(ConnectionCapTest, SpellsTableAddressesAsPeopleDo) {
  EXPECT_EQ(TableHostToText("0100007F"), "127.0.0.1");
  EXPECT_EQ(TableHostToText("0000000000000000FFFF00000100007F"), "::ffff:127.0.0.1");
  EXPECT_EQ(TableHostToText("00000000000000000000000001000000"), "::1");
}

// Real sockets in this process: ten connections from 127.0.0.1 to a listener, a cap of three.
// The seven newest are shut down (their clients read end of stream); the three oldest stay.
TEST(ConnectionCapTest, ShutsDownTheNewestConnectionsBeyondTheCap) {
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(listener, 16), 0);
  socklen_t size = sizeof(address);
  ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&address), &size), 0);
  const uint16_t port = ntohs(address.sin_port);

  std::vector<int> clients, accepted;
  for (int i = 0; i < 10; ++i) {
    const int client = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_EQ(connect(client, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    clients.push_back(client);
    const int server_side = accept(listener, nullptr, nullptr);
    ASSERT_GE(server_side, 0);
    accepted.push_back(server_side);
  }

  EXPECT_EQ(ConnectionCapEnforcer::EnforceOnce(port, 3), 7u);
  for (int i = 0; i < 10; ++i) {
    char byte;
    const ssize_t n = recv(clients[i], &byte, 1, MSG_DONTWAIT);
    if (i < 3) {
      EXPECT_TRUE(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) << "connection " << i;
    } else {
      EXPECT_EQ(n, 0) << "connection " << i << " should have been shut down";
    }
  }
  EXPECT_EQ(ConnectionCapEnforcer::EnforceOnce(port, 3), 0u);  // the shut ones are not established

  for (int fd : clients) close(fd);
  for (int fd : accepted) close(fd);
  close(listener);
}

}  // namespace
}  // namespace swarmkv
