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
#include "metrics.hpp"
#include "runtime.hpp"
#include "session.hpp"
#include "tcp_ack.hpp"

namespace mailauth::milter {
namespace {

// Callbacks that the MTA need not wait for: each saves a round trip per message (and per header
// field and body chunk). Failures in them are remembered and answered at end of message.
constexpr unsigned long no_reply_steps = SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL |
                                         SMFIP_NR_RCPT | SMFIP_NR_DATA | SMFIP_NR_UNKN |
                                         SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY;
// Callbacks we do not need at all.
constexpr unsigned long skipped_steps = SMFIP_NOUNKNOWN | SMFIP_NODATA;

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

// The answer of a callback that went well: none at all when the MTA agreed not to wait for it.
sfsistat proceed(const Session& session, unsigned long no_reply_flag) {
  return (session.steps & no_reply_flag) != 0 ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

// The first callback after a reply of ours acknowledges what the MTA sent since (tcp_ack.hpp).
void acknowledge_if_due(Session& session) {
  if (!session.acknowledge_due) return;
  acknowledge_now(session.tcp_socket);
  session.acknowledge_due = false;
}

// Runs `step` with the connection's Session. An exception, or a callback out of order, is logged;
// a callback that may not reply records the failure for end of message, the others answer
// on_internal_error at once.
template <class Step>
sfsistat guarded(SMFICTX* ctx, const char* event, unsigned long no_reply_flag, Step step) noexcept {
  Session* session = session_of(ctx);
  std::string failure;
  try {
    if (session == nullptr) {
      failure = std::string(event) + " out of order (no connection state)";
    } else {
      acknowledge_if_due(*session);
      const sfsistat status = step(*session);
      if (status != SMFIS_NOREPLY) session->acknowledge_due = true;
      return status;
    }
  } catch (const std::exception& e) {
    failure = std::string(event) + ": " + e.what();
  } catch (...) {
    failure = std::string(event) + ": unknown exception";
  }
  log(LogLevel::Error, failure);
  metrics::internal_error(event);
  if (session != nullptr && (session->steps & no_reply_flag) != 0) {
    if (session->failure.empty()) session->failure = failure;
    return SMFIS_NOREPLY;
  }
  const auto runtime = current_runtime();
  return runtime && runtime->config.on_internal_error == ErrorAnswer::Tempfail ? SMFIS_TEMPFAIL
                                                                               : SMFIS_CONTINUE;
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

// smfi_setreply passes the text to the MTA as a format: keep it printable and without '%'.
std::string reply_text(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u > 0x7e || c == '%' ? '?' : c);
  }
  return out;
}

std::string macro(SMFICTX* ctx, const char* name) {
  const char* value = smfi_getsymval(ctx, const_cast<char*>(name));
  return value != nullptr ? value : "";
}

// Negotiation comes first on every connection: the Session is born here.
sfsistat on_negotiate(SMFICTX* ctx, unsigned long actions, unsigned long steps, unsigned long,
                      unsigned long, unsigned long* want_actions, unsigned long* want_steps,
                      unsigned long*, unsigned long*) noexcept {
  try {
    // Header edits are the milter's whole output; an MTA that withholds them would get a milter
    // that silently does nothing. Refuse loudly instead.
    constexpr unsigned long needed = SMFIF_ADDHDRS | SMFIF_CHGHDRS;
    if ((actions & needed) != needed) {
      log(LogLevel::Error,
          "the MTA does not allow adding and changing header fields (milter actions offered: " +
              std::to_string(actions) + "); this milter cannot work without them");
      return SMFIS_REJECT;
    }
    auto session = std::make_unique<Session>();
    *want_actions = needed | (actions & SMFIF_QUARANTINE);
    // Keep header bytes exact (simple canonicalization) when the MTA can; skip and silence
    // what we do not need.
    *want_steps = steps & (SMFIP_HDR_LEADSPC | skipped_steps | no_reply_steps);
    session->steps = *want_steps;
    if (const auto runtime = current_runtime()) {
      session->tcp_socket = tcp_connection_socket(ctx, listening_port(runtime->config.socket));
      session->acknowledge_due = true;  // our negotiation reply follows
      if (session->tcp_socket >= 0 && log_enabled(LogLevel::Debug))
        log(LogLevel::Debug, "connection " + std::to_string(session->id()) +
                                 " over TCP from MTA port " +
                                 std::to_string(peer_port(session->tcp_socket)));
    }
    // Only the macros we read, so the MTA sends no others.
    smfi_setsymlist(ctx, SMFIM_CONNECT, const_cast<char*>("{daemon_name}"));
    smfi_setsymlist(ctx, SMFIM_ENVFROM, const_cast<char*>("{auth_authen}"));
    smfi_setsymlist(ctx, SMFIM_EOM, const_cast<char*>("{i}"));
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
      if (!give_to_context(ctx, std::make_unique<Session>())) return SMFIS_CONTINUE;
    }
  } catch (...) {
    return SMFIS_CONTINUE;
  }
  return guarded(ctx, "connect", SMFIP_NR_CONN, [&](Session& s) {
    s.client().host = host != nullptr ? host : "";
    s.client().ip = address_of(address);
    if (log_enabled(LogLevel::Debug))
      log(LogLevel::Debug, "connection " + std::to_string(s.id()) + " from " + s.client().host +
                               " [" + (s.client().ip ? s.client().ip->str() : "unknown") + "]");
    return proceed(s, SMFIP_NR_CONN);
  });
}

sfsistat on_helo(SMFICTX* ctx, char* name) noexcept {
  return guarded(ctx, "helo", SMFIP_NR_HELO, [&](Session& s) {
    s.client().helo = name != nullptr ? name : "";
    return proceed(s, SMFIP_NR_HELO);
  });
}

sfsistat on_envfrom(SMFICTX* ctx, char** argv) noexcept {
  // cppcheck-suppress throwInNoexceptFunction ; the lambda's throw is caught inside guarded()
  return guarded(ctx, "envfrom", SMFIP_NR_MAIL, [&](Session& s) {
    s.client().authenticated = !macro(ctx, "{auth_authen}").empty();
    auto runtime = current_runtime();
    if (!runtime) throw std::runtime_error("no configuration installed");
    s.begin_message(std::move(runtime), argv != nullptr && argv[0] != nullptr ? argv[0] : "");
    return proceed(s, SMFIP_NR_MAIL);
  });
}

sfsistat on_envrcpt(SMFICTX* ctx, char** argv) noexcept {
  return guarded(ctx, "envrcpt", SMFIP_NR_RCPT, [&](Session& s) {
    if (Message* m = s.message()) m->rcpt_to(argv != nullptr && argv[0] != nullptr ? argv[0] : "");
    return proceed(s, SMFIP_NR_RCPT);
  });
}

sfsistat on_header(SMFICTX* ctx, char* name, char* value) noexcept {
  return guarded(ctx, "header", SMFIP_NR_HDR, [&](Session& s) {
    if (Message* m = s.message())
      m->header(name != nullptr ? name : "", value != nullptr ? value : "");
    return proceed(s, SMFIP_NR_HDR);
  });
}

sfsistat on_eoh(SMFICTX* ctx) noexcept {
  return guarded(ctx, "eoh", SMFIP_NR_EOH, [&](Session& s) {
    if (Message* m = s.message()) m->end_of_headers();
    return proceed(s, SMFIP_NR_EOH);
  });
}

sfsistat on_body(SMFICTX* ctx, unsigned char* chunk, std::size_t size) noexcept {
  return guarded(ctx, "body", SMFIP_NR_BODY, [&](Session& s) {
    if (Message* m = s.message(); m != nullptr && chunk != nullptr)
      m->body({reinterpret_cast<const char*>(chunk), size});
    return proceed(s, SMFIP_NR_BODY);
  });
}

// Applies the header edits; false when the MTA refused one.
bool apply_edits(SMFICTX* ctx, const Outcome& outcome) {
  for (const HeaderEdit& edit : outcome.edits) {
    auto name = const_cast<char*>(edit.name.c_str());
    const int status =
        edit.kind == HeaderEdit::Kind::Delete
            ? smfi_chgheader(ctx, name, edit.index, nullptr)
            : smfi_insheader(ctx, edit.index, name, const_cast<char*>(edit.value.c_str()));
    if (status != MI_SUCCESS) {
      log(LogLevel::Error, std::string("the MTA refused to ") +
                               (edit.kind == HeaderEdit::Kind::Delete ? "delete" : "insert") +
                               " a " + edit.name + " field");
      return false;
    }
  }
  return true;
}

// Tells the MTA what to do with the message.
sfsistat answer(SMFICTX* ctx, const Action& action) {
  switch (action.kind) {
    case Action::Kind::Accept:
      return SMFIS_CONTINUE;
    case Action::Kind::Quarantine:
      if (smfi_quarantine(ctx, const_cast<char*>(reply_text(action.message).c_str())) != MI_SUCCESS)
        log(LogLevel::Warning, "the MTA refused to quarantine the message");
      return SMFIS_CONTINUE;
    case Action::Kind::Reject:
    case Action::Kind::Tempfail: {
      const std::string text = reply_text(action.message);
      smfi_setreply(ctx, const_cast<char*>(action.rcode.c_str()),
                    const_cast<char*>(action.xcode.c_str()), const_cast<char*>(text.c_str()));
      return action.kind == Action::Kind::Reject ? SMFIS_REJECT : SMFIS_TEMPFAIL;
    }
  }
  return SMFIS_CONTINUE;
}

void log_message(const Session& s, const std::string& queue_id, const Outcome& outcome) {
  if (!log_enabled(LogLevel::Info)) return;
  std::string line =
      (queue_id.empty() ? std::string("-") : queue_id) + ": client=" + s.client().host + "[" +
      (s.client().ip ? s.client().ip->str() : "unknown") + "] " + to_string(outcome.direction) +
      " " + outcome.summary + " action=" + to_string(outcome.action.kind);
  if (outcome.dry_run_action)
    line += " (dry_run: would " + std::string(to_string(outcome.dry_run_action->kind)) + ": " +
            outcome.dry_run_action->message + ")";
  else if (outcome.action.kind != Action::Kind::Accept)
    line += " (" + outcome.action.message + ")";
  log(LogLevel::Info, line);
}

sfsistat on_eom(SMFICTX* ctx) noexcept {
  return guarded(ctx, "eom", 0, [&](Session& s) {
    const std::string queue_id = macro(ctx, "{i}");
    Message* m = s.message();
    if (m == nullptr || !s.failure.empty()) {
      const auto runtime = current_runtime();
      Outcome outcome;
      outcome.action = internal_error_action(runtime ? runtime->config : Config{},
                                             m == nullptr ? "no message state" : s.failure);
      outcome.summary = "not checked: " + outcome.action.why;
      log_message(s, queue_id, outcome);
      metrics::message_finished(outcome);
      s.end_message();
      return answer(ctx, outcome.action);
    }
    Outcome outcome = m->end_of_message(queue_id);
    if (!apply_edits(ctx, outcome)) {
      metrics::internal_error("header edit");
      outcome.action = internal_error_action(m->runtime().config, "header edit refused");
    }
    log_message(s, queue_id, outcome);
    metrics::message_finished(outcome);
    s.end_message();
    return answer(ctx, outcome.action);
  });
}

sfsistat on_abort(SMFICTX* ctx) noexcept {
  if (Session* s = session_of(ctx)) s->end_message();
  return SMFIS_CONTINUE;
}

sfsistat on_close(SMFICTX* ctx) noexcept {
  const std::unique_ptr<Session> session = take_from_context(ctx);
  if (session && log_enabled(LogLevel::Debug)) {
    try {
      log(LogLevel::Debug, "connection " + std::to_string(session->id()) + " closed after " +
                               std::to_string(session->messages()) + " message(s)");
    } catch (...) {  // NOLINT(bugprone-empty-catch): building the line ran out of memory: drop it
    }
  }
  return SMFIS_CONTINUE;
}

}  // namespace

bool register_callbacks() {
  static char name[] = "mailauth-milter";
  smfiDesc description{};
  description.xxfi_name = name;
  description.xxfi_version = SMFI_VERSION;
  description.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE;
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
