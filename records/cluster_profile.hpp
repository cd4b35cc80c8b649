// Cluster profiles (configs/clusters/*.json, schema scalebench.cluster/1): what a cluster's nodes
// hold, its partitions and their limits, how GPUs, CPUs and memory are requested, binding, the
// software environment, interconnect and billing figures, and the public source of every figure.
// See docs/slurm.md for the format.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace scalebench {

inline constexpr const char* kClusterSchema = "scalebench.cluster/1";
inline constexpr std::int64_t kDefaultMaxArraySize = 1001;  // slurm.conf MaxArraySize default
inline constexpr std::int64_t kSlurmMaxArraySizeLimit = 4000001;  // the most slurm.conf allows

struct Source {
  std::string id;
  std::string title;
  std::string url;
  std::optional<std::string> retrieved;  // YYYY-MM-DD: when the page was read
};

// Whether the cluster still runs jobs. A retired profile stays for labelling and pricing past
// results (`report`); `plan` refuses it unless asked (--allow-retired).
struct ClusterStatus {
  bool retired = false;
  std::string since;                     // YYYY-MM-DD the compute nodes stopped (retired only)
  std::optional<std::string> successor;  // the profile to plan on instead
  std::optional<std::string> note;
  std::optional<std::string> source;
};

// What Slurm calls a GPU on this cluster, and how many of them make one billed GPU: on LUMI a
// "GPU" is a GCD, half an MI250X, and LUMI bills whole MI250X modules (2 GCDs).
struct DeviceUnit {
  std::string name = "GPU";  // "GPU" or "GCD"
  double per_billed_gpu = 1;
  std::optional<std::string> source;
};

// Extra facts for jobs that span nodes: environment lines only they get, and a one-line note
// written into their scripts and into the plan's warnings (LUMI: the aws-ofi-rccl plugin).
struct MultiNode {
  std::vector<std::string> environment;
  std::optional<std::string> note;
  std::optional<std::string> source;
};

struct NodeType {
  std::string name;
  std::int64_t gpus = 0;
  std::string gpu_model;
  double gpu_memory_gb = 0;
  std::int64_t cpu_cores = 0;  // cores a job may use
  double memory_gb = 0;        // memory a job may use
  std::map<std::string, double> peak_tflops;  // per precision (fp32, tf32, bf16, fp16), dense
  std::string source;
};

struct Partition {
  std::string name;
  std::string node_type;
  std::int64_t min_nodes = 1;
  std::optional<std::int64_t> max_nodes;
  std::optional<std::int64_t> max_gpus;  // per job
  std::int64_t min_gpus = 1;              // per job (Roihu gpularge: 4)
  std::optional<std::int64_t> max_time_s;
  // Queued jobs a user may have here; every array task counts as one (LUMI: 210, dev-g 2).
  std::optional<std::int64_t> max_jobs_per_user;
  // Set when the partition needs access granted first: what and how, one line (plan warns).
  std::optional<std::string> requires_access;
  // Slurm licenses every job on the partition asks for (--licenses=...): the emulated cluster
  // serialises its jobs with one, as sites do for shared resources.
  std::optional<std::string> licenses;
  bool whole_nodes = false;  // allocates only full nodes (all GPUs)
  bool auto_select = true;   // false: used only when named with --partition (test queues)
  std::string source;
};

enum class GpuRequestStyle { gres, gpus_per_node, none };

struct GpuRequest {
  GpuRequestStyle style = GpuRequestStyle::gres;
  std::optional<std::string> gres_type;  // "v100" → --gres=gpu:v100:N; absent → --gres=gpu:N
  std::string source;
};

struct Resources {
  std::int64_t cpus_per_gpu = 1;
  std::optional<double> memory_per_gpu_gb;  // absent: no --mem line (the site's default)
  bool exclusive_full_nodes = false;        // add --exclusive when a job takes whole nodes
  std::string source;
};

struct Binding {
  std::vector<std::string> cpu_masks;  // one per GPU in local-rank order (srun --cpu-bind=mask_cpu)
  std::string source;
};

struct Launcher {
  std::vector<std::string> srun_args;     // after "srun" in the batch scripts
  std::vector<std::string> mpirun_args;   // after "mpirun -np N" for `scalebench sweep`
};

// How a figure was obtained: from the site's or vendor's pages, by a measurement, or assumed.
enum class Basis { published, measured, assumed };

struct Link {
  std::string name;
  std::optional<double> bandwidth_gb_per_s;  // one direction
  std::optional<double> latency_us;
  std::optional<std::string> note;
  std::string source;
  Basis basis = Basis::published;
  // The facts `predict` builds on (each optional): NICs per node and their rate, GPUDirect RDMA,
  // the topology and its taper, the collective algorithms the library may choose.
  std::optional<std::int64_t> nics_per_node;
  std::optional<double> nic_gbit_per_s;
  std::optional<bool> gpudirect_rdma;
  std::optional<std::string> topology;
  std::optional<std::string> taper;       // "A:B": the bandwidth between leaves is B/A of it
  std::optional<std::int64_t> nodes_per_leaf;  // where the taper starts
  std::vector<std::string> collectives;
  // The share of the line rate an all-reduce gets (0, 1]; absent: predict assumes 0.9 with
  // GPUDirect RDMA, 0.65 without, 0.8 for MPI over TCP (docs/predict.md).
  std::optional<double> efficiency;
};

struct Billing {
  std::string unit;  // what the numbers count ("BU", "GPU-hours", ...)
  double per_gpu_hour = 0;
  double per_core_hour = 0;
  double per_gib_hour = 0;
  double per_node_hour = 0;
  std::optional<std::string> note;
  std::optional<std::string> source;
};

struct ClusterProfile {
  std::string name;
  std::string description;
  std::string scheduler;  // "slurm" or "none"
  std::string backend;    // default backend of runs: "cpu", "cuda", "hip"
  bool account_required = false;  // jobs must name a project (--account) to bill
  // Slurm's MaxArraySize: array indices run 0..max_array_size-1, so a job array holds at most this
  // many tasks; larger sweeps are split into several arrays. Slurm's default is 1001.
  std::int64_t max_array_size = kDefaultMaxArraySize;
  ClusterStatus status;
  std::string arch = "x86_64";            // the compute nodes' CPU architecture
  std::optional<std::string> login_node;  // where to build and submit
  DeviceUnit device_unit;
  std::vector<NodeType> node_types;
  std::vector<Partition> partitions;
  std::optional<std::string> report_partition;
  std::int64_t report_gpus = 0;  // GPUs the report job requests (GPU-only partitions need 1)
  MultiNode multi_node;
  GpuRequest gpu_request;
  Resources resources;
  std::optional<Binding> binding;
  Launcher launcher;
  std::vector<std::string> environment;
  Link intra_node;
  Link inter_node;
  Billing billing;
  std::vector<Source> sources;
  nlohmann::json raw;  // the validated file, copied into plan.json

  const NodeType& node_type(const std::string& name) const;
  const Partition* find_partition(const std::string& name) const;
  bool uses_slurm() const { return scheduler == "slurm"; }
};

// Validates everything (keys, types, names, script safety, source ids); throws UsageError naming
// the file and the key.
ClusterProfile parse_cluster_profile(const nlohmann::json& j, const std::string& where);
ClusterProfile load_cluster_profile_file(const std::filesystem::path& path);

// Where profiles are looked up by name, in order (records/search_path.hpp): $SCALEBENCH_CLUSTERS
// (':'-separated folders), ~/.config/scalebench/clusters, the installed share/scalebench/clusters
// found from the binary's own location — or, for a binary running in its build tree, instead the
// source tree's configs/clusters.
std::vector<std::filesystem::path> cluster_search_path();
// NAME → the first NAME.json on the search path; a value with '/' or ending in ".json" is a path.
ClusterProfile find_cluster_profile(const std::string& name_or_path);
// Every profile on the search path (the first of each name), sorted by name.
std::vector<ClusterProfile> list_cluster_profiles();

std::string_view to_string(GpuRequestStyle s);
std::string_view to_string(Basis b);

// What one GPU-hour of a job costs in the profile's billing units: the GPU rate plus the cores and
// memory a job requests per GPU (resources.cpus_per_gpu, memory_per_gpu_gb) and a share of the node
// rate. Absent when the cluster bills nothing (unit "none" or every rate 0). The report prices
// results with it; plan/cost.cpp prices whole jobs by the same rates.
std::optional<double> billing_per_gpu_hour(const ClusterProfile& c);

}  // namespace scalebench
