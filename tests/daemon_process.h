// A real `swarmkv daemon` child process for C++ integration tests: started on a data dir,
// awaited with a deadline until its health check answers SERVING, signalled and reaped.
#ifndef SWARMKV_TESTS_DAEMON_PROCESS_H_
#define SWARMKV_TESTS_DAEMON_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

namespace swarmkv::testing {

class DaemonProcess {
 public:
  // `binary` is the swarmkv executable; `args` go after `daemon`.
  DaemonProcess(std::string binary, std::string data_dir, std::vector<std::string> args = {});
  ~DaemonProcess();  // SIGKILLs a daemon still running

  // Starts the daemon and waits until it is SERVING or `deadline` passes.
  absl::Status Start(absl::Duration deadline = absl::Seconds(30));
  // Sends `signal` and returns the exit status (waitpid's) once the process is gone.
  int Stop(int signal);
  std::string Log() const;

  std::string target() const { return "unix:" + data_dir_ + "/api.sock"; }
  std::shared_ptr<grpc::Channel> Channel() const;

 private:
  std::string binary_;
  std::string data_dir_;
  std::vector<std::string> args_;
  pid_t pid_ = -1;
};

}  // namespace swarmkv::testing

#endif  // SWARMKV_TESTS_DAEMON_PROCESS_H_
