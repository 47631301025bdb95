"""The Bazel side of cmake/swarmkv_helpers.cmake: one macro per way a target is made, so each
BUILD.bazel lists the same targets, sources and dependencies as the CMakeLists.txt beside it."""

load("//bazel:module_order.bzl", "MODULE_LEVEL", "USERS_OF_EVERY_MODULE")

# CMakeLists.txt's add_compile_options, for our own code (not for protoc's).
WARNINGS = ["-Wall", "-Wextra", "-Werror", "-Werror=unused-result", "-Wno-unused-parameter"]

def _module_visibility():
    """Who may depend on a library of this package: the modules above it and the test folders.
    Bazel then refuses a dependency that points down the order the wrong way, and the sandbox
    hides the headers of anything not depended on, so an upward #include fails to build."""
    package = native.package_name()
    if package not in MODULE_LEVEL:
        # testing/ and the like: used by tests in every module's folder. That only *_test.cc
        # files include them is checked file by file in tests/module_order_test.py.
        return ["//:__subpackages__"]
    level = MODULE_LEVEL[package]
    above = [module for module, other in MODULE_LEVEL.items() if other > level]
    return ["//%s:__pkg__" % p for p in sorted(above + USERS_OF_EVERY_MODULE)]

def swarmkv_library(name, srcs, hdrs, deps = [], **kwargs):
    """One module library: headers included as "module/file.h", from the repository root."""
    native.cc_library(
        name = name,
        srcs = srcs,
        hdrs = hdrs,
        deps = deps,
        copts = WARNINGS,
        visibility = _module_visibility(),
        **kwargs
    )

def swarmkv_test(name, srcs, deps = [], tags = [], **kwargs):
    """A gtest binary, linked with the fakes of testing/ and gtest's main. Tests tagged
    "integration" (real processes) are built by `bazel build //...` and run by ctest; .bazelrc
    keeps `bazel test //...` to the unit tests, as the tsan preset does."""
    native.cc_test(
        name = name,
        srcs = srcs,
        deps = deps + ["//testing:swarmkv_testing", "@sys//:gtest", "@sys//:gtest_main"],
        copts = WARNINGS,
        tags = tags,
        **kwargs
    )

def swarmkv_binary(name, srcs, deps = [], **kwargs):
    native.cc_binary(
        name = name,
        srcs = srcs,
        deps = deps,
        copts = WARNINGS,
        **kwargs
    )

def swarmkv_proto_library(name, root, protos, visibility = None):
    """protoc with the gRPC plugin, ROOT as the import root (files keep their canonical names,
    swarmkv/v1/node.proto), headers included as "swarmkv/v1/node.pb.h". Debian's protoc and
    grpc_cpp_plugin, as CMake uses: Bazel's own proto rules would download protobuf and gRPC."""
    outs = []
    for proto in protos:
        base = proto[:-len(".proto")]
        outs += ["gen/%s.pb.cc" % base, "gen/%s.pb.h" % base, "gen/%s.grpc.pb.cc" % base, "gen/%s.grpc.pb.h" % base]
    srcs = ["%s/%s" % (root, proto) for proto in protos]
    import_root = "%s/%s" % (native.package_name(), root)
    native.genrule(
        name = name + "_generate",
        srcs = srcs,
        outs = outs,
        cmd = ("/usr/bin/protoc -I%s --cpp_out=$(RULEDIR)/gen --grpc_out=$(RULEDIR)/gen " +
               "--plugin=protoc-gen-grpc=/usr/bin/grpc_cpp_plugin %s") %
              (import_root, " ".join(["%s/%s" % (import_root, proto) for proto in protos])),
    )
    native.cc_library(
        name = name,
        srcs = [out for out in outs if out.endswith(".cc")],
        hdrs = [out for out in outs if out.endswith(".h")],
        includes = ["gen"],
        deps = ["@sys//:grpc"],
        visibility = visibility or _module_visibility(),
    )
