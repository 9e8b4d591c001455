# lit configuration for dlc's IR, pass and lowering tests.
import os

import lit.formats

config.name = "dlc"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mlir"]
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "unit", "CMakeLists.txt"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.dlc_obj_root, "test")

# dlc's tools first, then FileCheck and `not` from LLVM 19.
config.environment["PATH"] = os.pathsep.join(
    [config.dlc_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")]
)

# `REQUIRES: nvrtc` for tests that compile CUDA C; `REQUIRES: cuda-device`
# for tests that run on a GPU (added once the CUDA runtime can detect one).
if config.dlc_nvrtc:
    config.available_features.add("nvrtc")
