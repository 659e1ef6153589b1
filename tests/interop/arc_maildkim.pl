#!/usr/bin/perl
# ARC interop driver for Mail::DKIM (Debian libmail-dkim-perl).
#
#   arc_maildkim.pl seal DOMAIN SELECTOR KEYFILE SRV_ID DNSFILE < message > sealed
#   arc_maildkim.pl verify DNSFILE                              < message  (prints pass/fail/none)
#
# DNSFILE holds "<name> <TXT text>" lines; DNS is answered from it (no network). Messages are
# CRLF. Exit status 0 on success, 2 on a usage or library error, 77 when Mail::DKIM is missing.
use strict;
use warnings;

BEGIN {
    for my $module (qw(Mail::DKIM::ARC::Signer Mail::DKIM::ARC::Verifier Net::DNS)) {
        eval "require $module; 1" or exit 77;
    }
}

my %records;

sub load_dns {
    my ($path) = @_;
    open( my $fh, '<', $path ) or die "cannot read $path: $!";
    while ( my $line = <$fh> ) {
        $line =~ s/\r?\n\z//;
        next unless length $line;
        my ( $name, $text ) = split / /, $line, 2;
        $name = lc $name;
        $name =~ s/\.\z//;
        $records{$name} = $text;
    }
}

{
    no warnings 'redefine';
    # Answer TXT queries from the file: a list of RRs, or an empty list for NXDOMAIN.
    *Mail::DKIM::DNS::query = sub {
        my ( $domain, $type ) = @_;
        my $name = lc $domain;
        $name =~ s/\.\z//;
        return () unless $type eq 'TXT' and exists $records{$name};
        my $rr = Net::DNS::RR->new( name => $name, type => 'TXT', txtdata => [ unpack( '(A255)*', $records{$name} ) ] );
        return ($rr);
    };
}

sub read_message {
    local $/;
    binmode STDIN;
    return scalar <STDIN>;
}

my $mode = shift @ARGV // '';
if ( $mode eq 'seal' && @ARGV == 5 ) {
    my ( $domain, $selector, $keyfile, $srv_id, $dnsfile ) = @ARGV;
    load_dns($dnsfile);
    my $message = read_message();
    my $signer  = Mail::DKIM::ARC::Signer->new(
        Algorithm => 'rsa-sha256',
        Chain     => 'ar',
        Domain    => $domain,
        SrvId     => $srv_id,
        Selector  => $selector,
        KeyFile   => $keyfile,
        Headers   => 'from:to:subject:date:message-id',
    );
    $signer->PRINT($message);
    $signer->CLOSE;
    if ( $signer->result ne 'sealed' ) {
        print STDERR "Mail::DKIM did not seal: ", $signer->result, " ", ( $signer->result_detail // '' ), "\n";
        exit 2;
    }
    binmode STDOUT;
    print $signer->as_string, $message;
    exit 0;
}
if ( $mode eq 'verify' && @ARGV == 1 ) {
    load_dns( $ARGV[0] );
    my $message  = read_message();
    my $verifier = Mail::DKIM::ARC::Verifier->new( Strict => 1 );
    $verifier->PRINT($message);
    $verifier->CLOSE;
    print $verifier->result, "\n";
    print STDERR ( ( $verifier->result_detail // '' ) . "\n" );
    exit 0;
}
print STDERR "usage: arc_maildkim.pl seal DOMAIN SELECTOR KEYFILE SRV_ID DNSFILE | verify DNSFILE\n";
exit 2;
