# GPU backend detection: one validated option (cpu, cuda, hip). The GPU backend issue fills this in.
set(SCALEBENCH_GPU "auto" CACHE STRING "GPU backend to build: auto, none, cuda, hip")
set_property(CACHE SCALEBENCH_GPU PROPERTY STRINGS auto none cuda hip)
set(SCALEBENCH_HAVE_CUDA OFF)
set(SCALEBENCH_HAVE_HIP OFF)
