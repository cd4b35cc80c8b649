// The MPI world of a run: start-up, where this process sits, and bounded (never hanging) waits.
#pragma once

#include <mpi.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace scalebench {

// Throws RunError naming the call and MPI's own message when an MPI call fails.
#define CHECK_MPI(call)                                                          \
  do {                                                                           \
    const int check_mpi_rc_ = (call);                                            \
    if (check_mpi_rc_ != MPI_SUCCESS) ::scalebench::throw_mpi_error(#call, check_mpi_rc_, __FILE__, __LINE__); \
  } while (0)

[[noreturn]] void throw_mpi_error(const char* call, int rc, const char* file, int line);

class MpiWorld {
 public:
  // Initialises MPI (works without a launcher: a single process) and splits the node-local
  // communicator with MPI_Comm_split_type(MPI_COMM_TYPE_SHARED).
  MpiWorld(int* argc, char*** argv);
  // Finalizes MPI, except after a wait timed out: a collective may still be pending on a buffer
  // that is gone, and MPI_Finalize would wait for a rank that is not coming, so it aborts instead.
  ~MpiWorld();
  MpiWorld(const MpiWorld&) = delete;
  MpiWorld& operator=(const MpiWorld&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  int local_rank() const { return local_rank_; }
  int local_size() const { return local_size_; }
  int nodes() const { return nodes_; }
  MPI_Comm comm() const { return MPI_COMM_WORLD; }
  std::string library_version() const;

  void set_timeout(double seconds) { timeout_ = std::chrono::duration<double>(seconds); }
  std::chrono::duration<double> timeout() const { return timeout_; }

  // Completes a request, polling until the timeout; throws TimeoutError naming `what`.
  void wait(MPI_Request& request, const std::string& what) const;

  void barrier() const;
  // Element-wise maximum over all ranks, in place.
  void max_in_place(std::vector<double>& values) const;
  double max(double value) const;
  // Rank 0 receives every rank's string (other ranks get an empty vector).
  std::vector<std::string> gather_strings(const std::string& mine) const;
  // Rank 0 receives every rank's values, rank by rank; every rank passes as many values.
  std::vector<std::vector<double>> gather_doubles(const std::vector<double>& mine) const;
  // Every rank learns whether any rank set `flag`.
  bool any(bool flag) const;

  // Ends every process of the job (used after a timeout or failure, once rank 0 has written its
  // record).
  [[noreturn]] void abort(int status) const;

 private:
  int rank_ = 0, size_ = 1, local_rank_ = 0, local_size_ = 1, nodes_ = 1;
  MPI_Comm local_ = MPI_COMM_NULL;
  std::chrono::duration<double> timeout_{300.0};
};

// Polls an MPI request until it completes or `timeout` passes. Shared by MpiWorld and the MPI
// communicator. Throws TimeoutError, after which this process makes no MPI call but MPI_Abort.
void wait_with_deadline(MPI_Request& request, std::chrono::duration<double> timeout,
                        const std::string& what);
// True once any wait of this process has timed out.
bool mpi_wait_timed_out();
// Records that a wait timed out (for waits written outside wait_with_deadline).
void mark_mpi_wait_timed_out();

// Ends the process when what it guards (MPI start-up, MPI teardown) takes longer than allowed:
// those are blocking MPI calls that no --timeout reaches. A thread, started with every signal
// blocked so that signals still reach the main thread; it never calls MPI. When the deadline
// passes while armed it calls `on_expiry` (which may write a record, print, and must not return
// to MPI), then std::_Exit(status).
class Watchdog {
 public:
  Watchdog();
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  void arm(std::chrono::duration<double> after, int status, std::function<void()> on_expiry);
  void disarm();

 private:
  void loop();
  std::mutex mutex_;
  std::condition_variable changed_;
  bool armed_ = false, stop_ = false;
  std::chrono::steady_clock::time_point deadline_;
  int status_ = 1;
  std::function<void()> on_expiry_;
  std::thread thread_;
};

}  // namespace scalebench
