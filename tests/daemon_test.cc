// C++ integration tests of `swarmkv daemon`: a real process, driven over its Unix socket.
#include <signal.h>
#include <sys/wait.h>

#include <thread>

#include "base/random.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "swarmkv/v1/node.grpc.pb.h"
#include "testing/temp_dir.h"
#include "tests/daemon_process.h"

namespace swarmkv {
namespace {

using ::swarmkv::testing::DaemonProcess;
using ::testing::HasSubstr;

class DaemonTest : public ::testing::Test {
 protected:
  std::unique_ptr<DaemonProcess> StartDaemon(std::vector<std::string> args = {}) {
    auto daemon = std::make_unique<DaemonProcess>(SWARMKV_BINARY, dir_.Sub("node"), args);
    absl::Status started = daemon->Start();
    EXPECT_TRUE(started.ok()) << started;
    return daemon;
  }

  // Streams `data` in 256 KiB messages (the node refuses messages over 1 MiB).
  static bool WriteChunks(grpc::ClientWriter<v1::PutRequest>& writer, const std::string& data) {
    v1::PutRequest request;
    for (size_t at = 0; at < data.size(); at += 256u << 10) {
      request.set_chunk(data.substr(at, 256u << 10));
      if (!writer.Write(request)) return false;
    }
    return true;
  }

  // Stores `data` (one Put call) and returns its capability, or "" on failure.
  static std::string Put(v1::Node::Stub& stub, const std::string& data) {
    grpc::ClientContext context;
    v1::PutResponse response;
    auto writer = stub.Put(&context, &response);
    v1::PutRequest header;
    header.mutable_header();
    if (!writer->Write(header) || !WriteChunks(*writer, data)) return "";
    writer->WritesDone();
    return writer->Finish().ok() ? response.capability() : "";
  }

  static std::string Get(v1::Node::Stub& stub, const std::string& capability) {
    grpc::ClientContext context;
    v1::GetRequest request;
    request.set_target(capability);
    auto reader = stub.Get(&context, request);
    std::string out;
    v1::GetResponse response;
    while (reader->Read(&response)) out += response.chunk();
    EXPECT_TRUE(reader->Finish().ok());
    return out;
  }

  testing::TempDir dir_;
};

TEST_F(DaemonTest, SigtermLetsAnInFlightPutFinish) {
  auto daemon = StartDaemon();
  const std::string data = Random(1).Bytes(3u << 20);
  std::string capability;
  {
    auto stub = v1::Node::NewStub(daemon->Channel());
    grpc::ClientContext context;
    v1::PutResponse response;
    auto writer = stub->Put(&context, &response);
    v1::PutRequest request;
    request.mutable_header()->set_pin(true);
    ASSERT_TRUE(writer->Write(request));
    request.set_chunk(data.substr(0, 1u << 20));
    ASSERT_TRUE(writer->Write(request));

    // SIGTERM while the Put is open: no new calls, but this one may finish.
    std::thread stopper([&] { EXPECT_EQ(daemon->Stop(SIGTERM), 0); });
    absl::SleepFor(absl::Milliseconds(200));  // let the signal land before we go on writing
    ASSERT_TRUE(WriteChunks(*writer, data.substr(1u << 20)));
    writer->WritesDone();
    const grpc::Status status = writer->Finish();
    stopper.join();
    ASSERT_TRUE(status.ok()) << status.error_message();
    capability = response.capability();
  }
  // The daemon exited 0 (checked in the thread); everything is there after a restart.
  auto again = StartDaemon();
  auto stub = v1::Node::NewStub(again->Channel());
  EXPECT_EQ(Get(*stub, capability), data);
  EXPECT_EQ(again->Stop(SIGTERM), 0);
}

TEST_F(DaemonTest, ConcurrentCallLimitIsResourceExhausted) {
  auto daemon = StartDaemon({"--max-concurrent-calls", "1"});
  auto stub = v1::Node::NewStub(daemon->Channel());
  // Content large enough that a Get stays open while we do not read it.
  const std::string capability = Put(*stub, Random(3).Bytes(16u << 20));
  ASSERT_FALSE(capability.empty());
  grpc::ClientContext get_context;
  v1::GetRequest get;
  get.set_target(capability);
  auto reader = stub->Get(&get_context, get);
  v1::GetResponse first;
  ASSERT_TRUE(reader->Read(&first));  // the server admitted the Get: it holds the one slot

  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::InfoResponse info;
  const grpc::Status refused = stub->Info(&context, v1::InfoRequest(), &info);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(), HasSubstr("concurrent calls"));

  get_context.TryCancel();
  reader->Finish().ok();
  // The slot frees once the server has finished the cancelled Get: wait for it, with a deadline.
  bool served = false;
  for (const absl::Time give_up = absl::Now() + absl::Seconds(20);
       !served && absl::Now() < give_up;) {
    grpc::ClientContext after;
    after.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    served = stub->Info(&after, v1::InfoRequest(), &info).ok();
    if (!served) absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_TRUE(served);
  EXPECT_EQ(daemon->Stop(SIGTERM), 0);
}

TEST_F(DaemonTest, SixteenConcurrentGets) {
  auto daemon = StartDaemon();
  auto stub = v1::Node::NewStub(daemon->Channel());
  const std::string data = Random(2).Bytes(2u << 20);
  const std::string capability = Put(*stub, data);
  ASSERT_FALSE(capability.empty());

  std::vector<std::thread> readers;
  std::atomic<int> identical{0};
  for (int i = 0; i < 16; ++i) {
    readers.emplace_back([&] {
      if (Get(*stub, capability) == data) ++identical;
    });
  }
  for (auto& t : readers) t.join();
  EXPECT_EQ(identical.load(), 16);
  EXPECT_EQ(daemon->Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace swarmkv
