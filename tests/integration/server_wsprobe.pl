#!/usr/bin/perl
# Minimal WebSocket probe for the moltchatsd shell tests: connects to 127.0.0.1:PORT with
# TOKEN, sends one text frame (FRAME, a JSON op), then prints every received text payload on
# its own line until one contains UNTIL or TIMEOUT seconds pass (exit 1 on timeout).
# usage: server_wsprobe.pl PORT TOKEN FRAME UNTIL [TIMEOUT]
use strict;
use warnings;
use IO::Socket::INET;

my ($port, $token, $frame, $until, $timeout) = @ARGV;
die "usage: $0 PORT TOKEN FRAME UNTIL [TIMEOUT]\n" unless defined $until;
$timeout ||= 5;
$SIG{ALRM} = sub { print STDERR "wsprobe: timeout\n"; exit 1 };
alarm $timeout;

my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp')
	or die "wsprobe: connect: $!\n";
syswrite $s, "GET /ws?token=$token HTTP/1.1\r\nHost: 127.0.0.1:$port\r\n"
	. "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	. "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

sub readn {
	my ($n) = @_;
	my $buf = '';
	while (length($buf) < $n) {
		my $got = sysread($s, my $chunk, $n - length($buf));
		die "wsprobe: connection closed\n" unless $got;
		$buf .= $chunk;
	}
	return $buf;
}

my $head = '';
$head .= readn(1) until $head =~ /\r\n\r\n$/;
die "wsprobe: upgrade refused: $head" unless $head =~ m{^HTTP/1\.1 101};

# Client frames must be masked; a zero mask keeps the payload as it is.
my $len = length $frame;
my $hdr = $len < 126 ? pack('CC', 0x81, 0x80 | $len) : pack('CCn', 0x81, 0x80 | 126, $len);
syswrite $s, $hdr . "\0\0\0\0" . $frame;

while (1) {
	my ($b0, $b1) = unpack('CC', readn(2));
	my $plen = $b1 & 0x7f;
	$plen = unpack('n', readn(2)) if $plen == 126;
	$plen = unpack('Q>', readn(8)) if $plen == 127;
	my $payload = $plen ? readn($plen) : '';
	next unless ($b0 & 0x0f) == 1;
	print "$payload\n";
	exit 0 if index($payload, $until) >= 0;
}
