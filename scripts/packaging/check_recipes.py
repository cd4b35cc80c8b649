#!/usr/bin/env python3
"""Check that the Spack and EasyBuild recipes agree with CMake (python3 stdlib only).

Syntax (ast.parse) of each recipe; the project version from CMakeLists.txt; the minimum
versions from find_package(<Name> <ver> in CMakeLists.txt and cmake/*.cmake, and the CUDA
floor from gpu.cmake's set(SCALEBENCH_MIN_CUDA x). Each recipe must name each dependency
with the same minimum (spack: depends_on("name@min:"), easybuild: the dependency with a
version >= the minimum) and the project version.
Usage: check_recipes.py [--root DIR]. Exit 0 when all agree, 1 on a mismatch.
"""
import argparse
import ast
import glob
import os
import re
import sys

# CMake name -> (spack name, easybuild name, recipes where required: 'all' or 'cuda')
DEPS = {
    "fmt": ("fmt", "fmt", "all"),
    "nlohmann_json": ("nlohmann-json", "nlohmann_json", "all"),
    "CLI11": ("cli11", "CLI11", "all"),
    "CUDA": ("cuda", "CUDA", "cuda"),
}


def vtuple(v):
    return tuple(int(x) for x in re.findall(r"\d+", v))


def ge(a, b):
    a, b = vtuple(a), vtuple(b)
    n = max(len(a), len(b))
    return a + (0,) * (n - len(a)) >= b + (0,) * (n - len(b))


def same(a, b):
    return vtuple(a) + (0,) * 3 == vtuple(b) + (0,) * 3 or ge(a, b) and ge(b, a)


def cmake_facts(root):
    with open(os.path.join(root, "CMakeLists.txt")) as f:
        top = f.read()
    m = re.search(r"project\(\s*scalebench\s+VERSION\s+([0-9.]+)", top)
    version = m.group(1) if m else None
    texts = [top] + [open(p).read() for p in sorted(glob.glob(os.path.join(root, "cmake", "*.cmake")))]
    mins = {}
    for t in texts:
        for name, ver in re.findall(r"find_package\(\s*(\w+)\s+([0-9][0-9.]*)", t):
            if name in DEPS:
                mins[name] = ver
        m = re.search(r"set\(\s*SCALEBENCH_MIN_CUDA\s+([0-9.]+)", t)
        if m:
            mins["CUDA"] = m.group(1)
    return version, mins


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    root = os.path.abspath(ap.parse_args().root)
    version, mins = cmake_facts(root)
    errors = []
    if not version:
        errors.append("CMakeLists.txt: project(scalebench VERSION ...) not found")
    for name in DEPS:
        if name not in mins:
            errors.append(f"cmake: {name}: no minimum version found in CMakeLists.txt or cmake/*.cmake")
    pkg = os.path.join(root, "scripts/packaging")
    spack = sorted(glob.glob(os.path.join(pkg, "spack/spack_repo/*/packages/*/package.py")))
    ebs = sorted(glob.glob(os.path.join(pkg, "easybuild/*.eb")))
    if not spack or not ebs:
        errors.append(f"{pkg}: expected a Spack package.py and EasyBuild .eb files")
    for path in spack + ebs:
        rel = os.path.relpath(path, root)
        text = open(path).read()
        try:
            tree = ast.parse(text, rel)
        except SyntaxError as e:
            errors.append(f"{rel}: syntax: {e}")
            continue
        is_spack = path.endswith(".py")
        if is_spack:
            if version and not re.search(r"(version\(\s*\"|#.*\b)" + re.escape(version) + r"\b", text):
                errors.append(f"{rel}: version: recipe does not name {version}, CMake says {version}")
            for cm, (sp, _eb, _where) in DEPS.items():
                if cm not in mins:
                    continue
                m = re.search(r"depends_on\(\s*\"" + re.escape(sp) + r"@([0-9.]+):", text)
                got = m.group(1) if m else "nothing"
                if not m or not same(got, mins[cm]):
                    errors.append(f"{rel}: {cm}: recipe says {got}, CMake says {mins[cm]}")
        else:
            assigns = {}
            for node in tree.body:
                if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                    assigns[node.targets[0].id] = node.value
            ver = assigns.get("version")
            got = ver.value if isinstance(ver, ast.Constant) else "nothing"
            if version and got != version:
                errors.append(f"{rel}: version: recipe says {got}, CMake says {version}")
            found = {}
            for key in ("dependencies", "builddependencies"):
                node = assigns.get(key)
                for elt in getattr(node, "elts", []):
                    if isinstance(elt, ast.Tuple) and len(elt.elts) >= 2:
                        n, v = elt.elts[0], elt.elts[1]
                        if isinstance(n, ast.Constant) and isinstance(v, ast.Constant):
                            found[n.value] = v.value
            is_cuda = "CUDA" in os.path.basename(path)
            for cm, (_sp, eb, where) in DEPS.items():
                if cm not in mins or (where == "cuda" and not is_cuda):
                    continue
                got = found.get(eb)
                if got is None or not ge(got, mins[cm]):
                    errors.append(f"{rel}: {cm}: recipe says {got or 'nothing'}, CMake says {mins[cm]}")
    if errors:
        for e in errors:
            print(e)
        return 1
    deps = ", ".join(f"{k} {v}" for k, v in mins.items())
    print(f"check_recipes: {len(spack) + len(ebs)} recipes agree with CMake (version {version}; deps {deps})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
