# SPF conformance: the OpenSPF RFC 7208 and RFC 4408 suites, blitiri and stalwart cases from
# ../shared/conformance/spf, one GoogleTest case each. yaml-cpp is used by this runner only.
find_package(yaml-cpp QUIET)
if(NOT yaml-cpp_FOUND)
  message(STATUS "yaml-cpp not found (Debian libyaml-cpp-dev): SPF conformance runner not built")
  return()
endif()
auth_test(test_spf_conformance
  SOURCES spf_conformance_test.cpp spf_test_zone.cpp spf_suites.cpp
  COMPONENTS spf dns authres message common
  LIBS yaml-cpp)
