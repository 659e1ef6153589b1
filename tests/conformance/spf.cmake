# SPF conformance: the OpenSPF RFC 7208 and RFC 4408 suites, blitiri and stalwart cases from
# ../shared/conformance/spf, one GoogleTest case each. yaml-cpp (Debian libyaml-cpp-dev) is
# required, as for the DKIM and ARC runners: a missing runner must not pass for a green suite.
find_package(yaml-cpp REQUIRED)
auth_test(test_spf_conformance
  SOURCES spf_conformance_test.cpp spf_test_zone.cpp spf_suites.cpp
  COMPONENTS spf dns authres message common
  LIBS yaml-cpp)
