// MPI start-up, node-local ranks and bounded waits.
#include "kernels/mpi/mpi_world.hpp"

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "records/errors.hpp"

namespace scalebench {

void throw_mpi_error(const char* call, int rc, const char* file, int line) {
  char message[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  MPI_Error_string(rc, message, &length);
  throw RunError(fmt::format("{}:{}: {} failed: {}", file, line, call, std::string(message, length)));
}

namespace {
std::atomic<bool> g_timed_out{false};
}  // namespace

bool mpi_wait_timed_out() { return g_timed_out.load(); }
void mark_mpi_wait_timed_out() { g_timed_out = true; }

void wait_with_deadline(MPI_Request& request, std::chrono::duration<double> timeout,
                        const std::string& what) {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + std::chrono::duration_cast<clock::duration>(timeout);
  int done = 0;
  for (int polls = 0;; ++polls) {
    CHECK_MPI(MPI_Test(&request, &done, MPI_STATUS_IGNORE));
    if (done) return;
    if (clock::now() > deadline) {
      g_timed_out = true;
      throw TimeoutError(fmt::format(
          "{} did not complete within {:.0f} s: another rank failed or stopped answering", what,
          timeout.count()));
    }
    // Spin briefly for latency, then yield the core: ranks may outnumber cores.
    if (polls > 200) std::this_thread::sleep_for(std::chrono::microseconds(20));
  }
}

MpiWorld::MpiWorld(int* argc, char*** argv) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    int provided = 0;
    CHECK_MPI(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided));
  }
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  CHECK_MPI(MPI_Comm_rank(MPI_COMM_WORLD, &rank_));
  CHECK_MPI(MPI_Comm_size(MPI_COMM_WORLD, &size_));
  CHECK_MPI(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &local_));
  CHECK_MPI(MPI_Comm_rank(local_, &local_rank_));
  CHECK_MPI(MPI_Comm_size(local_, &local_size_));
  int leader = local_rank_ == 0 ? 1 : 0;
  CHECK_MPI(MPI_Allreduce(&leader, &nodes_, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD));
}

MpiWorld::~MpiWorld() {
  if (g_timed_out) {
    MPI_Abort(MPI_COMM_WORLD, 1);
    std::_Exit(1);
  }
  if (local_ != MPI_COMM_NULL) MPI_Comm_free(&local_);
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

std::string MpiWorld::library_version() const {
  char version[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int length = 0;
  MPI_Get_library_version(version, &length);
  std::string v(version, length);
  const auto comma = v.find_first_of(",\n");
  return comma == std::string::npos ? v : v.substr(0, comma);
}

void MpiWorld::wait(MPI_Request& request, const std::string& what) const {
  wait_with_deadline(request, timeout_, what);
}

void MpiWorld::barrier() const {  // MPI_Ibarrier has no buffer
  MPI_Request request;
  CHECK_MPI(MPI_Ibarrier(MPI_COMM_WORLD, &request));
  wait(request, "barrier");
}

// A collective that times out stays pending inside MPI; its buffer must outlive it, so the
// buffers of the world's own collectives live on the heap and are let go (leaked) on a timeout.
template <typename T>
struct CollectiveBuffer {
  explicit CollectiveBuffer(std::size_t n) : data(new T[n == 0 ? 1 : n]()) {}
  ~CollectiveBuffer() {
    if (mpi_wait_timed_out()) (void)data.release();
  }
  std::unique_ptr<T[]> data;
};

void MpiWorld::max_in_place(std::vector<double>& values) const {
  CollectiveBuffer<double> buffer(values.size());
  std::copy(values.begin(), values.end(), buffer.data.get());
  MPI_Request request;
  CHECK_MPI(MPI_Iallreduce(MPI_IN_PLACE, buffer.data.get(), int(values.size()), MPI_DOUBLE,
                           MPI_MAX, MPI_COMM_WORLD, &request));
  wait(request, "step-time reduction");
  std::copy(buffer.data.get(), buffer.data.get() + values.size(), values.begin());
}

double MpiWorld::max(double value) const {
  std::vector<double> v{value};
  max_in_place(v);
  return v[0];
}

bool MpiWorld::any(bool flag) const { return max(flag ? 1.0 : 0.0) > 0.5; }

std::vector<std::string> MpiWorld::gather_strings(const std::string& mine) const {
  const std::size_t n = std::size_t(size_);
  CollectiveBuffer<int> length(1), lengths(n), displs(n);
  length.data[0] = int(mine.size());
  MPI_Request request;
  CHECK_MPI(MPI_Igather(length.data.get(), 1, MPI_INT, lengths.data.get(), 1, MPI_INT, 0,
                        MPI_COMM_WORLD, &request));
  wait(request, "gather");
  int total = 0;
  for (int r = 0; r < size_; ++r) {
    displs.data[r] = total;
    total += lengths.data[r];
  }
  CollectiveBuffer<char> send(mine.size()), all(rank_ == 0 ? std::size_t(total) : 0);
  std::copy(mine.begin(), mine.end(), send.data.get());
  CHECK_MPI(MPI_Igatherv(send.data.get(), length.data[0], MPI_CHAR, all.data.get(),
                         lengths.data.get(), displs.data.get(), MPI_CHAR, 0, MPI_COMM_WORLD,
                         &request));
  wait(request, "gather");
  std::vector<std::string> out;
  if (rank_ == 0) {
    for (int r = 0; r < size_; ++r) out.emplace_back(all.data.get() + displs.data[r], lengths.data[r]);
  }
  return out;
}

std::vector<std::vector<double>> MpiWorld::gather_doubles(const std::vector<double>& mine) const {
  const std::size_t n = std::size_t(size_);
  const std::size_t count = mine.size();
  CollectiveBuffer<double> send(count), all(rank_ == 0 ? n * count : 0);
  std::copy(mine.begin(), mine.end(), send.data.get());
  MPI_Request request;
  CHECK_MPI(MPI_Igather(send.data.get(), int(count), MPI_DOUBLE, all.data.get(), int(count),
                        MPI_DOUBLE, 0, MPI_COMM_WORLD, &request));
  wait(request, "gather");
  std::vector<std::vector<double>> out;
  if (rank_ == 0) {
    for (std::size_t r = 0; r < n; ++r)
      out.emplace_back(all.data.get() + r * count, all.data.get() + (r + 1) * count);
  }
  return out;
}

void MpiWorld::abort(int status) const {
  MPI_Abort(MPI_COMM_WORLD, status);
  std::_Exit(status);
}

Watchdog::Watchdog() {
  // Started with every signal blocked: SIGTERM from the launcher must reach the main thread,
  // whose handler publishes the failure record.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  thread_ = std::thread([this] { loop(); });
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

Watchdog::~Watchdog() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void Watchdog::arm(std::chrono::duration<double> after, int status,
                   std::function<void()> on_expiry) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    armed_ = true;
    deadline_ = std::chrono::steady_clock::now() +
                std::chrono::duration_cast<std::chrono::steady_clock::duration>(after);
    status_ = status;
    on_expiry_ = std::move(on_expiry);
  }
  changed_.notify_all();
}

void Watchdog::disarm() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    armed_ = false;
    on_expiry_ = nullptr;
  }
  changed_.notify_all();
}

void Watchdog::loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    if (stop_) return;
    if (!armed_) {
      changed_.wait(lock);
      continue;
    }
    if (changed_.wait_until(lock, deadline_) == std::cv_status::timeout && armed_ && !stop_ &&
        std::chrono::steady_clock::now() >= deadline_) {
      if (on_expiry_) on_expiry_();
      std::_Exit(status_);
    }
  }
}

}  // namespace scalebench
