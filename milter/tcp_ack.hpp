// Prompt TCP acknowledgements to the MTA, so that its Nagle algorithm never waits for our
// delayed ACK.
//
// Postfix writes the no-reply milter commands of a message in two bursts on one socket, with
// Nagle's algorithm on: smtpd flushes CONNECT to RCPT when the client sends DATA, then cleanup
// writes the header fields, the body and end-of-message. Nagle holds the second burst in
// Postfix's kernel until the first is acknowledged, and Linux delays our ACK of data that follows
// a reply we sent (its "pingpong" heuristic hopes to piggyback the ACK on the next reply, which
// never comes when no reply is due): 40 ms and more per message over TCP, none over a unix
// socket. TCP_NODELAY on our side cannot help, the held write is the MTA's. TCP_QUICKACK sends
// the pending ACK and leaves pingpong mode, but Linux enters it again after each reply we send,
// so the callbacks set it again in the first callback after every reply (negotiation, end of
// message); see callbacks.cpp.
#pragma once

#include <libmilter/mfapi.h>

#include <string>

namespace mailauth::milter {

// The port of an inet: or inet6: socket specification ("inet:8891@127.0.0.1" -> 8891); 0 for
// unix: sockets and anything unparsable.
unsigned listening_port(const std::string& socket);

// The TCP socket of the MTA connection behind `ctx`, or -1: a unix-domain connection, or a
// descriptor that fails the checks. `port` is the milter's listening port.
int tcp_connection_socket(SMFICTX* ctx, unsigned port);

// The MTA's port of a connected TCP socket (for the debug log); 0 when unknown.
unsigned peer_port(int socket);

// Sends the pending ACK at once and leaves delayed-ACK pingpong mode until our next reply.
// Does nothing for -1.
void acknowledge_now(int socket);

}  // namespace mailauth::milter
