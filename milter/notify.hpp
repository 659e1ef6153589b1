// Service manager notifications (systemd Type=notify, through libsystemd's sd_notify): READY once
// the socket listens, RELOADING/READY around a reload, STOPPING at shutdown. Without a service
// manager (no NOTIFY_SOCKET) they do nothing.
#pragma once

namespace mailauth::milter {

void notify_ready();
void notify_reloaded();
void notify_stopping();

}  // namespace mailauth::milter
