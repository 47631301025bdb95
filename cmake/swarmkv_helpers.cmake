include(GoogleTest)

# swarmkv_library(NAME SRCS a.cc b.cc DEPS x y)
# One module = one static library whose headers are included as "module/file.h".
function(swarmkv_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SRCS})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# swarmkv_test(NAME SRCS a_test.cc DEPS module LABELS unit)
# The one way a test is registered with ctest: every gtest case becomes a ctest entry, so the
# ctest summary counts tests, not binaries. Discovery runs before the test (not at build time).
function(swarmkv_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} swarmkv_testing GTest::gmock GTest::gtest_main)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  if(SWARMKV_TSAN)
    # Debian's absl locks, annotated for TSan; -rdynamic so that libabsl's own calls reach them.
    target_sources(${name} PRIVATE ${PROJECT_SOURCE_DIR}/testing/tsan_absl_annotations.cc)
    target_link_libraries(${name} PRIVATE ${CMAKE_DL_LIBS})
    target_link_options(${name} PRIVATE -rdynamic)
  endif()
  if("unit" IN_LIST ARG_LABELS)
    set_property(GLOBAL APPEND PROPERTY SWARMKV_UNIT_TESTS ${name})
  endif()
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${ARG_LABELS}")
endfunction()

# swarmkv_proto_library(NAME ROOT dir PROTOS a.proto b.proto)
# The one way generated code is built: protoc (with the gRPC plugin) runs with ROOT as the
# import root, so files keep their canonical names (swarmkv/v1/node.proto), which is what
# reflection reports and what other languages' clients import. Headers are included as
# "swarmkv/v1/node.pb.h".
function(swarmkv_proto_library name)
  cmake_parse_arguments(ARG "" "ROOT" "PROTOS" ${ARGN})
  set(out ${CMAKE_CURRENT_BINARY_DIR}/gen)
  set(srcs)
  foreach(proto ${ARG_PROTOS})
    string(REGEX REPLACE "\\.proto$" "" base ${proto})
    set(outputs ${out}/${base}.pb.cc ${out}/${base}.pb.h
                ${out}/${base}.grpc.pb.cc ${out}/${base}.grpc.pb.h)
    add_custom_command(
      OUTPUT ${outputs}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${out}
      COMMAND protobuf::protoc -I ${ARG_ROOT}
              --cpp_out=${out} --grpc_out=${out}
              --plugin=protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin>
              ${ARG_ROOT}/${proto}
      DEPENDS ${ARG_ROOT}/${proto} protobuf::protoc gRPC::grpc_cpp_plugin
      COMMENT "protoc ${proto}")
    list(APPEND srcs ${outputs})
  endforeach()
  add_library(${name} STATIC ${srcs})
  # protoc's files each define the same file-local tables (schemas, file_default_instances), so
  # they cannot share a unity translation unit (CMAKE_UNITY_BUILD, the sanitizer presets).
  set_target_properties(${name} PROPERTIES UNITY_BUILD OFF)
  target_link_libraries(${name} PUBLIC protobuf::libprotobuf gRPC::grpc++)
  target_include_directories(${name} SYSTEM PUBLIC ${out})
endfunction()
