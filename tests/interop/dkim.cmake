# DKIM interop with python3-dkim (dkimpy) and libmail-dkim-perl (Mail::DKIM): each side signs,
# the other verifies; the test is skipped (77) when a peer is not installed.
find_program(MAILAUTH_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT MAILAUTH_PYTHON3)
  find_program(MAILAUTH_PYTHON3 NAMES python3)
endif()
if(MAILAUTH_PYTHON3)
  foreach(peer dkimpy maildkim)
    add_test(NAME dkim_interop_${peer}
      COMMAND ${MAILAUTH_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/dkim_interop.py ${peer} $<TARGET_FILE:mailauth>)
    set_tests_properties(dkim_interop_${peer} PROPERTIES SKIP_RETURN_CODE 77 LABELS interop TIMEOUT 600)
  endforeach()
endif()
