/*
 * rawsock.h - AF_PACKET sockets for the L2 control protocols (LLDP, ECP).
 *
 * One socket per (interface, EtherType).  Receiving joins the IEEE group
 * addresses the protocols use and, for a configured non-reserved
 * multicast destination (RFC 8394 Req-2 extension), that group too.
 * veth can hand an 802.1Q tag out of band (PACKET_AUXDATA); rawsock_recv
 * puts it back in-band so codecs always see the frame as it was on the wire.
 * Control-thread only; the packet path has its own rings (lib/dp).
 */
#ifndef SPLITNVE_NET_RAWSOCK_H
#define SPLITNVE_NET_RAWSOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct rawsock {
	int		fd;
	int		ifindex;
	uint16_t	ethertype;
	uint8_t		mac[6];		/* the interface's own MAC */
	char		ifname[16];
};

/*
 * Opens a non-blocking AF_PACKET socket bound to ifname for ethertype and
 * joins the nearest-bridge group addresses.  Returns 0 or -errno.
 */
int	rawsock_open(struct rawsock *s, const char *ifname, uint16_t ethertype);
/* Joins one more multicast MAC on the socket's interface. */
int	rawsock_join(struct rawsock *s, const uint8_t mac[6]);
void	rawsock_close(struct rawsock *s);

/* Sends one complete Ethernet frame; returns 0 or -errno. */
int	rawsock_send(struct rawsock *s, const void *frame, size_t len);

/*
 * Receives one frame into buf.  Returns its length (with any out-of-band
 * VLAN tag re-inserted after the MAC addresses), 0 if nothing is waiting,
 * or -errno.  Frames this host sent (PACKET_OUTGOING) are skipped.
 */
ssize_t	rawsock_recv(struct rawsock *s, uint8_t *buf, size_t cap);

#endif /* SPLITNVE_NET_RAWSOCK_H */
