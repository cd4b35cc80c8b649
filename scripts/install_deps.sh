#!/usr/bin/env bash
# Installs what scalebench needs from Debian 12's packages (as root; uses sudo otherwise).
# Every package is listed, with its purpose, in README.md ("Dependencies").
set -euo pipefail
packages=(
  cmake ninja-build g++ git                 # build
  python3                                    # packaging tests: CMakePresets.json, recipe checker
  nlohmann-json3-dev libcli11-dev libfmt-dev # JSON, command line, formatting
  libopenblas-openmp-dev                     # BLAS for the CPU backend (OpenMP build)
  libblis-openmp-dev                         # second BLAS: scripts/build_matrix.sh (clang + BLIS)
  libopenmpi-dev openmpi-bin                 # MPI: ranks, bootstrap, CPU all-reduce
  libgtest-dev libbenchmark-dev              # tests and micro-benchmarks
  gnuplot-nox                                # report figures
  texlive-latex-base texlive-latex-recommended  # tests: table.tex compiles in an A4 article (pdflatex, booktabs)
  slurmctld slurmd slurm-client munge libpmix-dev  # the local Slurm cluster of the end-to-end test
  iproute2                                   # the emulated cluster: namespaces, veth, bridge, tc
  hipcc libamdhip64-dev                      # compile check of the HIP kernels (gfx90a)
  clang libclang-rt-14-dev libomp-14-dev     # fuzz targets: clang 14, libFuzzer + sanitizer runtimes, OpenMP
)
packages+=("$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "scalebench: all packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "scalebench: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
