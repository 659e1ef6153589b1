# Debian packages (cpack -G DEB, from the build directory):
#   mailauth         mailauth-milter, the mailauth CLI, the systemd unit, the example
#                    configuration and the Grafana dashboard; postinst creates the mailauth
#                    user and /etc/mailauth and installs a configuration when there is none
#   libmailauth-dev  libauth's headers, static library, CMake and pkg-config files
# Runtime dependencies come from dpkg-shlibdeps (packages dpkg-dev and file). Each package's
# summary is the first line of its description below.
set(MAILAUTH_PACKAGE_MAINTAINER "mailauth developers <mailauth@localhost>" CACHE STRING
  "Maintainer field of the Debian packages")

set(CPACK_PACKAGE_NAME mailauth)
set(CPACK_PACKAGE_VENDOR mailauth)
set(CPACK_PACKAGE_CONTACT "${MAILAUTH_PACKAGE_MAINTAINER}")
set(CPACK_STRIP_FILES TRUE)
# Install into a staging DESTDIR with the real prefix, so that what is written at install time
# (the unit's ExecStart) names /usr, not the staging folder.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME mailauth)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION mail)
# adduser and deb-systemd-helper (init-system-helpers) run in the maintainer scripts.
set(CPACK_DEBIAN_RUNTIME_PACKAGE_DEPENDS "adduser, init-system-helpers")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SUGGESTS "postfix | mail-transport-agent, unbound")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
  ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
  ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION
  "email authentication milter (DKIM, SPF, DMARC, ARC) and command-line tool
mailauth-milter verifies inbound mail (SPF, DKIM, ARC, DMARC) and writes one
Authentication-Results field, signs outbound mail with DKIM and seals with ARC,
for Postfix and Sendmail in place of OpenDKIM, OpenDMARC and OpenARC. The
mailauth command signs, verifies and checks messages and DNS records.")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME libmailauth-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "libssl-dev, libldns-dev")
set(CPACK_COMPONENT_DEV_DESCRIPTION
  "email authentication library (DKIM, SPF, DMARC, ARC): development files
libauth, the C++23 library under mailauth: headers, static library, CMake
package (find_package(mailauth)) and pkg-config file.")

include(CPack)
