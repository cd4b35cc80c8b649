// MPI start-up, node-local ranks and bounded waits.
#include "kernels/mpi/mpi_world.hpp"

#include <thread>

#include <fmt/format.h>

#include "kernels/errors.hpp"

namespace scalebench {

void throw_mpi_error(const char* call, int rc, const char* file, int line) {
  char message[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  MPI_Error_string(rc, message, &length);
  throw RunError(fmt::format("{}:{}: {} failed: {}", file, line, call, std::string(message, length)));
}

void wait_with_deadline(MPI_Request& request, std::chrono::duration<double> timeout,
                        const std::string& what) {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + std::chrono::duration_cast<clock::duration>(timeout);
  int done = 0;
  for (int polls = 0;; ++polls) {
    CHECK_MPI(MPI_Test(&request, &done, MPI_STATUS_IGNORE));
    if (done) return;
    if (clock::now() > deadline) {
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

void MpiWorld::barrier() const {
  MPI_Request request;
  CHECK_MPI(MPI_Ibarrier(MPI_COMM_WORLD, &request));
  wait(request, "barrier");
}

void MpiWorld::max_in_place(std::vector<double>& values) const {
  MPI_Request request;
  CHECK_MPI(MPI_Iallreduce(MPI_IN_PLACE, values.data(), int(values.size()), MPI_DOUBLE, MPI_MAX,
                           MPI_COMM_WORLD, &request));
  wait(request, "step-time reduction");
}

double MpiWorld::max(double value) const {
  std::vector<double> v{value};
  max_in_place(v);
  return v[0];
}

bool MpiWorld::any(bool flag) const { return max(flag ? 1.0 : 0.0) > 0.5; }

std::vector<std::string> MpiWorld::gather_strings(const std::string& mine) const {
  int length = int(mine.size());
  std::vector<int> lengths(size_);
  MPI_Request request;
  CHECK_MPI(MPI_Igather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD, &request));
  wait(request, "gather");
  std::vector<int> displs(size_, 0);
  int total = 0;
  for (int r = 0; r < size_; ++r) {
    displs[r] = total;
    total += lengths[r];
  }
  std::string all(rank_ == 0 ? std::size_t(total) : 0, '\0');
  CHECK_MPI(MPI_Igatherv(mine.data(), length, MPI_CHAR, all.data(), lengths.data(), displs.data(),
                         MPI_CHAR, 0, MPI_COMM_WORLD, &request));
  wait(request, "gather");
  std::vector<std::string> out;
  if (rank_ == 0) {
    for (int r = 0; r < size_; ++r) out.push_back(all.substr(displs[r], lengths[r]));
  }
  return out;
}

void MpiWorld::abort(int status) const {
  MPI_Abort(MPI_COMM_WORLD, status);
  std::_Exit(status);
}

}  // namespace scalebench
