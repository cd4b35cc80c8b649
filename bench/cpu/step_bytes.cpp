// Not a timing: the bytes a training step's memory passes move, by layer class, under autocast's
// type rules and with every tensor in the compute dtype, counted from a traced step
// (workloads/step_trace.hpp) as device.hpp counts them. Runs anywhere,
// at any batch (nothing is allocated); docs/performance.md quotes it.
//   step_bytes [--workload=vit_b16] [--batch=128] [--precision=bf16] [--image-size=224]
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include <fmt/format.h>

#include "workloads/step_trace.hpp"

int main(int argc, char** argv) {
  using namespace scalebench;
  std::string workload = "vit_b16", precision_name = "bf16";
  long batch = 128, image = 0;
  auto number = [](const char* text) {
    char* end = nullptr;
    const long v = std::strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || v <= 0) {
      fmt::print(stderr, "step_bytes: '{}' is not a positive whole number\n", text);
      std::exit(2);
    }
    return v;
  };
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--workload=", 11) == 0) workload = argv[i] + 11;
    else if (std::strncmp(argv[i], "--batch=", 8) == 0) batch = number(argv[i] + 8);
    else if (std::strncmp(argv[i], "--precision=", 12) == 0) precision_name = argv[i] + 12;
    else if (std::strncmp(argv[i], "--image-size=", 13) == 0) image = number(argv[i] + 13);
    else {
      fmt::print(stderr, "step_bytes: unknown argument '{}' (allowed: --workload= --batch= --precision= --image-size=)\n", argv[i]);
      return 2;
    }
  }
  const auto precision = parse_precision(precision_name);
  if (!precision) {
    fmt::print(stderr, "step_bytes: unknown precision '{}' (allowed: fp32, tf32, bf16, fp16)\n", precision_name);
    return 2;
  }
  try {
    const WorkloadInfo& info = find_workload(workload);
    const Model model = build_model(info, batch, image > 0 ? image : info.default_image_size);
    // Autocast's rules, and the counterfactual of every tensor in the compute dtype with no casts:
    // the difference is what autocast's fp32 tensors and casts cost.
    const auto autocast = trace_step(model, *precision).bytes_by_class();
    const auto uniform = trace_step(model, *precision, TypeRules::uniform).bytes_by_class();
    const std::string compute(to_string(activation_dtype(*precision)));
    fmt::print("{} batch {} {}: GB moved by memory passes per step\n", workload, batch, precision_name);
    fmt::print("{:<14} {:>10} {:>26}\n", "class", "autocast", "all " + compute + ", no casts");
    double sum = 0, sum_uniform = 0;
    for (const auto& [cls, bytes] : autocast) {
      const double u = uniform.count(cls) ? uniform.at(cls) : 0.0;
      fmt::print("{:<14} {:>10.2f} {:>26.2f}\n", cls, bytes / 1e9, u / 1e9);
      sum += bytes;
      sum_uniform += u;
    }
    fmt::print("{:<14} {:>10.2f} {:>26.2f}\n", "total", sum / 1e9, sum_uniform / 1e9);
  } catch (const UsageError& e) {
    fmt::print(stderr, "step_bytes: {}\n", e.what());
    return 2;
  }
  return 0;
}
