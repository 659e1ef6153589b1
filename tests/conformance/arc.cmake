# ARC conformance: the ValiMail validation and signing suites and the stalwart ARC messages from
# ../shared/conformance/arc. yaml-cpp is used by the runners only.
find_package(yaml-cpp REQUIRED)
auth_test(test_arc_conformance
  SOURCES arc_validation_test.cpp arc_signing_test.cpp arc_suite.cpp
  COMPONENTS arc dkim crypto dns message authres common
  LIBS yaml-cpp)
