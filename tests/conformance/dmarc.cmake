# DMARC conformance: OpenDMARC's record, From-domain, alignment and organizational-domain tables
# (../shared/conformance/dmarc/opendmarc-vectors.yaml), read by yaml-cpp; each case where
# RFC 9989 decides differently from OpenDMARC is listed in the runner with its section.
find_package(yaml-cpp REQUIRED)
auth_test(test_dmarc_conformance
  SOURCES dmarc_opendmarc_test.cpp
  COMPONENTS dmarc arc dkim spf crypto dns message authres common
  LIBS yaml-cpp)
