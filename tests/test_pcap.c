/*
 * test_pcap.c - the pcap writer (viz/viz_pcap.h): the exact bytes of the
 * global header and of a frame; what tshark, an independent reader,
 * decodes from an ARP exchange and a ping (addresses, opcodes, echo
 * pairing, interface index, nanosecond times, checksums Good, and Bad on a
 * corrupted copy so that Good means something); that only received
 * datagrams are written; open and write errors; byte-identical output
 * for the same records.
 *
 * The records are emitted by hand, as ipstack/ will emit them: struct
 * ip_trace_packet and the datagram, built here with their checksums.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ip_trace.h"
#include "ip_wire.h"
#include "suites.h"
#include "viz_pcap.h"

#define PS(s, ps) ((sim_time_t)(s) * 1000000000000ull + (ps))

/* --- datagrams -------------------------------------------------------- */

/* The Internet checksum (RFC 1071): the one's complement of the one's
 * complement sum of the 16-bit big-endian words, an odd byte padded. */
static uint16_t inet_cksum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += ip_get16(p + i);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t ipv4(unsigned a, unsigned b, unsigned c, unsigned d)
{
	return (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | d;
}

#define ECHO_ID 0x5343     /* "SC" */
#define ECHO_DATA "scsinet ping 01"  /* 15 bytes: an odd ICMP length */

/* An ICMP echo request or reply in an IPv4 datagram; returns its length. */
static uint32_t make_echo(uint8_t *d, unsigned type, uint32_t src,
			  uint32_t dst, uint16_t ip_id, uint16_t seq)
{
	uint32_t icmp_len = ICMP_HDR_LEN + (uint32_t)strlen(ECHO_DATA);
	uint32_t len = IP_HDR_LEN + icmp_len;
	memset(d, 0, len);
	d[IP_OFF_VHL] = 0x45;
	ip_put16(d + IP_OFF_LEN, (uint16_t)len);
	ip_put16(d + IP_OFF_ID, ip_id);
	d[IP_OFF_TTL] = IP_DEFAULT_TTL;
	d[IP_OFF_PROTO] = IP_PROTO_ICMP;
	ip_put32(d + IP_OFF_SRC, src);
	ip_put32(d + IP_OFF_DST, dst);
	ip_put16(d + IP_OFF_CKSUM, inet_cksum(d, IP_HDR_LEN));
	uint8_t *m = d + IP_HDR_LEN;
	m[ICMP_OFF_TYPE] = (uint8_t)type;
	ip_put16(m + ICMP_OFF_ID, ECHO_ID);
	ip_put16(m + ICMP_OFF_SEQ, seq);
	memcpy(m + ICMP_HDR_LEN, ECHO_DATA, strlen(ECHO_DATA));
	ip_put16(m + ICMP_OFF_CKSUM, inet_cksum(m, icmp_len));
	return len;
}

/* An ARP packet over SCSI: hardware type 256, one-byte SCSI IDs. */
static uint32_t make_arp(uint8_t *d, uint16_t op, uint8_t sha, uint32_t spa,
			 uint8_t tha, uint32_t tpa)
{
	memset(d, 0, ARP_LEN);
	ip_put16(d + ARP_OFF_HTYPE, ARP_HTYPE_SCSI);
	ip_put16(d + ARP_OFF_PTYPE, ETHERTYPE_IPV4);
	d[ARP_OFF_HLEN] = ARP_HLEN;
	d[ARP_OFF_PLEN] = ARP_PLEN;
	ip_put16(d + ARP_OFF_OP, op);
	d[ARP_OFF_SHA] = sha;
	ip_put32(d + ARP_OFF_SPA, spa);
	d[ARP_OFF_THA] = tha;
	ip_put32(d + ARP_OFF_TPA, tpa);
	return ARP_LEN;
}

/* --- the records ----------------------------------------------------- */

struct pkt {
	sim_time_t t;
	uint16_t flags;
	uint32_t bus;
	uint16_t ethertype;
	uint8_t src_id, dst_id;
	uint32_t len;
	uint8_t data[64];
};

/*
 * The sequence: on bus 1, 10.0.2.1 (ID 7) resolves 10.0.2.3 (ID 3); on
 * bus 0, 10.0.1.1 (ID 7) pings 10.0.1.2 (ID 6).  The echo request also
 * appears with a flag other than IP_TRACE_RX, which must not be written.
 * The times carry sub-nanosecond parts that the file truncates.
 */
#define NSEQ 5
#define NWRITTEN 4
static void make_sequence(struct pkt *p)
{
	memset(p, 0, NSEQ * sizeof *p);
	p[0] = (struct pkt){ .t = PS(0, 250000999), .bus = 1,
			     .ethertype = ETHERTYPE_ARP, .src_id = 7,
			     .dst_id = 3 };
	p[0].len = make_arp(p[0].data, ARP_OP_REQUEST, 7, ipv4(10, 0, 2, 1),
			    0, ipv4(10, 0, 2, 3));
	p[1] = (struct pkt){ .t = PS(0, 731415926), .bus = 1,
			     .ethertype = ETHERTYPE_ARP, .src_id = 3,
			     .dst_id = 7 };
	p[1].len = make_arp(p[1].data, ARP_OP_REPLY, 3, ipv4(10, 0, 2, 3),
			    7, ipv4(10, 0, 2, 1));
	p[2] = (struct pkt){ .t = PS(1, 234000000000), .flags = IP_TRACE_RX + 1,
			     .bus = 0, .ethertype = ETHERTYPE_IPV4,
			     .src_id = 7, .dst_id = 6 };
	p[2].len = make_echo(p[2].data, ICMP_ECHO, ipv4(10, 0, 1, 1),
			     ipv4(10, 0, 1, 2), 0x0100, 1);
	p[3] = p[2];
	p[3].t = PS(1, 234567891999);
	p[3].flags = IP_TRACE_RX;
	p[4] = (struct pkt){ .t = PS(1, 234890123456), .bus = 0,
			     .ethertype = ETHERTYPE_IPV4, .src_id = 6,
			     .dst_id = 7 };
	p[4].len = make_echo(p[4].data, ICMP_ECHO_REPLY, ipv4(10, 0, 1, 2),
			     ipv4(10, 0, 1, 1), 0x0200, 1);
}

/* Advance the clock to the record's time (records are emitted at or
 * before now) and emit it as the receiving station would. */
static void emit(struct sim *sim, sim_trace_source_t src, const struct pkt *p)
{
	uint8_t buf[sizeof(struct ip_trace_packet) + sizeof p->data];
	struct ip_trace_packet tp;
	memset(&tp, 0, sizeof tp);
	tp.bus = p->bus;
	tp.host = p->dst_id;
	tp.ethertype = p->ethertype;
	tp.src_id = p->src_id;
	tp.dst_id = p->dst_id;
	tp.len = p->len;
	memcpy(buf, &tp, sizeof tp);
	memcpy(buf + sizeof tp, p->data, p->len);
	ck_assert_int_eq(sim_run_until(sim, p->t), SIM_RUN_REACHED);
	sim_trace_emit_at(sim, p->t, src, SIM_TR_PACKET, p->flags, buf,
			  (uint32_t)(sizeof tp + p->len));
}

static void tmp_path(char *buf, size_t size)
{
	snprintf(buf, size, "/tmp/scsinet_pcap_XXXXXX");
	int fd = mkstemp(buf);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

/* Write the records `p[0..n)` through a writer into `path`, in a sim of
 * their own; returns the writer's packet count. */
static uint64_t write_pcap(const char *path, const struct pkt *p, int n)
{
	struct sim sim;
	ck_assert_int_eq(sim_init(&sim, 1), SN_OK);
	sim_trace_source_t src;
	ck_assert_int_eq(sim_trace_source_add(&sim, "ipstack", &src), SN_OK);
	struct viz_pcap *w = NULL;
	ck_assert_int_eq(viz_pcap_open(&sim, path, &w), SN_OK);
	ck_assert_ptr_nonnull(w);
	ck_assert_uint_eq(viz_pcap_packets(w), 0);
	for (int i = 0; i < n; i++)
		emit(&sim, src, &p[i]);
	uint64_t count = viz_pcap_packets(w);
	ck_assert_int_eq(viz_pcap_close(w), SN_OK);
	ck_assert_sim_clean(&sim);
	sim_fini(&sim);
	return count;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	long n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	uint8_t *buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* --- the bytes -------------------------------------------------------- */

START_TEST(global_header_and_first_frame)
{
	struct pkt seq[NSEQ];
	make_sequence(seq);
	char path[64];
	tmp_path(path, sizeof path);
	ck_assert_uint_eq(write_pcap(path, seq, NSEQ), NWRITTEN);
	size_t len;
	uint8_t *b = slurp(path, &len);

	static const uint8_t global[24] = {
		0x4d, 0x3c, 0xb2, 0xa1, /* magic 0xa1b23c4d (ns), LE */
		0x02, 0x00, 0x04, 0x00, /* version 2.4 */
		0x00, 0x00, 0x00, 0x00, /* thiszone */
		0x00, 0x00, 0x00, 0x00, /* sigfigs */
		0x00, 0x00, 0x04, 0x00, /* snaplen 262144 */
		0x14, 0x01, 0x00, 0x00, /* LINKTYPE_LINUX_SLL2 = 276 */
	};
	ck_assert_uint_ge(len, sizeof global);
	ck_assert_mem_eq(b, global, sizeof global);

	/* First frame: the ARP request at 0.000250000999 s on bus 1. */
	const uint8_t *r = b + 24;
	ck_assert_uint_eq(get_le32(r + 0), 0);          /* ts_sec */
	ck_assert_uint_eq(get_le32(r + 4), 250000);     /* ts_nsec, truncated */
	ck_assert_uint_eq(get_le32(r + 8), 20 + ARP_LEN);  /* incl_len */
	ck_assert_uint_eq(get_le32(r + 12), 20 + ARP_LEN); /* orig_len */
	static const uint8_t sll2[20] = {
		0x08, 0x06,             /* protocol type: ARP */
		0x00, 0x00,             /* reserved */
		0x00, 0x00, 0x00, 0x02, /* interface index: bus 1 + 1 */
		0xff, 0xfe,             /* ARPHRD_NONE */
		0x00,                   /* PACKET_HOST */
		0x01,                   /* address length */
		0x07, 0, 0, 0, 0, 0, 0, 0, /* sender: SCSI ID 7 */
	};
	ck_assert_mem_eq(r + 16, sll2, sizeof sll2);
	ck_assert_mem_eq(r + 36, seq[0].data, ARP_LEN);

	/* Then the other written records, whole, in order; nothing else. */
	size_t off = 24;
	for (int i = 0; i < NSEQ; i++) {
		if (seq[i].flags != IP_TRACE_RX)
			continue;
		ck_assert_uint_le(off + 36 + seq[i].len, len);
		const uint8_t *h = b + off;
		ck_assert_uint_eq(get_le32(h), (uint32_t)(seq[i].t / PS(1, 0)));
		ck_assert_uint_eq(get_le32(h + 4),
				  (uint32_t)(seq[i].t % PS(1, 0) / 1000));
		ck_assert_uint_eq(get_le32(h + 8), 20 + seq[i].len);
		ck_assert_uint_eq(get_le32(h + 12), 20 + seq[i].len);
		ck_assert_uint_eq(ip_get16(h + 16), seq[i].ethertype);
		ck_assert_uint_eq(ip_get32(h + 20), seq[i].bus + 1);
		ck_assert_uint_eq(h[28], seq[i].src_id);
		ck_assert_mem_eq(h + 36, seq[i].data, seq[i].len);
		off += 36 + seq[i].len;
	}
	ck_assert_uint_eq(off, len);
	free(b);
	unlink(path);
}
END_TEST

START_TEST(only_received_datagrams_are_written)
{
	struct pkt seq[NSEQ];
	make_sequence(seq);
	for (int i = 0; i < NSEQ; i++)
		seq[i].flags = IP_TRACE_RX + 1 + (uint16_t)i;
	char path[64];
	tmp_path(path, sizeof path);
	ck_assert_uint_eq(write_pcap(path, seq, NSEQ), 0);
	size_t len;
	uint8_t *b = slurp(path, &len);
	ck_assert_uint_eq(len, 24); /* the global header alone */
	free(b);
	unlink(path);
}
END_TEST

/* Two sims, the same records: the same bytes. */
START_TEST(same_records_same_bytes)
{
	struct pkt seq[NSEQ];
	make_sequence(seq);
	char a[64], c[64];
	tmp_path(a, sizeof a);
	tmp_path(c, sizeof c);
	ck_assert_uint_eq(write_pcap(a, seq, NSEQ), NWRITTEN);
	ck_assert_uint_eq(write_pcap(c, seq, NSEQ), NWRITTEN);
	size_t la, lc;
	uint8_t *ba = slurp(a, &la), *bc = slurp(c, &lc);
	ck_assert_uint_eq(la, lc);
	ck_assert_uint_gt(la, 24);
	ck_assert_mem_eq(ba, bc, la);
	free(ba);
	free(bc);
	unlink(a);
	unlink(c);
}
END_TEST

/* --- errors ----------------------------------------------------------- */

START_TEST(open_errors)
{
	struct sim sim;
	ck_assert_int_eq(sim_init(&sim, 1), SN_OK);
	struct viz_pcap *w = (struct viz_pcap *)&sim; /* must stay unchanged */
	errno = 0;
	ck_assert_int_eq(viz_pcap_open(&sim, "/nonexistent-scsinet-dir/x.pcap",
				       &w),
			 SN_EIO);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_eq(w, (struct viz_pcap *)&sim);
	ck_assert_int_eq(viz_pcap_open(NULL, "/tmp/x.pcap", &w), SN_EINVAL);
	ck_assert_int_eq(viz_pcap_open(&sim, NULL, &w), SN_EINVAL);
	ck_assert_int_eq(viz_pcap_open(&sim, "/tmp/x.pcap", NULL), SN_EINVAL);
	ck_assert_ptr_eq(w, (struct viz_pcap *)&sim);
	ck_assert_int_eq(viz_pcap_close(NULL), SN_OK);
	ck_assert_sim_clean(&sim);
	sim_fini(&sim);
}
END_TEST

/*
 * /dev/full takes the open and fails every write with ENOSPC.  The frames
 * (far more than a stdio buffer) fail while the run goes on, where nobody
 * can return an error; close must still report it, with its errno.
 */
START_TEST(write_errors_reach_close)
{
	if (access("/dev/full", W_OK) != 0)
		return; /* not Linux: nothing to test against */
	struct pkt seq[NSEQ];
	make_sequence(seq);
	struct sim sim;
	ck_assert_int_eq(sim_init(&sim, 1), SN_OK);
	sim_trace_source_t src;
	ck_assert_int_eq(sim_trace_source_add(&sim, "ipstack", &src), SN_OK);
	struct viz_pcap *w = NULL;
	ck_assert_int_eq(viz_pcap_open(&sim, "/dev/full", &w), SN_OK);
	for (int i = 0; i < 2000; i++) {
		struct pkt p = seq[3];
		p.t = seq[3].t + (sim_time_t)i * 1000;
		emit(&sim, src, &p);
	}
	uint64_t n = viz_pcap_packets(w);
	ck_assert_uint_lt(n, 2000); /* writing stopped at the failure */
	errno = 0;
	ck_assert_int_eq(viz_pcap_close(w), SN_EIO);
	ck_assert_int_eq(errno, ENOSPC);
	ck_assert_sim_clean(&sim);
	sim_fini(&sim);
}
END_TEST

/* --- tshark reads it back --------------------------------------------- */

static void need_tshark(void)
{
	ck_assert_msg(system("command -v tshark >/dev/null 2>&1") == 0,
		      "tshark is not installed (Debian package tshark; run "
		      "scripts/install-deps.sh test)");
}

/* Run a shell command; returns its exit status (-1 if it did not exit). */
static int run(const char *cmd)
{
	int st = system(cmd);
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The fields tshark decodes, one line per frame.  IPv4 header checksums
 * are only verified on request (ip.check_checksum); ICMP's always are.
 * WIRESHARK_CONFIG_DIR points at an empty directory so that no personal
 * preference (a disabled protocol, say) changes what is decoded. */
static const char *const fields[] = {
	"frame.number", "frame.time_epoch", "sll.ifindex", "sll.hatype",
	"sll.pkttype", "sll.src.other", "sll.etype", "ip.src", "ip.dst",
	"ip.checksum.status", "icmp.type", "icmp.ident", "icmp.seq",
	"icmp.checksum.status", "icmp.resp_to", "arp.opcode", "arp.hw.type",
	"arp.hw.size", "arp.src.hw", "arp.src.proto_ipv4", "arp.dst.hw",
	"arp.dst.proto_ipv4",
};

/* tshark's lines for `pcap` into a malloc'ed string. */
static char *tshark_fields(const char *pcap)
{
	char conf[64], out[80], err[80], cmd[2048];
	snprintf(conf, sizeof conf, "/tmp/scsinet_wsconf_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(conf));
	snprintf(out, sizeof out, "%s.txt", pcap);
	snprintf(err, sizeof err, "%s.err", pcap);
	int n = snprintf(cmd, sizeof cmd,
			 "WIRESHARK_CONFIG_DIR=%s tshark -n -r %s "
			 "-o ip.check_checksum:TRUE -T fields -E separator=, "
			 "-E occurrence=f",
			 conf, pcap);
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		n += snprintf(cmd + n, sizeof cmd - (size_t)n, " -e %s",
			      fields[i]);
	snprintf(cmd + n, sizeof cmd - (size_t)n, " >%s 2>%s", out, err);
	ck_assert_uint_lt((size_t)n, sizeof cmd - 64);
	int st = run(cmd);
	size_t len;
	char *text = (char *)slurp(out, &len), *errs = (char *)slurp(err, &len);
	ck_assert_msg(st == 0, "tshark exited with %d: %s", st, errs);
	free(errs);
	unlink(out);
	unlink(err);
	rmdir(conf);
	return text;
}

/* Compare tshark's output with `want`, line by line, for a clear message. */
static void expect_lines(const char *got, const char *const *want, int n)
{
	const char *p = got;
	for (int i = 0; i < n; i++) {
		const char *e = strchr(p, '\n');
		ck_assert_msg(e != NULL, "tshark gave %d lines, want %d:\n%s",
			      i, n, got);
		ck_assert_msg(strlen(want[i]) == (size_t)(e - p) &&
				      memcmp(p, want[i], (size_t)(e - p)) == 0,
			      "frame %d:\n got  %.*s\n want %s", i + 1,
			      (int)(e - p), p, want[i]);
		p = e + 1;
	}
	ck_assert_msg(*p == '\0', "tshark gave more than %d lines:\n%s", n,
		      got);
}

/*
 * Per frame, in the order of `fields`: number, time, interface index,
 * ARPHRD type, packet type, sender SCSI ID, EtherType; then IPv4 and ICMP
 * (checksum status 1 = Good; the reply names frame 3 as its request, so
 * Wireshark paired them by identifier and sequence) or ARP (hardware type
 * 256 of size 1, the SCSI IDs as one-byte addresses).
 */
START_TEST(tshark_decodes_arp_and_ping)
{
	need_tshark();
	struct pkt seq[NSEQ];
	make_sequence(seq);
	char path[64];
	tmp_path(path, sizeof path);
	ck_assert_uint_eq(write_pcap(path, seq, NSEQ), NWRITTEN);
	char *got = tshark_fields(path);
	static const char *const want[NWRITTEN] = {
		"1,0.000250000,2,65534,0,07,0x0806,,,,,,,,,"
		"1,256,1,07,10.0.2.1,00,10.0.2.3",
		"2,0.000731415,2,65534,0,03,0x0806,,,,,,,,,"
		"2,256,1,03,10.0.2.3,07,10.0.2.1",
		"3,1.234567891,1,65534,0,07,0x0800,10.0.1.1,10.0.1.2,1,"
		"8,21315,1,1,,,,,,,,",
		"4,1.234890123,1,65534,0,06,0x0800,10.0.1.2,10.0.1.1,1,"
		"0,21315,1,1,3,,,,,,,",
	};
	expect_lines(got, want, NWRITTEN);
	free(got);
	unlink(path);
}
END_TEST

/* The same ping with both checksums off by one: tshark must call them
 * Bad (0), or "Good" above would prove nothing. */
START_TEST(tshark_sees_bad_checksums)
{
	need_tshark();
	struct pkt seq[NSEQ];
	make_sequence(seq);
	struct pkt *p = &seq[3];
	p->data[IP_OFF_CKSUM + 1] ^= 1;
	p->data[IP_HDR_LEN + ICMP_OFF_CKSUM + 1] ^= 1;
	char path[64];
	tmp_path(path, sizeof path);
	ck_assert_uint_eq(write_pcap(path, p, 1), 1);
	char *got = tshark_fields(path);
	static const char *const want[1] = {
		"1,1.234567891,1,65534,0,07,0x0800,10.0.1.1,10.0.1.2,0,"
		"8,21315,1,0,,,,,,,,",
	};
	expect_lines(got, want, 1);
	free(got);
	unlink(path);
}
END_TEST

Suite *pcap_suite(void);
Suite *pcap_suite(void)
{
	Suite *s = suite_create("pcap");
	TCase *tc = tcase_create("writer");
	tcase_add_test(tc, global_header_and_first_frame);
	tcase_add_test(tc, only_received_datagrams_are_written);
	tcase_add_test(tc, same_records_same_bytes);
	tcase_add_test(tc, open_errors);
	tcase_add_test(tc, write_errors_reach_close);
	suite_add_tcase(s, tc);
	TCase *tr = tcase_create("tshark");
	tcase_set_timeout(tr, 60);
	tcase_add_test(tr, tshark_decodes_arp_and_ping);
	tcase_add_test(tr, tshark_sees_bad_checksums);
	suite_add_tcase(s, tr);
	return s;
}
