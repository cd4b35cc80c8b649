// The thin CUDA/HIP shim: one name for each runtime, BLAS and NCCL/RCCL symbol the GPU backend
// uses, chosen by the compiler's backend macro. Every other file in kernels/gpu is written once.
#pragma once

#if defined(SCALEBENCH_HAVE_HIP)
// ------------------------------------------------------------------------------------------ HIP
#include <hip/hip_fp16.h>
#include <hip/hip_runtime.h>

#define GPU_BACKEND_NAME "hip"
#define GPU_RUNTIME_NAME "HIP"
#define GPU_WARP_SIZE 64  // wave64 on CDNA (gfx90a, gfx908, gfx942)

using gpuError_t = hipError_t;
using gpuStream_t = hipStream_t;
using gpuEvent_t = hipEvent_t;
using gpuGraph_t = hipGraph_t;
using gpuGraphExec_t = hipGraphExec_t;
using gpuDeviceProp_t = hipDeviceProp_t;
using gpuFuncAttributes = hipFuncAttributes;
#define gpuSuccess hipSuccess
#define gpuErrorNotReady hipErrorNotReady
#define gpuErrorMemoryAllocation hipErrorOutOfMemory
#define gpuMemcpyDeviceToDevice hipMemcpyDeviceToDevice
#define gpuMemcpyDeviceToHost hipMemcpyDeviceToHost
#define gpuMemcpyHostToDevice hipMemcpyHostToDevice
#define gpuStreamNonBlocking hipStreamNonBlocking
#define gpuEventDisableTiming hipEventDisableTiming
#define gpuEventDefault hipEventDefault
#define gpuStreamCaptureModeThreadLocal hipStreamCaptureModeThreadLocal
#define gpuStreamCaptureStatusNone hipStreamCaptureStatusNone
using gpuStreamCaptureStatus = hipStreamCaptureStatus;

#define gpuGetErrorString hipGetErrorString
#define gpuGetErrorName hipGetErrorName
#define gpuGetLastError hipGetLastError
#define gpuGetDeviceCount hipGetDeviceCount
#define gpuSetDevice hipSetDevice
#define gpuGetDevice hipGetDevice
#define gpuGetDeviceProperties hipGetDeviceProperties
#define gpuDeviceGetPCIBusId hipDeviceGetPCIBusId
#define gpuDeviceSynchronize hipDeviceSynchronize
#define gpuRuntimeGetVersion hipRuntimeGetVersion
#define gpuDriverGetVersion hipDriverGetVersion
#define gpuMemGetInfo hipMemGetInfo
#define gpuMalloc hipMalloc
#define gpuFree hipFree
#define gpuMallocHost(ptr, bytes) hipHostMalloc((ptr), (bytes), 0)
#define gpuFreeHost hipHostFree
#define gpuMemcpyAsync hipMemcpyAsync
#define gpuMemsetAsync hipMemsetAsync
#define gpuStreamCreateWithFlags hipStreamCreateWithFlags
#define gpuStreamDestroy hipStreamDestroy
#define gpuStreamSynchronize hipStreamSynchronize
#define gpuStreamWaitEvent(stream, event, flags) hipStreamWaitEvent((stream), (event), (flags))
#define gpuStreamBeginCapture hipStreamBeginCapture
#define gpuStreamEndCapture hipStreamEndCapture
#define gpuStreamIsCapturing hipStreamIsCapturing
#define gpuEventCreateWithFlags hipEventCreateWithFlags
#define gpuEventDestroy hipEventDestroy
#define gpuEventRecord hipEventRecord
#define gpuEventQuery hipEventQuery
#define gpuEventSynchronize hipEventSynchronize
#define gpuEventElapsedTime hipEventElapsedTime
#define gpuGraphInstantiate(exec, graph) hipGraphInstantiate((exec), (graph), nullptr, nullptr, 0)
#define gpuGraphLaunch hipGraphLaunch
#define gpuGraphDestroy hipGraphDestroy
#define gpuGraphExecDestroy hipGraphExecDestroy
#define gpuFuncGetAttributes hipFuncGetAttributes

// Warp shuffles: ROCm's are not masked.
#define GPU_SHFL_XOR(value, lane_mask) __shfl_xor((value), (lane_mask))

#if defined(SCALEBENCH_HAVE_GPU_BLAS) && SCALEBENCH_HAVE_GPU_BLAS
#ifndef HIPBLAS_V2
#define HIPBLAS_V2  // hipDataType + hipblasComputeType_t (hipBLAS >= 2.0, ROCm 6)
#endif
#include <hipblas/hipblas.h>
#define GPU_BLAS_NAME "hipblas"
using gpublasHandle_t = hipblasHandle_t;
using gpublasStatus_t = hipblasStatus_t;
using gpublasComputeType_t = hipblasComputeType_t;
using gpuDataType_t = hipDataType;
#define GPUBLAS_STATUS_SUCCESS HIPBLAS_STATUS_SUCCESS
#define GPUBLAS_OP_N HIPBLAS_OP_N
#define GPUBLAS_OP_T HIPBLAS_OP_T
#define GPUBLAS_COMPUTE_32F HIPBLAS_COMPUTE_32F
#define GPUBLAS_COMPUTE_32F_FAST_TF32 HIPBLAS_COMPUTE_32F_FAST_TF32
#define GPUBLAS_GEMM_DEFAULT HIPBLAS_GEMM_DEFAULT
#define GPU_R_32F HIP_R_32F
#define GPU_R_16BF HIP_R_16BF
#define GPU_R_16F HIP_R_16F
#define gpublasCreate hipblasCreate
#define gpublasDestroy hipblasDestroy
#define gpublasSetStream hipblasSetStream
#define gpublasGemmStridedBatchedEx hipblasGemmStridedBatchedEx
#define gpublasGetStatusString hipblasStatusToString
#endif

#if defined(SCALEBENCH_HAVE_NCCL) && SCALEBENCH_HAVE_NCCL
#if __has_include(<rccl/rccl.h>)
#include <rccl/rccl.h>
#else
#include <rccl.h>
#endif
#define GPU_NCCL_NAME "rccl"
#endif

#else
// ----------------------------------------------------------------------------------------- CUDA
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#define GPU_BACKEND_NAME "cuda"
#define GPU_RUNTIME_NAME "CUDA"
#define GPU_WARP_SIZE 32

using gpuError_t = cudaError_t;
using gpuStream_t = cudaStream_t;
using gpuEvent_t = cudaEvent_t;
using gpuGraph_t = cudaGraph_t;
using gpuGraphExec_t = cudaGraphExec_t;
using gpuDeviceProp_t = cudaDeviceProp;
using gpuFuncAttributes = cudaFuncAttributes;
#define gpuSuccess cudaSuccess
#define gpuErrorNotReady cudaErrorNotReady
#define gpuErrorMemoryAllocation cudaErrorMemoryAllocation
#define gpuMemcpyDeviceToDevice cudaMemcpyDeviceToDevice
#define gpuMemcpyDeviceToHost cudaMemcpyDeviceToHost
#define gpuMemcpyHostToDevice cudaMemcpyHostToDevice
#define gpuStreamNonBlocking cudaStreamNonBlocking
#define gpuEventDisableTiming cudaEventDisableTiming
#define gpuEventDefault cudaEventDefault
#define gpuStreamCaptureModeThreadLocal cudaStreamCaptureModeThreadLocal
#define gpuStreamCaptureStatusNone cudaStreamCaptureStatusNone
using gpuStreamCaptureStatus = cudaStreamCaptureStatus;

#define gpuGetErrorString cudaGetErrorString
#define gpuGetErrorName cudaGetErrorName
#define gpuGetLastError cudaGetLastError
#define gpuGetDeviceCount cudaGetDeviceCount
#define gpuSetDevice cudaSetDevice
#define gpuGetDevice cudaGetDevice
#define gpuGetDeviceProperties cudaGetDeviceProperties
#define gpuDeviceGetPCIBusId cudaDeviceGetPCIBusId
#define gpuDeviceSynchronize cudaDeviceSynchronize
#define gpuRuntimeGetVersion cudaRuntimeGetVersion
#define gpuDriverGetVersion cudaDriverGetVersion
#define gpuMemGetInfo cudaMemGetInfo
#define gpuMalloc cudaMalloc
#define gpuFree cudaFree
#define gpuMallocHost cudaMallocHost
#define gpuFreeHost cudaFreeHost
#define gpuMemcpyAsync cudaMemcpyAsync
#define gpuMemsetAsync cudaMemsetAsync
#define gpuStreamCreateWithFlags cudaStreamCreateWithFlags
#define gpuStreamDestroy cudaStreamDestroy
#define gpuStreamSynchronize cudaStreamSynchronize
#define gpuStreamWaitEvent(stream, event, flags) cudaStreamWaitEvent((stream), (event), (flags))
#define gpuStreamBeginCapture cudaStreamBeginCapture
#define gpuStreamEndCapture cudaStreamEndCapture
#define gpuStreamIsCapturing cudaStreamIsCapturing
#define gpuEventCreateWithFlags cudaEventCreateWithFlags
#define gpuEventDestroy cudaEventDestroy
#define gpuEventRecord cudaEventRecord
#define gpuEventQuery cudaEventQuery
#define gpuEventSynchronize cudaEventSynchronize
#define gpuEventElapsedTime cudaEventElapsedTime
#define gpuGraphInstantiate(exec, graph) cudaGraphInstantiate((exec), (graph), 0)
#define gpuGraphLaunch cudaGraphLaunch
#define gpuGraphDestroy cudaGraphDestroy
#define gpuGraphExecDestroy cudaGraphExecDestroy
#define gpuFuncGetAttributes cudaFuncGetAttributes

#define GPU_SHFL_XOR(value, lane_mask) __shfl_xor_sync(0xffffffffu, (value), (lane_mask))

#if defined(SCALEBENCH_HAVE_GPU_BLAS) && SCALEBENCH_HAVE_GPU_BLAS
#include <cublas_v2.h>
#define GPU_BLAS_NAME "cublas"
using gpublasHandle_t = cublasHandle_t;
using gpublasStatus_t = cublasStatus_t;
using gpublasComputeType_t = cublasComputeType_t;
using gpuDataType_t = cudaDataType_t;
#define GPUBLAS_STATUS_SUCCESS CUBLAS_STATUS_SUCCESS
#define GPUBLAS_OP_N CUBLAS_OP_N
#define GPUBLAS_OP_T CUBLAS_OP_T
#define GPUBLAS_COMPUTE_32F CUBLAS_COMPUTE_32F
#define GPUBLAS_COMPUTE_32F_FAST_TF32 CUBLAS_COMPUTE_32F_FAST_TF32
#define GPUBLAS_GEMM_DEFAULT CUBLAS_GEMM_DEFAULT
#define GPU_R_32F CUDA_R_32F
#define GPU_R_16BF CUDA_R_16BF
#define GPU_R_16F CUDA_R_16F
#define gpublasCreate cublasCreate
#define gpublasDestroy cublasDestroy
#define gpublasSetStream cublasSetStream
#define gpublasGemmStridedBatchedEx cublasGemmStridedBatchedEx
#define gpublasGetStatusString cublasGetStatusString
#endif

#if defined(SCALEBENCH_HAVE_NCCL) && SCALEBENCH_HAVE_NCCL
#include <nccl.h>
#define GPU_NCCL_NAME "nccl"
#endif

#endif
