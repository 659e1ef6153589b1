# ARC interop with Debian's python3-dkim (dkimpy, driven through its library by arc_dkimpy.py;
# ARC signing needs python3-authres) and libmail-dkim-perl (Mail::DKIM::ARC, arc_maildkim.pl).
# Cases skip when a tool is not installed.
auth_test(test_arc_interop
  SOURCES arc_interop_test.cpp
  COMPONENTS arc dkim crypto dns message authres common)
target_compile_definitions(test_arc_interop PRIVATE MAILAUTH_INTEROP_DIR="${CMAKE_CURRENT_SOURCE_DIR}")
