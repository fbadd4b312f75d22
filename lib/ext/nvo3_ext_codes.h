/*
 * nvo3_ext_codes.h - every code point of splitnve's NVO3 extensions to
 * LLDP/EVB, ECP and VDP, in one place.
 *
 * NONE OF THESE IS AN IEEE VALUE.  IEEE 802.1Qcy-2019 defines NVO3
 * extensions to VDP, but its code points are not public; these are ours
 * (docs/nvo3-vdp-extensions.md is the wire specification).  Every
 * extension is used only after the peer offered it in the capability TLV,
 * so a standard peer never sees one.  When the real values become known,
 * renumber here and nowhere else.
 */
#ifndef SPLITNVE_EXT_NVO3_EXT_CODES_H
#define SPLITNVE_EXT_NVO3_EXT_CODES_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Our Company ID for organizationally defined TLVs (LLDP type 127 and VDP
 * type 127).  AC-DE-48 is the example OUI of IEEE 802 documents; a real
 * deployment replaces it (it is also a run-time setting).
 */
#define NVO3_EXT_CID0		0xAC
#define NVO3_EXT_CID1		0xDE
#define NVO3_EXT_CID2		0x48
#define NVO3_EXT_CID		0xACDE48u

/* Subtypes under our CID. */
#define NVO3_EXT_ST_CAPS	0x01	/* LLDP: capability bitmap */
#define NVO3_EXT_ST_IPADDR	0x02	/* VDP: IP addresses of a VSI */
#define NVO3_EXT_ST_MIGRATION	0x03	/* VDP: lifecycle reason + seq */
#define NVO3_EXT_ST_AUTH	0x04	/* VDP: HMAC authentication */
#define NVO3_EXT_ST_ECPDEST	0x05	/* LLDP: preferred ECP destination */

/* Capability bits carried by NVO3_EXT_ST_CAPS (32-bit, big-endian). */
#define NVO3_CAP_IPFILTER	(1u << 0)	/* filter formats 5 and 6 */
#define NVO3_CAP_MIGRATION	(1u << 1)	/* migration reason TLV */
#define NVO3_CAP_ECPDEST	(1u << 2)	/* unicast / non-reserved dst */
#define NVO3_CAP_AUTH		(1u << 3)	/* HMAC auth TLV */
#define NVO3_CAP_VNI_GROUPID	(1u << 4)	/* VNI in the GroupID */
#define NVO3_CAP_MULTI_TLV	(1u << 5)	/* several VSI TLVs per ECPDU */
#define NVO3_CAP_DEACTIVATE	(1u << 6)	/* Assoc -> Pre-Assoc allowed */
#define NVO3_CAP_IPADDR_TLV	(1u << 7)	/* IP addresses in an Org TLV */
#define NVO3_CAP_ALL		0xffu		/* every bit defined above */

/*
 * The extensions both sides may use: local & peer & NVO3_CAP_ALL, or none
 * when the peer sent no capability TLV (a standard peer never sees one).
 * Shared by lib/lldp (the agent) and lib/ext, which do not link each other.
 */
static inline uint32_t
nvo3_caps_agree(uint32_t local, bool peer_sent, uint32_t peer)
{
	return peer_sent ? local & peer & NVO3_CAP_ALL : 0;
}

/* VDP Filter Info Formats for IP addresses (after the standard 1..4). */
#define NVO3_FIF_GROUP_MAC_IPV4_VID	0x05	/* entry 16 octets */
#define NVO3_FIF_GROUP_MAC_IPV6_VID	0x06	/* entry 28 octets */

/* Migration / lifecycle reasons (NVO3_EXT_ST_MIGRATION). */
enum nvo3_reason {
	NVO3_REASON_UNSPEC = 0,		/* legacy, no information */
	NVO3_REASON_CREATE = 1,		/* VM created/started here */
	NVO3_REASON_MIG_IN_PREPARE = 2,	/* destination, before the VM runs */
	NVO3_REASON_MIG_IN_ACTIVATE = 3,/* destination, VM now running */
	NVO3_REASON_MIG_OUT = 4,	/* source, VM left */
	NVO3_REASON_MIG_ABORT = 5,	/* destination rolls back */
	NVO3_REASON_SHUTDOWN = 6,	/* VM shut down / destroyed */
	NVO3_REASON_PAUSE = 7,		/* paused/suspended, kept */
	NVO3_REASON_RESUME = 8,		/* resumed */
	NVO3_REASON_MAX = 8,
};
#define NVO3_MIGF_AUTHORITATIVE	0x01	/* 0/0 M/S really means "no move" */

/* Authentication algorithms (NVO3_EXT_ST_AUTH). */
#define NVO3_AUTH_HMAC_SHA256_128	1	/* HMAC-SHA-256, first 16 octets */
#define NVO3_AUTH_MAC_LEN		16

/* ECP destination kinds (NVO3_EXT_ST_ECPDEST). */
#define NVO3_ECPDEST_GROUP	0	/* 01-80-C2-00-00-00 (standard) */
#define NVO3_ECPDEST_UNICAST	1	/* the peer's unicast MAC */
#define NVO3_ECPDEST_MCAST	2	/* a configured non-reserved group */

#endif /* SPLITNVE_EXT_NVO3_EXT_CODES_H */
