"""Debian's packaged libraries as Bazel targets, read from pkg-config when the repository is made.

`system_libraries(name = "sys", libraries = {"grpc": ["grpc++", "protobuf"], ...})` makes
`@sys//:grpc`, a header-and-link-flags `cc_library` whose `defines` (which propagate to every
dependent, as CMake's INTERFACE definitions do) and `linkopts` are what `pkg-config` prints for
those modules. Nothing is downloaded: the headers are in /usr/include, which the compiler searches
anyway. `local = True` re-runs pkg-config whenever Bazel re-fetches, so a changed package is seen.
"""

def _flags(rctx, modules, kind):
    result = rctx.execute(["pkg-config", kind] + modules)
    if result.return_code != 0:
        fail("pkg-config %s %s failed (is the -dev package installed? see scripts/install-deps.sh): %s" %
             (kind, " ".join(modules), result.stderr))
    return [flag for flag in result.stdout.strip().split(" ") if flag]

def _system_libraries_impl(rctx):
    build = ['package(default_visibility = ["//visibility:public"])', ""]
    for name, modules in rctx.attr.libraries.items():
        defines = []
        copts = []
        for flag in _flags(rctx, modules, "--cflags"):
            if flag.startswith("-D"):
                defines.append(flag[2:])
            elif flag.startswith("-I"):
                # Headers outside the compiler's search path would need a symlink into this
                # repository; no Debian package used here has any.
                fail("pkg-config gives %s an include path (%s): not supported" % (name, flag))
            else:
                copts.append(flag)
        linkopts = _flags(rctx, modules, "--libs") + rctx.attr.extra_linkopts.get(name, [])
        build.append("cc_library(\n    name = %r,\n    defines = %r,\n    copts = %r,\n    linkopts = %r,\n)\n" %
                     (name, defines, copts, linkopts))
    rctx.file("WORKSPACE", 'workspace(name = "%s")\n' % rctx.name)
    rctx.file("BUILD.bazel", "\n".join(build))

system_libraries = repository_rule(
    implementation = _system_libraries_impl,
    attrs = {
        "libraries": attr.string_list_dict(mandatory = True),
        "extra_linkopts": attr.string_list_dict(),
    },
    local = True,
)

def _fuzzer_headers_impl(rctx):
    # libFuzzer's FuzzedDataProvider.h ships in clang's resource folder, not in /usr/include.
    result = rctx.execute([rctx.attr.clang, "-print-resource-dir"])
    if result.return_code != 0:
        fail("%s -print-resource-dir failed (clang-14 is in scripts/install-deps.sh): %s" %
             (rctx.attr.clang, result.stderr))
    rctx.symlink(result.stdout.strip() + "/include/fuzzer", "include/fuzzer")
    rctx.file("WORKSPACE", 'workspace(name = "%s")\n' % rctx.name)
    rctx.file("BUILD.bazel", "\n".join([
        'package(default_visibility = ["//visibility:public"])',
        "",
        'cc_library(name = "fuzzed_data_provider", hdrs = ["include/fuzzer/FuzzedDataProvider.h"], includes = ["include"])',
        "",
    ]))

fuzzer_headers = repository_rule(
    implementation = _fuzzer_headers_impl,
    attrs = {"clang": attr.string(default = "clang++-14")},
    local = True,
)
