#!/usr/bin/perl
# Mail::DKIM side of the DKIM interop test (driven by dkim_interop.py).
#   dkim_maildkim.pl sign KEYFILE DOMAIN SELECTOR METHOD [LENGTH] < message > signed message
#   dkim_maildkim.pl verify KEYS < message     prints one result per signature ("pass", "fail", ...)
# KEYS: lines "<name> <TXT text>"; DNS answers come from it, never from the network.
use strict;
use warnings;
use Mail::DKIM::Signer;
use Mail::DKIM::Signature;
use Mail::DKIM::Verifier;
use Net::DNS;

my $mode = shift @ARGV or die "usage: $0 sign|verify ...\n";
# Slurp standard input only: Mail::DKIM reads key files line by line with the default $/.
my $message = do { local $/; <STDIN> };

if ($mode eq 'sign') {
    # LENGTH (optional): the canonical body length, to sign with l= covering the whole body.
    my ($keyfile, $domain, $selector, $method, $length) = @ARGV;
    my $policy = sub {
        my $signer    = shift;
        my $signature = Mail::DKIM::Signature->new(
            Algorithm => 'rsa-sha256',
            Method    => $method,
            Headers   => $signer->headers,
            Domain    => $domain,
            Selector  => $selector,
        );
        $signature->body_count($length) if defined $length;
        $signer->add_signature($signature);
        return;
    };
    my $dkim = Mail::DKIM::Signer->new(Policy => $policy, KeyFile => $keyfile);
    $dkim->PRINT($message);
    $dkim->CLOSE;
    print $dkim->signature->as_string, "\r\n", $message;
    exit 0;
}

if ($mode eq 'verify') {
    my ($keys) = @ARGV;
    my %txt;
    open(my $fh, '<', $keys) or die "$keys: $!\n";
    while (my $line = <$fh>) {
        chomp $line;
        my ($name, $text) = split(/ /, $line, 2);
        $txt{lc $name} = $text;
    }
    close $fh;
    no warnings 'redefine';
    *Mail::DKIM::DNS::query = sub {
        my ($name, $type) = @_;
        my $text = $txt{lc $name};
        if (!defined $text) { $@ = 'NXDOMAIN'; return; }
        my @strings = unpack('(A255)*', $text);
        return (Net::DNS::RR->new(owner => $name, type => 'TXT', txtdata => \@strings));
    };
    my $dkim = Mail::DKIM::Verifier->new();
    $dkim->PRINT($message);
    $dkim->CLOSE;
    foreach my $signature ($dkim->signatures) {
        print $signature->result, "\n";
    }
    exit 0;
}
die "unknown mode $mode\n";
