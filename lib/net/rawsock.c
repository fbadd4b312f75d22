/*
 * rawsock.c - AF_PACKET sockets for LLDP and ECP (rawsock.h).
 *
 * Runs in a daemon's control thread.  Relies only on the kernel's packet
 * socket API: SOCK_RAW with the full Ethernet header, PACKET_ADD_MEMBERSHIP
 * for the group MACs (01-80-C2-00-00-00/03/0E are never forwarded by
 * bridges, so they reach us only from the directly attached peer) and
 * PACKET_AUXDATA for tags that veth strips.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/rawsock.h"

static const uint8_t group_macs[3][6] = {
	{ 0x01, 0x80, 0xc2, 0x00, 0x00, 0x00 },	/* nearest customer bridge */
	{ 0x01, 0x80, 0xc2, 0x00, 0x00, 0x03 },	/* nearest non-TPMR bridge */
	{ 0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e },	/* nearest bridge */
};

int
rawsock_join(struct rawsock *s, const uint8_t mac[6])
{
	struct packet_mreq mr;

	memset(&mr, 0, sizeof(mr));
	mr.mr_ifindex = s->ifindex;
	mr.mr_type = PACKET_MR_MULTICAST;
	mr.mr_alen = 6;
	memcpy(mr.mr_address, mac, 6);
	if (setsockopt(s->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr,
	    sizeof(mr)) < 0)
		return -errno;
	return 0;
}

int
rawsock_open(struct rawsock *s, const char *ifname, uint16_t ethertype)
{
	struct sockaddr_ll sll;
	struct ifreq ifr;
	int one = 1, rc;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (strlen(ifname) >= sizeof(s->ifname))
		return -ENAMETOOLONG;
	strcpy(s->ifname, ifname);
	s->ethertype = ethertype;
	s->ifindex = (int)if_nametoindex(ifname);
	if (s->ifindex == 0)
		return -ENODEV;
	s->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    htons(ethertype));
	if (s->fd < 0)
		return -errno;

	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, ifname);
	if (ioctl(s->fd, SIOCGIFHWADDR, &ifr) < 0)
		goto fail;
	memcpy(s->mac, ifr.ifr_hwaddr.sa_data, 6);

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ethertype);
	sll.sll_ifindex = s->ifindex;
	if (bind(s->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		goto fail;
	if (setsockopt(s->fd, SOL_PACKET, PACKET_AUXDATA, &one,
	    sizeof(one)) < 0)
		goto fail;
	for (unsigned i = 0; i < 3; i++)
		if ((rc = rawsock_join(s, group_macs[i])) < 0) {
			errno = -rc;
			goto fail;
		}
	return 0;
fail:
	rc = -errno;
	close(s->fd);
	s->fd = -1;
	return rc;
}

void
rawsock_close(struct rawsock *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

int
rawsock_send(struct rawsock *s, const void *frame, size_t len)
{
	struct sockaddr_ll sll;
	ssize_t n;

	if (len < 14)
		return -EINVAL;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = s->ifindex;
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, frame, 6);
	n = sendto(s->fd, frame, len, 0, (struct sockaddr *)&sll, sizeof(sll));
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

ssize_t
rawsock_recv(struct rawsock *s, uint8_t *buf, size_t cap)
{
	for (;;) {
		union {
			struct cmsghdr	hdr;
			char		space[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
		} ctl;
		struct sockaddr_ll from;
		struct iovec iov;
		struct msghdr mh;
		struct cmsghdr *c;
		ssize_t n;

		if (cap < 18)
			return -ENOBUFS;
		/* Leave 4 octets in front so a stripped tag can go back in. */
		iov.iov_base = buf + 4;
		iov.iov_len = cap - 4;
		memset(&mh, 0, sizeof(mh));
		mh.msg_name = &from;
		mh.msg_namelen = sizeof(from);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = &ctl;
		mh.msg_controllen = sizeof(ctl);
		n = recvmsg(s->fd, &mh, MSG_TRUNC);
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;
		if ((size_t)n > cap - 4)
			continue;	/* truncated: drop, never parse half */
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			struct tpacket_auxdata aux;

			if (c->cmsg_level != SOL_PACKET ||
			    c->cmsg_type != PACKET_AUXDATA)
				continue;
			memcpy(&aux, CMSG_DATA(c), sizeof(aux));
			if (!(aux.tp_status & TP_STATUS_VLAN_VALID) || n < 12)
				continue;
			/* Re-insert 0x8100 + TCI after the two MACs. */
			memmove(buf, buf + 4, 12);
			buf[12] = 0x81;
			buf[13] = 0x00;
			buf[14] = (uint8_t)(aux.tp_vlan_tci >> 8);
			buf[15] = (uint8_t)aux.tp_vlan_tci;
			return n + 4;
		}
		memmove(buf, buf + 4, (size_t)n);
		return n;
	}
}
