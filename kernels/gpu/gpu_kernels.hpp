// Launchers of the GPU backend's own kernels: memory passes, softmax, SGD with momentum, random
// fill. Semantics are those of kernels/cpu/cpu_device.cpp; each launch is checked.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/device.hpp"
#include "kernels/gpu/gpu_runtime.h"

namespace scalebench::gpu {

// Where and with what a launcher runs. The workspace is device memory owned by the caller, at
// least memory_pass_workspace_bytes() large; launchers never allocate (graph capture forbids it).
struct KernelContext {
  gpuStream_t stream = nullptr;
  int sm_count = 1;
  void* workspace = nullptr;
  std::size_t workspace_bytes = 0;
};

// Scratch a memory pass needs (per-column statistics, partial maxima of long pooling windows).
std::size_t memory_pass_workspace_bytes(const MemoryPass& pass, int sm_count);

// `activation` is the device's activation dtype: the element type of each pointer the pass leaves
// unset (see MemoryPass and resolve_types).
void memory_pass(const MemoryPass& pass, DType activation, const KernelContext& ctx);
void softmax(void* x, std::int64_t rows, std::int64_t cols, DType type, const KernelContext& ctx);
void sgd_momentum(float* params, const float* grads, float* velocity, std::size_t count, float lr,
                  float momentum, const KernelContext& ctx);
// The CPU backend's generator (splitmix64 of the element index), so both backends fill alike.
void fill_random(void* ptr, std::size_t count, DType type, std::uint64_t seed, float scale,
                 const KernelContext& ctx);

// A kernel's address, to ask the runtime whether this binary has code for the device.
const void* probe_kernel();

}  // namespace scalebench::gpu
