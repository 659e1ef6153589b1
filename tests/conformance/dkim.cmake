# DKIM conformance runners over ../shared/conformance/dkim (stalwart, dkimpy and Mail::DKIM sets).
# yaml-cpp reads the MANIFEST.yaml files; DNS answers go through the real ZoneResolver.
find_package(yaml-cpp REQUIRED)
auth_test(test_dkim_conformance
  SOURCES dkim_support.cpp dkim_stalwart_test.cpp dkim_dkimpy_test.cpp dkim_maildkim_test.cpp
  COMPONENTS dkim crypto dns message authres common
  LIBS yaml-cpp)
