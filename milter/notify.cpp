#include "notify.hpp"

#include <systemd/sd-daemon.h>

namespace mailauth::milter {

void notify_ready() { sd_notify(0, "READY=1\nSTATUS=serving"); }
void notify_reloaded() { sd_notify(0, "READY=1\nSTATUS=configuration reloaded"); }
void notify_stopping() { sd_notify(0, "STOPPING=1"); }

}  // namespace mailauth::milter
