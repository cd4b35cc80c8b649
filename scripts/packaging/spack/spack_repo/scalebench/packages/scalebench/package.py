# Spack (>= 1.0, package API v2) recipe for scalebench 0.2.0 (project(scalebench VERSION 0.2.0)).
# Use: spack repo add scripts/packaging/spack/spack_repo/scalebench ; see docs/packaging.md.
# Checked by scripts/packaging/check_recipes.py (syntax, minimum versions agree with CMake);
# not built by Spack in CI.
from spack.package import *
from spack_repo.builtin.build_systems.cmake import CMakePackage
from spack_repo.builtin.build_systems.cuda import CudaPackage
from spack_repo.builtin.build_systems.rocm import ROCmPackage


class Scalebench(CMakePackage, CudaPackage, ROCmPackage):
    """GPU-cluster scaling benchmark (CUDA/NCCL, HIP/RCCL, CPU MPI+BLAS backends).

    There is no public release or repository yet: build from a checkout with
        spack develop --path /path/to/scalebench scalebench@develop
    inside a Spack environment. The git URL below is a PLACEHOLDER (Spack needs a git
    attribute for version("develop", branch=...)); replace it with your repository.
    """

    homepage = "https://example.invalid/scalebench"  # PLACEHOLDER: no public homepage yet
    git = "https://example.invalid/scalebench.git"  # PLACEHOLDER: replace with your repository

    # 0.2.0 is the CMake project version of the develop branch at the time of writing.
    version("develop", branch="main")

    variant("mpi", default=True, description="MPI for multi-rank runs")
    variant("report_only", default=False,
            description="Only the file-reading/writing report tool: no run, no MPI/BLAS/GPU")

    conflicts("+cuda", when="+report_only")
    conflicts("+rocm", when="+report_only")
    conflicts("+mpi", when="+report_only")
    conflicts("+cuda", when="+rocm", msg="one GPU backend at a time")

    depends_on("cxx", type="build")
    depends_on("cmake@3.25:", type="build")
    depends_on("fmt@9:")
    depends_on("nlohmann-json@3.10:")
    depends_on("cli11@2.1:")
    depends_on("googletest", type="test")

    with when("~report_only"):
        depends_on("blas")
        # OpenMP comes with the compiler (find_package(OpenMP)).
    depends_on("mpi", when="+mpi")

    with when("+cuda"):
        depends_on("cuda@12:")
        depends_on("nccl")
    with when("+rocm"):
        depends_on("hip@6.0:")
        depends_on("hipblas@6.0:")
        depends_on("rccl")

    def cmake_args(self):
        spec = self.spec
        if spec.satisfies("+cuda"):
            gpu = "cuda"
        elif spec.satisfies("+rocm"):
            gpu = "hip"
        else:
            gpu = "none"
        args = [
            self.define("SCALEBENCH_GPU", gpu),
            self.define_from_variant("SCALEBENCH_REPORT_ONLY", "report_only"),
            self.define("SCALEBENCH_TESTS", self.run_tests),
            self.define("SCALEBENCH_BENCH", False),
        ]
        if spec.satisfies("+cuda") and not spec.satisfies("cuda_arch=none"):
            archs = spec.variants["cuda_arch"].value
            args.append(self.define("CMAKE_CUDA_ARCHITECTURES", ";".join(archs)))
        if spec.satisfies("+rocm") and not spec.satisfies("amdgpu_target=none"):
            archs = spec.variants["amdgpu_target"].value
            args.append(self.define("CMAKE_HIP_ARCHITECTURES", ";".join(archs)))
        return args
