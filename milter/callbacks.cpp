#include "callbacks.hpp"

#include <arpa/inet.h>
#include <libmilter/mfapi.h>
#include <netinet/in.h>

#include <array>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "log.hpp"
#include "session.hpp"

namespace mailauth::milter {
namespace {

const Config* config = nullptr;  // set once before smfi_main, read-only afterwards

sfsistat failure_answer() {
  return config != nullptr && config->failure_mode == FailureMode::Tempfail ? SMFIS_TEMPFAIL
                                                                            : SMFIS_ACCEPT;
}

Session* session_of(SMFICTX* ctx) { return static_cast<Session*>(smfi_getpriv(ctx)); }

// The context owns its Session from here until on_close takes it back.
bool give_to_context(SMFICTX* ctx, std::unique_ptr<Session> session) {
  if (smfi_setpriv(ctx, session.get()) != MI_SUCCESS) return false;
  static_cast<void>(session.release());
  return true;
}

std::unique_ptr<Session> take_from_context(SMFICTX* ctx) {
  std::unique_ptr<Session> session(session_of(ctx));
  smfi_setpriv(ctx, nullptr);
  return session;
}

// Runs `step` with the connection's Session and its open transaction (when `need_transaction`).
// Any exception, or a callback out of order, is logged and answered with failure_mode.
template <class Step>
sfsistat guarded(SMFICTX* ctx, const char* event, bool need_transaction, Step step) noexcept {
  try {
    Session* session = session_of(ctx);
    if (session == nullptr || (need_transaction && session->transaction() == nullptr)) {
      log(LogLevel::Warning, std::string(event) + " out of order (no " +
                                 (session == nullptr ? "connection" : "message") + " state)");
      return failure_answer();
    }
    return step(*session);
  } catch (const std::exception& e) {
    log(LogLevel::Error, std::string(event) + ": " + e.what());
  } catch (...) {
    log(LogLevel::Error, std::string(event) + ": unknown exception");
  }
  return failure_answer();
}

std::optional<auth::IpAddress> address_of(const sockaddr* address) {
  if (address == nullptr) return std::nullopt;  // unix-domain or unknown client
  if (address->sa_family == AF_INET) {
    sockaddr_in in{};
    std::memcpy(&in, address, sizeof in);
    std::array<std::uint8_t, 4> bytes{};
    std::memcpy(bytes.data(), &in.sin_addr, bytes.size());
    return auth::IpAddress::v4(bytes);
  }
  if (address->sa_family == AF_INET6) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, address, sizeof in6);
    std::array<std::uint8_t, 16> bytes{};
    std::memcpy(bytes.data(), &in6.sin6_addr, bytes.size());
    return auth::IpAddress::v6(bytes).unmapped();
  }
  return std::nullopt;
}

// Negotiation comes first on every connection: the Session is born here.
sfsistat on_negotiate(SMFICTX* ctx, unsigned long actions, unsigned long steps, unsigned long,
                      unsigned long, unsigned long* want_actions, unsigned long* want_steps,
                      unsigned long*, unsigned long*) noexcept {
  try {
    auto session = std::make_unique<Session>();
    // Header edits are what the next steps (Authentication-Results, signatures) need.
    *want_actions = actions & (SMFIF_ADDHDRS | SMFIF_CHGHDRS);
    // Keep header bytes exact (simple canonicalization) when the MTA can; skip what we ignore.
    *want_steps = steps & (SMFIP_HDR_LEADSPC | SMFIP_NOUNKNOWN | SMFIP_NODATA);
    session->set_header_leading_space((*want_steps & SMFIP_HDR_LEADSPC) != 0);
    take_from_context(ctx);  // none expected; never leak one
    return give_to_context(ctx, std::move(session)) ? SMFIS_CONTINUE : SMFIS_REJECT;
  } catch (...) {
    log(LogLevel::Error, "negotiate: cannot create connection state");
    return SMFIS_REJECT;  // ends the connection; the MTA applies its own default action
  }
}

sfsistat on_connect(SMFICTX* ctx, char* host, sockaddr* address) noexcept {
  try {
    if (session_of(ctx) == nullptr) {
      // A connection reused after SMFIC_QUIT_NC is not negotiated again.
      if (!give_to_context(ctx, std::make_unique<Session>())) return failure_answer();
    }
  } catch (...) {
    return failure_answer();
  }
  return guarded(ctx, "connect", false, [&](Session& s) {
    s.connect(host != nullptr ? host : "", address_of(address));
    log(LogLevel::Debug, "connection " + std::to_string(s.id()) + " from " + s.client_host() +
                             " [" + (s.client_ip() ? s.client_ip()->str() : "unknown") + "]");
    return SMFIS_CONTINUE;
  });
}

sfsistat on_helo(SMFICTX* ctx, char* name) noexcept {
  return guarded(ctx, "helo", false, [&](Session& s) {
    s.helo(name != nullptr ? name : "");
    return SMFIS_CONTINUE;
  });
}

sfsistat on_envfrom(SMFICTX* ctx, char** argv) noexcept {
  return guarded(ctx, "envfrom", false, [&](Session& s) {
    s.begin_transaction(argv != nullptr && argv[0] != nullptr ? argv[0] : "");
    return SMFIS_CONTINUE;
  });
}

sfsistat on_envrcpt(SMFICTX* ctx, char** argv) noexcept {
  return guarded(ctx, "envrcpt", true, [&](Session& s) {
    s.transaction()->rcpt_to(argv != nullptr && argv[0] != nullptr ? argv[0] : "");
    return SMFIS_CONTINUE;
  });
}

sfsistat on_header(SMFICTX* ctx, char* name, char* value) noexcept {
  return guarded(ctx, "header", true, [&](Session& s) {
    s.transaction()->header(name != nullptr ? name : "", value != nullptr ? value : "",
                            s.header_leading_space());
    return SMFIS_CONTINUE;
  });
}

sfsistat on_eoh(SMFICTX* ctx) noexcept {
  return guarded(ctx, "eoh", true, [&](Session& s) {
    s.transaction()->end_of_headers();
    return SMFIS_CONTINUE;
  });
}

sfsistat on_body(SMFICTX* ctx, unsigned char* chunk, std::size_t size) noexcept {
  return guarded(ctx, "body", true, [&](Session& s) {
    if (chunk != nullptr) s.transaction()->body({reinterpret_cast<const char*>(chunk), size});
    return SMFIS_CONTINUE;
  });
}

sfsistat on_eom(SMFICTX* ctx) noexcept {
  return guarded(ctx, "eom", true, [&](Session& s) {
    Transaction& t = *s.transaction();
    t.end_of_message();
    // The verify/sign pipeline (auth::MessageAuth) is not plugged in yet: mail passes unchanged.
    if (log_enabled(LogLevel::Debug))
      log(LogLevel::Debug, "connection " + std::to_string(s.id()) + " message " +
                               std::to_string(s.messages()) + ": " + t.summary());
    s.end_transaction();
    return SMFIS_CONTINUE;
  });
}

sfsistat on_abort(SMFICTX* ctx) noexcept {
  if (Session* s = session_of(ctx)) s->end_transaction();
  return SMFIS_CONTINUE;
}

sfsistat on_close(SMFICTX* ctx) noexcept {
  const std::unique_ptr<Session> session = take_from_context(ctx);
  if (session && log_enabled(LogLevel::Debug)) {
    try {
      log(LogLevel::Debug, "connection " + std::to_string(session->id()) + " closed after " +
                               std::to_string(session->messages()) + " message(s)");
    } catch (...) {  // building the line ran out of memory: drop it
    }
  }
  return SMFIS_CONTINUE;
}

}  // namespace

bool register_callbacks(const Config& active) {
  config = &active;
  static char name[] = "mailauth-milter";
  smfiDesc description{};
  description.xxfi_name = name;
  description.xxfi_version = SMFI_VERSION;
  description.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS;
  description.xxfi_connect = on_connect;
  description.xxfi_helo = on_helo;
  description.xxfi_envfrom = on_envfrom;
  description.xxfi_envrcpt = on_envrcpt;
  description.xxfi_header = on_header;
  description.xxfi_eoh = on_eoh;
  description.xxfi_body = on_body;
  description.xxfi_eom = on_eom;
  description.xxfi_abort = on_abort;
  description.xxfi_close = on_close;
  description.xxfi_negotiate = on_negotiate;
  return smfi_register(description) == MI_SUCCESS;
}

}  // namespace mailauth::milter
