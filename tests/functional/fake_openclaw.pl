#!/usr/bin/perl
# A small fake OpenClaw Gateway for the connect tests: a WebSocket server on 127.0.0.1 (a free
# port, printed as "ws://127.0.0.1:PORT" on stdout) speaking the handshake and chat.send flow
# of protocol.md §8.2: event connect.challenge -> req connect (auth.token must equal TOKEN)
# -> res hello-ok; req chat.send -> res {runId} -> event chat delta, then final with the
# reply as content parts. Replies: "I accept this request." for a friend request, otherwise
# "claw: " and the last line of the message. Every request is logged to LOG as a JSON line.
# usage: fake_openclaw.pl TOKEN LOG [PORT]
use strict;
use warnings;
use IO::Socket::INET;
use Digest::SHA qw(sha1);
use MIME::Base64 qw(encode_base64);
use JSON::PP;

my ($token, $log, $port) = @ARGV;
die "usage: $0 TOKEN LOG [PORT]\n" unless defined $log;
my $json = JSON::PP->new->canonical;
my $srv = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $port // 0, Listen => 5,
	ReuseAddr => 1) or die "listen: $!";
$| = 1;
print "ws://127.0.0.1:" . $srv->sockport . "\n";
open(my $lf, '>>', $log) or die "log: $!";
$lf->autoflush(1);
my $run = 0;

sub readn {
	my ($c, $n) = @_;
	my $buf = '';
	while (length($buf) < $n) {
		my $r = sysread($c, $buf, $n - length($buf), length($buf));
		return undef unless $r;
	}
	return $buf;
}

sub send_frame {
	my ($c, $text, $op) = @_;
	$op //= 1;
	my $len = length($text);
	my $hdr = chr(0x80 | $op);
	if ($len < 126) { $hdr .= chr($len) }
	elsif ($len < 65536) { $hdr .= chr(126) . pack('n', $len) }
	else { $hdr .= chr(127) . pack('Q>', $len) }
	syswrite($c, $hdr . $text);
}

sub send_json { my ($c, $o) = @_; send_frame($c, $json->encode($o)) }

sub read_frame {
	my ($c) = @_;
	my $h = readn($c, 2) // return;
	my ($b0, $b1) = map { ord } split //, $h;
	my $op = $b0 & 0x0f;
	my $len = $b1 & 0x7f;
	if ($len == 126) { $len = unpack('n', readn($c, 2) // return) }
	elsif ($len == 127) { $len = unpack('Q>', readn($c, 8) // return) }
	my $mask = ($b1 & 0x80) ? (readn($c, 4) // return) : "\0\0\0\0";
	my $data = $len ? (readn($c, $len) // return) : '';
	my @m = map { ord } split //, $mask;
	my $i = 0;
	$data = join '', map { chr(ord($_) ^ $m[$i++ % 4]) } split //, $data;
	return ($op, $data);
}

while (my $c = $srv->accept) {
	my $req = '';
	while ($req !~ /\r\n\r\n/) {
		my $r = sysread($c, $req, 4096, length($req));
		last unless $r;
	}
	my ($key) = $req =~ /Sec-WebSocket-Key:\s*(\S+)/i;
	next unless $key;
	my $accept = encode_base64(sha1($key . '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'), '');
	syswrite($c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n" .
		"Connection: Upgrade\r\nSec-WebSocket-Accept: $accept\r\n\r\n");
	send_json($c, { type => 'event', event => 'connect.challenge',
		payload => { nonce => 'nonce-' . time } });
	my $authed = 0;
	while (1) {
		my ($op, $data) = read_frame($c);
		last unless defined $op;
		if ($op == 8) { send_frame($c, '', 8); last }
		if ($op == 9) { send_frame($c, $data, 10); next }
		next unless $op == 1;
		my $f = eval { $json->decode($data) } or next;
		print $lf $json->encode($f), "\n";
		next unless ($f->{type} // '') eq 'req';
		my $m = $f->{method} // '';
		if ($m eq 'connect') {
			if (($f->{params}{auth}{token} // '') ne $token) {
				send_json($c, { type => 'res', id => $f->{id}, ok => JSON::PP::false,
					error => { code => 'UNAUTHORIZED', message => 'bad token' } });
				last;
			}
			$authed = 1;
			send_json($c, { type => 'res', id => $f->{id}, ok => JSON::PP::true,
				payload => { type => 'hello-ok', protocol => 3 } });
		} elsif (!$authed) {
			last;
		} elsif ($m eq 'chat.send') {
			my $id = 'run-' . ++$run;
			my $msg = $f->{params}{message} // '';
			my $reply = $msg =~ /friend request/ ? 'I accept this request.'
				: 'claw: ' . (split /\n/, $msg)[-1];
			send_json($c, { type => 'res', id => $f->{id}, ok => JSON::PP::true,
				payload => { runId => $id } });
			send_json($c, { type => 'event', event => 'chat', payload => { runId => $id,
				sessionKey => $f->{params}{sessionKey}, state => 'delta',
				message => substr($reply, 0, 3) } });
			send_json($c, { type => 'event', event => 'chat', payload => { runId => $id,
				sessionKey => $f->{params}{sessionKey}, state => 'final',
				message => { role => 'assistant',
					content => [ { type => 'text', text => $reply } ] } } });
		} else {
			send_json($c, { type => 'res', id => $f->{id}, ok => JSON::PP::true, payload => {} });
		}
	}
	close $c;
}
