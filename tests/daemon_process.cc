#include "tests/daemon_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"

extern char** environ;

namespace swarmkv::testing {

DaemonProcess::DaemonProcess(std::string binary, std::string data_dir,
                             std::vector<std::string> args)
    : binary_(std::move(binary)), data_dir_(std::move(data_dir)), args_(std::move(args)) {}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0) Stop(SIGKILL);
}

std::shared_ptr<grpc::Channel> DaemonProcess::Channel() const {
  return grpc::CreateChannel(target(), grpc::InsecureChannelCredentials());
}

absl::Status DaemonProcess::Start(absl::Duration deadline) {
  std::vector<std::string> argv_strings = {binary_, "--data-dir", data_dir_, "daemon"};
  argv_strings.insert(argv_strings.end(), args_.begin(), args_.end());
  // Tests run side by side: a free peer port unless the test chose one.
  if (std::find(args_.begin(), args_.end(), "--peer-listen") == args_.end()) {
    argv_strings.insert(argv_strings.end(), {"--peer-listen", "127.0.0.1:0"});
  }
  std::vector<char*> argv;
  for (std::string& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const std::string log = data_dir_ + ".log";
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0600);
  const int rc = posix_spawn(&pid_, binary_.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return absl::InternalError(absl::StrCat("posix_spawn failed: ", rc));

  const absl::Time end = absl::Now() + deadline;
  while (absl::Now() < end) {
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::InternalError(absl::StrCat("daemon exited early: ", Log()));
    }
    if (access((data_dir_ + "/api.sock").c_str(), F_OK) == 0) {
      auto stub = grpc::health::v1::Health::NewStub(Channel());
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
      grpc::health::v1::HealthCheckResponse response;
      if (stub->Check(&context, {}, &response).ok() &&
          response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
        return absl::OkStatus();
      }
    }
    absl::SleepFor(absl::Milliseconds(20));  // polling a condition, bounded by the deadline
  }
  return absl::DeadlineExceededError(absl::StrCat("daemon not SERVING in time: ", Log()));
}

int DaemonProcess::Stop(int signal) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

std::string DaemonProcess::Log() const {
  std::ifstream in(data_dir_ + ".log");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace swarmkv::testing
