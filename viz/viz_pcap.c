/*
 * viz_pcap.c - pcap writer for the datagrams received over SCSI buses
 * (see viz_pcap.h).
 *
 * Format: the libpcap savefile (global header, then per frame a record
 * header and the captured bytes), nanosecond variant, as described in
 * pcap-savefile(5); the frame's link layer is LINKTYPE_LINUX_SLL2 as
 * described on tcpdump.org's link-type page.  Every multi-byte field is
 * stored byte by byte, so the file does not depend on the host's byte
 * order or struct layout.
 */
#include "viz_pcap.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ip_trace.h"

#define PCAP_MAGIC_NS 0xa1b23c4du  /* nanosecond timestamps */
#define PCAP_VERSION_MAJOR 2
#define PCAP_VERSION_MINOR 4
#define PCAP_SNAPLEN 262144u       /* libpcap's default, above any datagram */
#define LINKTYPE_LINUX_SLL2 276u
#define PCAP_GLOBAL_LEN 24
#define PCAP_RECORD_LEN 16
#define SLL2_LEN 20

/*
 * ARPHRD_NONE (linux/if_arp.h: "zero header length") is the type Linux
 * gives links that carry bare network-layer packets, such as a tun device:
 * what an RFC 2143 link hands up, since the SCSI framing is not in the
 * datagram.  With it Wireshark dispatches on the protocol type field (it
 * shows "Link-layer address type: zero header length (65534)" and decodes
 * IPv4 and our ARP).  Wireshark reads the protocol type differently for a
 * few ARPHRD values (ARPHRD_NETLINK 824 makes the frame a netlink message,
 * checked with tshark 4.0), and ARPHRD_ETHER would claim an Ethernet link
 * that is not there.
 */
#define ARPHRD_NONE 0xfffeu
#define SLL2_PACKET_HOST 0      /* sent to us by somebody else */
#define SLL2_ADDR_LEN 8         /* bytes of the address field */

#define PS_PER_S 1000000000000ull
#define PS_PER_NS 1000ull

struct viz_pcap {
	struct sim *sim;
	FILE *f;
	struct sim_trace_sub sub;
	uint64_t packets;
	int io_err;                 /* a write failed: write nothing more */
	int io_errno;               /* errno of that first failure */
};

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Write n bytes unless a write failed before; remember the first failure
 * with its errno, since close is where the caller learns of it. */
static int put(struct viz_pcap *p, const void *buf, size_t n)
{
	if (p->io_err)
		return 0;
	errno = 0;
	if (n > 0 && fwrite(buf, 1, n, p->f) != n) {
		p->io_err = 1;
		p->io_errno = errno ? errno : EIO;
		return 0;
	}
	return 1;
}

static void on_record(const struct sim_trace_record *rec, void *arg)
{
	struct viz_pcap *p = arg;
	struct ip_trace_packet tp;
	if (rec->flags != IP_TRACE_RX || p->io_err)
		return;
	/* A payload shorter than it says is an emitter bug; a reader would
	 * lose its framing on it, so it is left out rather than guessed at. */
	if (rec->data == NULL || rec->len < sizeof tp)
		return;
	memcpy(&tp, rec->data, sizeof tp);
	if (tp.len > rec->len - sizeof tp)
		return;

	uint64_t frame_len = (uint64_t)SLL2_LEN + tp.len;
	uint32_t incl = frame_len > PCAP_SNAPLEN ? PCAP_SNAPLEN
						 : (uint32_t)frame_len;
	uint32_t orig = frame_len > UINT32_MAX ? UINT32_MAX
					       : (uint32_t)frame_len;
	uint8_t h[PCAP_RECORD_LEN + SLL2_LEN];
	/* 2^32 s is 136 years; the clock reaches 213 days. */
	put_le32(h + 0, (uint32_t)(rec->time / PS_PER_S));
	put_le32(h + 4, (uint32_t)(rec->time % PS_PER_S / PS_PER_NS));
	put_le32(h + 8, incl);
	put_le32(h + 12, orig);

	uint8_t *s = h + PCAP_RECORD_LEN;
	memset(s, 0, SLL2_LEN);
	put_be16(s + 0, tp.ethertype);
	/* s + 2: reserved, must be zero */
	put_be32(s + 4, tp.bus + 1u);
	put_be16(s + 8, ARPHRD_NONE);
	s[10] = SLL2_PACKET_HOST;
	s[11] = 1;                  /* address length: one SCSI ID */
	s[12] = tp.src_id;          /* s + 13 .. s + 19 stay zero */

	const uint8_t *dgram = (const uint8_t *)rec->data + sizeof tp;
	if (put(p, h, sizeof h) && put(p, dgram, incl - SLL2_LEN))
		p->packets++;
}

enum sn_err viz_pcap_open(struct sim *sim, const char *path,
			  struct viz_pcap **out)
{
	if (sim == NULL || path == NULL || out == NULL)
		return SN_EINVAL;
	struct viz_pcap *p = sim_alloc(sim, sizeof *p);
	if (p == NULL)
		return SN_ENOMEM;
	memset(p, 0, sizeof *p);
	p->sim = sim;
	p->f = fopen(path, "wb");
	if (p->f == NULL) {
		int e = errno;
		sim_free(sim, p);
		errno = e;
		return SN_EIO;
	}

	uint8_t g[PCAP_GLOBAL_LEN];
	put_le32(g + 0, PCAP_MAGIC_NS);
	put_le16(g + 4, PCAP_VERSION_MAJOR);
	put_le16(g + 6, PCAP_VERSION_MINOR);
	put_le32(g + 8, 0);         /* thiszone: simulated time, no shift */
	put_le32(g + 12, 0);        /* sigfigs: always 0 in practice */
	put_le32(g + 16, PCAP_SNAPLEN);
	put_le32(g + 20, LINKTYPE_LINUX_SLL2);
	if (!put(p, g, sizeof g)) {
		int e = p->io_errno;
		fclose(p->f);
		sim_free(sim, p);
		errno = e;
		return SN_EIO;
	}
	sim_trace_subscribe(sim, &p->sub, SIM_TR_MASK(SIM_TR_PACKET),
			    on_record, p);
	*out = p;
	return SN_OK;
}

enum sn_err viz_pcap_close(struct viz_pcap *p)
{
	if (p == NULL)
		return SN_OK;
	sim_trace_unsubscribe(p->sim, &p->sub);
	errno = 0;
	if (fflush(p->f) != 0 && !p->io_err) {
		p->io_err = 1;
		p->io_errno = errno ? errno : EIO;
	}
	errno = 0;
	if (fclose(p->f) != 0 && !p->io_err) {
		p->io_err = 1;
		p->io_errno = errno ? errno : EIO;
	}
	int failed = p->io_err, e = p->io_errno;
	sim_free(p->sim, p);
	if (failed) {
		errno = e;
		return SN_EIO;
	}
	return SN_OK;
}

uint64_t viz_pcap_packets(const struct viz_pcap *p)
{
	return p->packets;
}
