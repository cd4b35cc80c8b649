// Cluster profiles: loading, validation (including script safety) and lookup by name.
#include "records/cluster_profile.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join (fmt 11 moved it here)

#include "records/json_fields.hpp"
#include "records/script_safety.hpp"
#include "records/vocabulary.hpp"
#include "records/json_text.hpp"
#include "records/errors.hpp"
#include "records/search_path.hpp"

namespace scalebench {
namespace fs = std::filesystem;

namespace {


// Every figure-carrying section names a source id that the "sources" list must hold.
void require_source(const std::string& id, const std::set<std::string>& ids, const std::string& where) {
  if (!ids.count(id))
    throw UsageError(fmt::format("{}: source \"{}\" is not in the profile's \"sources\"", where, id));
}

// "YYYY-MM-DD" with a month 01-12 and a day 01-31.
void require_date(const std::string& s, const std::string& what) {
  bool ok = s.size() == 10 && s[4] == '-' && s[7] == '-';
  for (std::size_t i = 0; ok && i < s.size(); ++i)
    if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) ok = false;
  if (ok) {
    int month = std::stoi(s.substr(5, 2)), day = std::stoi(s.substr(8, 2));
    ok = month >= 1 && month <= 12 && day >= 1 && day <= 31;
  }
  if (!ok) throw UsageError(fmt::format("{} '{}' is not a date: give YYYY-MM-DD", what, printable(s)));
}

Link parse_link(const nlohmann::json& j, const std::string& where, const std::set<std::string>& ids) {
  JsonFields f(j, where);
  Link l;
  l.name = f.str("name");
  l.bandwidth_gb_per_s = f.opt_number("bandwidth_gb_per_s");
  l.latency_us = f.opt_number("latency_us");
  l.note = f.opt_str("note");
  l.source = f.str("source");
  // Profiles written before 0.3.0 (and the plans that carry them) give no basis: their figures
  // were taken from the cited pages.
  if (auto b = f.opt_str("basis")) {
    vocabulary::require_one_of(*b, where + ": \"basis\"", vocabulary::kBases);
    l.basis = *b == "measured" ? Basis::measured : *b == "assumed" ? Basis::assumed : Basis::published;
  }
  l.nics_per_node = f.opt_integer("nics_per_node");
  l.nic_gbit_per_s = f.opt_number("nic_gbit_per_s");
  if (f.has("gpudirect_rdma")) l.gpudirect_rdma = f.boolean("gpudirect_rdma", false);
  l.topology = f.opt_str("topology");
  l.taper = f.opt_str("taper");
  l.nodes_per_leaf = f.opt_integer("nodes_per_leaf");
  l.collectives = f.strings("collectives");
  l.efficiency = f.opt_number("efficiency");
  f.finish();
  require_source(l.source, ids, where);
  if ((!l.bandwidth_gb_per_s || !l.latency_us) && !l.note)
    throw UsageError(fmt::format("{}: a figure left out needs a \"note\" saying why", where));
  if (l.nics_per_node && *l.nics_per_node < 1)
    throw UsageError(fmt::format("{}: \"nics_per_node\" must be at least 1", where));
  if (l.nodes_per_leaf && *l.nodes_per_leaf < 1)
    throw UsageError(fmt::format("{}: \"nodes_per_leaf\" must be at least 1", where));
  if (l.nic_gbit_per_s && !(*l.nic_gbit_per_s > 0))
    throw UsageError(fmt::format("{}: \"nic_gbit_per_s\" must be positive", where));
  for (const auto& a : l.collectives) require_name(a, where + ": collectives");
  if (l.efficiency && !(*l.efficiency > 0 && *l.efficiency <= 1))
    throw UsageError(fmt::format("{}: \"efficiency\" must be in (0, 1], got {}", where, *l.efficiency));
  return l;
}

ClusterStatus parse_status(const nlohmann::json& j, const std::string& where,
                           const std::set<std::string>& ids) {
  JsonFields f(j, where);
  ClusterStatus st;
  auto state = f.str("state");
  vocabulary::require_one_of(state, where + ": \"state\"", vocabulary::kClusterStates);
  st.retired = state == "retired";
  if (auto since = f.opt_str("since")) {
    require_date(*since, where + ": since");
    st.since = *since;
  } else if (st.retired) {
    throw UsageError(fmt::format("{}: a retired cluster needs \"since\" (YYYY-MM-DD)", where));
  }
  st.successor = f.opt_str("successor");
  if (st.successor) require_name(*st.successor, where + ": successor");
  st.note = f.opt_str("note");
  if (st.note) require_comment_text(*st.note, where + ": note");
  st.source = f.opt_str("source");
  f.finish();
  if (st.source) require_source(*st.source, ids, where);
  else if (st.retired) throw UsageError(fmt::format("{}: a retirement needs a \"source\"", where));
  return st;
}

}  // namespace

std::string_view to_string(Basis b) {
  switch (b) {
    case Basis::published: return "published";
    case Basis::measured: return "measured";
    case Basis::assumed: return "assumed";
  }
  return "?";
}

std::string_view to_string(GpuRequestStyle s) {
  switch (s) {
    case GpuRequestStyle::gres: return "gres";
    case GpuRequestStyle::gpus_per_node: return "gpus_per_node";
    case GpuRequestStyle::none: return "none";
  }
  return "?";
}

const NodeType& ClusterProfile::node_type(const std::string& n) const {
  for (const auto& t : node_types)
    if (t.name == n) return t;
  std::vector<std::string> names;
  for (const auto& t : node_types) names.push_back(t.name);
  throw UsageError(fmt::format("cluster {} has no node type '{}' (it has {})", name, printable(n),
                               fmt::join(names, ", ")));
}

const Partition* ClusterProfile::find_partition(const std::string& n) const {
  for (const auto& p : partitions)
    if (p.name == n) return &p;
  return nullptr;
}

ClusterProfile parse_cluster_profile(const nlohmann::json& j, const std::string& where) {
  JsonFields f(j, where);
  ClusterProfile c;
  if (f.str("schema") != kClusterSchema)
    throw UsageError(fmt::format("{}: \"schema\" must be \"{}\"", where, kClusterSchema));
  c.name = f.str("name");
  require_name(c.name, where + ": name");
  c.description = f.str("description");
  c.scheduler = f.str("scheduler");
  if (c.scheduler != "slurm" && c.scheduler != "none")
    throw UsageError(fmt::format("{}: \"scheduler\" must be \"slurm\" or \"none\"", where));
  c.backend = f.str("backend");
  if (!vocabulary::is_one_of(c.backend, vocabulary::kBackends))
    throw UsageError(fmt::format("{}: \"backend\" must be one of {}", where,
                                 vocabulary::joined(vocabulary::kBackends)));
  c.account_required = f.boolean("account_required", c.uses_slurm());
  if (auto m = f.opt_integer("max_array_size")) {
    if (*m < 1 || *m > kSlurmMaxArraySizeLimit)
      throw UsageError(fmt::format("{}: \"max_array_size\" must be 1 to {} (slurm.conf MaxArraySize), got {}",
                                   where, kSlurmMaxArraySizeLimit, *m));
    c.max_array_size = *m;
  }

  // Sources first: every other section refers to them.
  std::set<std::string> ids;
  {
    const auto* list = f.sub("sources", true);
    if (!list->is_array() || list->empty())
      throw UsageError(fmt::format("{}: \"sources\" must be a non-empty list", where));
    for (std::size_t i = 0; i < list->size(); ++i) {
      JsonFields s((*list)[i], fmt::format("{}: sources[{}]", where, i));
      Source src{s.str("id"), s.str("title"), s.str("url"), s.opt_str("retrieved")};
      s.finish();
      if (src.retrieved) require_date(*src.retrieved, s.where() + ": retrieved");
      if (!ids.insert(src.id).second)
        throw UsageError(fmt::format("{}: source id \"{}\" appears twice", where, src.id));
      c.sources.push_back(std::move(src));
    }
  }

  if (const auto* st = f.sub("status", false)) c.status = parse_status(*st, where + ": status", ids);
  if (auto arch = f.opt_str("arch")) {
    vocabulary::require_one_of(*arch, where + ": \"arch\"", vocabulary::kArchs);
    c.arch = *arch;
  }
  c.login_node = f.opt_str("login_node");
  if (c.login_node) require_name(*c.login_node, where + ": login_node");
  if (const auto* du = f.sub("device_unit", false)) {
    std::string w = where + ": device_unit";
    JsonFields d(*du, w);
    c.device_unit.name = d.str("name");
    vocabulary::require_one_of(c.device_unit.name, w + ": \"name\"", vocabulary::kDeviceUnits);
    c.device_unit.per_billed_gpu = d.opt_number("per_billed_gpu").value_or(1.0);
    d.opt_str("note");
    c.device_unit.source = d.opt_str("source");
    d.finish();
    if (!(c.device_unit.per_billed_gpu >= 1 && c.device_unit.per_billed_gpu <= 64))
      throw UsageError(fmt::format("{}: \"per_billed_gpu\" must be 1 to 64 (devices in one billed GPU)", w));
    if (c.device_unit.source) require_source(*c.device_unit.source, ids, w);
  }
  if (const auto* mn = f.sub("multi_node", false)) {
    std::string w = where + ": multi_node";
    JsonFields m(*mn, w);
    c.multi_node.environment = m.strings("environment");
    c.multi_node.note = m.opt_str("note");
    c.multi_node.source = m.opt_str("source");
    m.finish();
    for (std::size_t i = 0; i < c.multi_node.environment.size(); ++i)
      require_environment_line(c.multi_node.environment[i], fmt::format("{}: environment[{}]", w, i));
    if (c.multi_node.note) require_comment_text(*c.multi_node.note, w + ": note");
    if (c.multi_node.source) require_source(*c.multi_node.source, ids, w);
  }

  const auto* types = f.sub("node_types", true);
  if (!types->is_array() || types->empty())
    throw UsageError(fmt::format("{}: \"node_types\" must be a non-empty list", where));
  for (std::size_t i = 0; i < types->size(); ++i) {
    std::string w = fmt::format("{}: node_types[{}]", where, i);
    JsonFields t((*types)[i], w);
    NodeType n;
    n.name = t.str("name");
    require_name(n.name, w + ": name");
    n.gpus = t.integer("gpus");
    n.gpu_model = t.str("gpu_model");
    n.gpu_memory_gb = t.number("gpu_memory_gb");
    n.cpu_cores = t.integer("cpu_cores");
    n.memory_gb = t.number("memory_gb");
    if (const auto* peaks = t.sub("peak_tflops", false)) {
      JsonFields p(*peaks, w + ": peak_tflops");
      for (std::string_view prec : vocabulary::kPrecisions)
        if (auto v = p.opt_number(std::string(prec))) n.peak_tflops[std::string(prec)] = *v;
      p.finish();
    }
    t.opt_str("note");
    n.source = t.str("source");
    t.finish();
    require_source(n.source, ids, w);
    if (n.gpus < 1 || n.cpu_cores < 1 || n.memory_gb <= 0 || n.gpu_memory_gb < 0)
      throw UsageError(fmt::format("{}: gpus, cpu_cores and memory_gb must be positive", w));
    c.node_types.push_back(std::move(n));
  }

  const auto* parts = f.sub("partitions", true);
  if (!parts->is_array() || parts->empty())
    throw UsageError(fmt::format("{}: \"partitions\" must be a non-empty list", where));
  for (std::size_t i = 0; i < parts->size(); ++i) {
    std::string w = fmt::format("{}: partitions[{}]", where, i);
    JsonFields t((*parts)[i], w);
    Partition p;
    p.name = t.str("name");
    require_name(p.name, w + ": name");
    p.node_type = t.str("node_type");
    c.node_type(p.node_type);  // must exist
    p.min_nodes = t.opt_integer("min_nodes").value_or(1);
    p.max_nodes = t.opt_integer("max_nodes");
    p.max_gpus = t.opt_integer("max_gpus");
    p.min_gpus = t.opt_integer("min_gpus").value_or(1);
    p.max_jobs_per_user = t.opt_integer("max_jobs_per_user");
    p.requires_access = t.opt_str("requires_access");
    if (p.requires_access) require_comment_text(*p.requires_access, w + ": requires_access");
    p.licenses = t.opt_str("licenses");
    if (p.licenses) require_licenses(*p.licenses, w + ": licenses");
    if (auto tl = t.opt_str("max_time")) p.max_time_s = parse_time_limit(*tl, w + ": max_time");
    p.whole_nodes = t.boolean("whole_nodes", false);
    p.auto_select = t.boolean("auto", true);
    t.opt_str("note");
    p.source = t.str("source");
    t.finish();
    require_source(p.source, ids, w);
    if (p.min_nodes < 1 || (p.max_nodes && *p.max_nodes < p.min_nodes))
      throw UsageError(fmt::format("{}: node limits are inconsistent", w));
    if (p.min_gpus < 1 || (p.max_gpus && *p.max_gpus < p.min_gpus))
      throw UsageError(fmt::format("{}: GPU limits are inconsistent (min_gpus {} must be 1 to max_gpus)",
                                   w, p.min_gpus));
    if (p.max_jobs_per_user && *p.max_jobs_per_user < 1)
      throw UsageError(fmt::format("{}: \"max_jobs_per_user\" must be at least 1", w));
    if (c.find_partition(p.name))
      throw UsageError(fmt::format("{}: partition '{}' appears twice", w, p.name));
    c.partitions.push_back(std::move(p));
  }
  c.report_partition = f.opt_str("report_partition");
  if (c.report_partition) require_name(*c.report_partition, where + ": report_partition");
  c.report_gpus = f.opt_integer("report_gpus").value_or(0);
  if (c.report_gpus < 0 || c.report_gpus > c.node_types.front().gpus)
    throw UsageError(fmt::format("{}: \"report_gpus\" must be 0 to {} (the GPUs of a node)", where,
                                 c.node_types.front().gpus));

  {
    std::string w = where + ": gpu_request";
    JsonFields g(*f.sub("gpu_request", true), w);
    auto style = g.str("style");
    if (style == "gres") c.gpu_request.style = GpuRequestStyle::gres;
    else if (style == "gpus_per_node") c.gpu_request.style = GpuRequestStyle::gpus_per_node;
    else if (style == "none") c.gpu_request.style = GpuRequestStyle::none;
    else throw UsageError(fmt::format("{}: \"style\" must be gres, gpus_per_node or none", w));
    c.gpu_request.gres_type = g.opt_str("gres_type");
    if (c.gpu_request.gres_type) require_name(*c.gpu_request.gres_type, w + ": gres_type");
    c.gpu_request.source = g.str("source");
    g.finish();
    require_source(c.gpu_request.source, ids, w);
  }
  {
    std::string w = where + ": resources";
    JsonFields r(*f.sub("resources", true), w);
    c.resources.cpus_per_gpu = r.integer("cpus_per_gpu");
    c.resources.memory_per_gpu_gb = r.opt_number("memory_per_gpu_gb");
    c.resources.exclusive_full_nodes = r.boolean("exclusive_full_nodes", false);
    r.opt_str("note");
    c.resources.source = r.str("source");
    r.finish();
    require_source(c.resources.source, ids, w);
    if (c.resources.cpus_per_gpu < 1) throw UsageError(w + ": cpus_per_gpu must be positive");
    for (const auto& n : c.node_types)
      if (c.resources.cpus_per_gpu * n.gpus > n.cpu_cores)
        throw UsageError(fmt::format("{}: {} CPUs per GPU exceed the {} cores of node type {}", w,
                                     c.resources.cpus_per_gpu, n.cpu_cores, n.name));
  }
  if (const auto* b = f.sub("binding", false)) {
    std::string w = where + ": binding";
    JsonFields bf(*b, w);
    Binding bind;
    bind.cpu_masks = bf.strings("cpu_masks", true);
    bf.opt_str("note");
    bind.source = bf.str("source");
    bf.finish();
    require_source(bind.source, ids, w);
    for (const auto& m : bind.cpu_masks) require_cpu_mask(m, w);
    for (const auto& n : c.node_types)
      if (static_cast<std::int64_t>(bind.cpu_masks.size()) != n.gpus)
        throw UsageError(fmt::format("{}: {} masks for {} GPUs per node", w, bind.cpu_masks.size(), n.gpus));
    c.binding = std::move(bind);
  }
  if (const auto* l = f.sub("launcher", false)) {
    std::string w = where + ": launcher";
    JsonFields lf(*l, w);
    c.launcher.srun_args = lf.strings("srun_args");
    c.launcher.mpirun_args = lf.strings("mpirun_args");
    lf.finish();
    for (const auto& a : c.launcher.srun_args) require_launcher_argument(a, w);
    for (const auto& a : c.launcher.mpirun_args) require_launcher_argument(a, w);
  }
  c.environment = f.strings("environment");
  for (std::size_t i = 0; i < c.environment.size(); ++i)
    require_environment_line(c.environment[i], fmt::format("{}: environment[{}]", where, i));
  {
    JsonFields ic(*f.sub("interconnect", true), where + ": interconnect");
    c.intra_node = parse_link(*ic.sub("intra_node", true), where + ": interconnect.intra_node", ids);
    c.inter_node = parse_link(*ic.sub("inter_node", true), where + ": interconnect.inter_node", ids);
    ic.finish();
  }
  {
    std::string w = where + ": billing";
    JsonFields b(*f.sub("billing", true), w);
    c.billing.unit = b.str("unit");
    c.billing.per_gpu_hour = b.opt_number("per_gpu_hour").value_or(0);
    c.billing.per_core_hour = b.opt_number("per_core_hour").value_or(0);
    c.billing.per_gib_hour = b.opt_number("per_gib_hour").value_or(0);
    c.billing.per_node_hour = b.opt_number("per_node_hour").value_or(0);
    c.billing.note = b.opt_str("note");
    c.billing.source = b.opt_str("source");
    b.finish();
    if (c.billing.source) require_source(*c.billing.source, ids, w);
    else if (!c.billing.note) throw UsageError(w + ": needs a \"source\" or a \"note\"");
  }
  f.finish();
  if (c.uses_slurm() && c.gpu_request.style == GpuRequestStyle::none && c.backend != "cpu")
    throw UsageError(fmt::format("{}: a Slurm GPU cluster must say how GPUs are requested", where));
  c.raw = j;
  return c;
}

ClusterProfile load_cluster_profile_file(const fs::path& path) {
  const nlohmann::json j = read_json_file(
      path, "cluster profile",
      fmt::format("cluster profile {} is a folder; give a profile JSON file", path.string()));
  return parse_cluster_profile(j, path.string());
}

std::vector<fs::path> cluster_search_path() {
  return data_search_path("clusters", "SCALEBENCH_CLUSTERS");
}

ClusterProfile find_cluster_profile(const std::string& name_or_path) {
  bool is_path = name_or_path.find('/') != std::string::npos ||
                 (name_or_path.size() > 5 && name_or_path.ends_with(".json"));
  if (is_path) return load_cluster_profile_file(name_or_path);
  require_name(name_or_path, "cluster");
  std::vector<std::string> looked;
  for (const auto& dir : cluster_search_path()) {
    auto p = dir / (name_or_path + ".json");
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) return load_cluster_profile_file(p);
    looked.push_back(dir.string());
  }
  std::vector<std::string> names;
  for (const auto& c : list_cluster_profiles()) names.push_back(c.name);
  throw UsageError(fmt::format("no cluster profile '{}' (known: {}; looked in {})", name_or_path,
                               fmt::join(names, ", "), fmt::join(looked, ", ")));
}

std::vector<ClusterProfile> list_cluster_profiles() {
  std::map<std::string, ClusterProfile> found;
  for (const auto& dir : cluster_search_path()) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (e.path().extension() == ".json") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& p : files) {
      auto stem = p.stem().string();
      if (found.count(stem)) continue;
      found.emplace(stem, load_cluster_profile_file(p));
    }
  }
  std::vector<ClusterProfile> out;
  for (auto& [k, v] : found) out.push_back(std::move(v));
  return out;
}

std::optional<double> billing_per_gpu_hour(const ClusterProfile& c) {
  const Billing& b = c.billing;
  if (b.unit == "none") return std::nullopt;
  double rate = b.per_gpu_hour + b.per_core_hour * static_cast<double>(c.resources.cpus_per_gpu) +
                b.per_gib_hour * c.resources.memory_per_gpu_gb.value_or(0.0);
  if (b.per_node_hour > 0) {
    // A node's rate spread over its GPUs (the first node type with GPUs: profiles bill one kind).
    for (const NodeType& n : c.node_types) {
      if (n.gpus > 0) {
        rate += b.per_node_hour / static_cast<double>(n.gpus);
        break;
      }
    }
  }
  if (!(rate > 0)) return std::nullopt;
  return rate;
}

}  // namespace scalebench
